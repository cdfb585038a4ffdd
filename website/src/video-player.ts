// An event's streamed video (issue #19): the poster with a Play button; pressing it plays the HLS
// stream natively where the browser can (Safari, iOS, recent Chrome), else through hls.js, which is
// imported only then (esbuild puts it in a chunk of its own: website/build.ts), so a page that is
// never played never loads it. "Processing" and "failed" (with Retry, for the organizer) as text.
import { h, isBusy, setBusy } from "./dom";
import type { VideoPlayback } from "./events-api";

/** The organizer's way to start the job again (POST /events/{id}/video/retry). */
export interface VideoRetry {
  retry(): Promise<void>;
}

const HLS_TYPE = "application/vnd.apple.mpegurl";

/** The video part of an event's page, or null when there is nothing to show this viewer. */
export function videoPart(title: string, video: VideoPlayback | null | undefined, organizer?: VideoRetry): HTMLElement | null {
  if (!video) return null;
  if (video.state === "processing") return h("p", { class: "video-state", id: "video-state", role: "status" }, "Processing the video…");
  if (video.state === "failed") return organizer ? failed(organizer) : null;
  if (!video.streamUrl) return null;
  return player(title, video.streamUrl, video.posterUrl);
}

function failed(organizer: VideoRetry): HTMLElement {
  const status = h("p", { class: "status", role: "status" });
  const retry = h("button", { type: "button", class: "secondary", id: "video-retry" }, "Retry");
  retry.addEventListener("click", async () => {
    if (isBusy(retry)) return;
    setBusy(retry, true);
    status.textContent = "Starting again…";
    try {
      await organizer.retry();
    } catch (error) {
      status.textContent = `The retry did not start: ${error instanceof Error ? error.message : String(error)}`;
      setBusy(retry, false);
    }
  });
  return h("div", { class: "video-state alert", id: "video-state", role: "alert" }, h("p", {}, "The video could not be processed."), h("div", { class: "actions" }, retry, status));
}

function player(title: string, streamUrl: string, posterUrl: string | null): HTMLElement {
  // crossorigin: Chromium's native HLS refuses segments from another origin than the playlist's
  // (the media bucket, not the API) unless every fetch is CORS; both allow the site's origins.
  const video = h("video", { class: "video", playsinline: true, preload: "none", crossorigin: "anonymous", "aria-label": `Video of ${title}`, ...(posterUrl ? { poster: posterUrl } : {}) });
  const play = h("button", { type: "button", class: "video-play", "aria-label": `Play the video of ${title}` }, "▶ Play");
  const status = h("p", { class: "status", role: "status" });
  const figure = h("figure", { class: "video-player", id: "video-player" }, video, play, status);
  play.addEventListener("click", async () => {
    if (isBusy(play)) return;
    setBusy(play, true, "Loading…");
    try {
      await start(video, streamUrl, figure);
      play.remove();
      video.controls = true;
      status.textContent = "";
    } catch (error) {
      setBusy(play, false, "▶ Play");
      status.textContent = error instanceof Error ? error.message : String(error);
    }
  });
  return figure;
}

/** Attaches the stream (natively or through hls.js) and starts playback. */
async function start(video: HTMLVideoElement, url: string, figure: HTMLElement): Promise<void> {
  if (video.canPlayType(HLS_TYPE) !== "") {
    figure.dataset.player = "native";
    video.src = url;
  } else {
    // The light build: no subtitles, alternate audio or DRM, which a transcoded upload has none of.
    const { default: Hls } = await import("hls.js/light").catch(() => {
      throw new Error("The player could not be loaded. Check your connection and try again.");
    });
    if (!Hls.isSupported()) throw new Error("This browser cannot play the video.");
    figure.dataset.player = "hls.js";
    // No worker: hls.js would start it from a blob: URL, which the site's CSP (worker-src 'self') refuses.
    const hls = new Hls({ enableWorker: false });
    await new Promise<void>((resolve, reject) => {
      hls.on(Hls.Events.MANIFEST_PARSED, () => resolve());
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        hls.destroy();
        reject(new Error(data.type === Hls.ErrorTypes.NETWORK_ERROR ? "The video could not be loaded: its link may have expired. Reload the page." : "The video could not be played."));
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    });
  }
  await video.play();
}
