// What the website's browser tests share: local mode (`npm start`, with its own data folder and
// ports) and a headless Chromium (Debian's, through playwright-core, which downloads no browser).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { startLocalMode, stopLocalMode, type LocalMode } from "./local-mode";
import { freeLocalModePort } from "./ports";

export const CHROMIUM = "/usr/bin/chromium";

export interface SiteInChromium {
  mode: LocalMode;
  browser: Browser;
  /** The local data folder (`SWITCHYARD_LOCAL_DIR`): the outbox is `<dataDir>/outbox`. */
  dataDir: string;
  siteUrl: string;
  apiUrl: string;
  /** The local sign-in stand-in. */
  signInUrl: string;
  /** Closes the browser, stops local mode and removes its data. */
  stop(): Promise<void>;
}

/** Starts local mode in a fresh data folder named after `name`, and Chromium. Throws where Chromium is missing (CI installs it). */
export async function startSiteInChromium(name: string): Promise<SiteInChromium> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; .ci/run installs it (apt-get install -y chromium)`);
  const dataDir = mkdtempSync(join(tmpdir(), `switchyard-website-${name}-`));
  let mode: LocalMode | undefined;
  try {
    const port = await freeLocalModePort();
    mode = await startLocalMode({ PORT: String(port), SWITCHYARD_LOCAL_DIR: dataDir });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    const started = mode;
    return {
      mode,
      browser,
      dataDir,
      siteUrl: mode.outputs.websiteUrl!,
      apiUrl: mode.outputs.apiUrl!,
      signInUrl: mode.outputs.eventsSignInUrl ?? `http://127.0.0.1:${port + 3}`,
      async stop() {
        await browser.close();
        await stopLocalMode(started);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (mode) await stopLocalMode(mode);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
