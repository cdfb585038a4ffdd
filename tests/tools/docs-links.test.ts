// The README is a front door to docs/: every relative link in it and in docs/*.md leads to a file
// that exists and, with an anchor, to a heading that file has (GitHub's heading slugs).
import test from "ava";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { ROOT } from "../harness/stacks";

const DOCS = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f))];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

/** A Markdown file's text without its fenced code blocks (a `#` comment there is no heading). */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, "");

const anchorsOf = (file: string) => new Set([...prose(readFileSync(file, "utf8")).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!.trim())));

test("every relative link in the README and docs/ leads to an existing file and heading", (t) => {
  let checked = 0;
  for (const doc of DOCS) {
    const text = prose(readFileSync(join(ROOT, doc), "utf8"));
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, anchor] = target!.split("#") as [string, string | undefined];
      const file = path ? join(ROOT, dirname(doc), path) : join(ROOT, doc);
      t.true(existsSync(file), `${doc}: ${target} (no ${relative(ROOT, file)})`);
      if (anchor && file.endsWith(".md") && existsSync(file)) t.true(anchorsOf(file).has(anchor), `${doc}: ${target} (no heading #${anchor})`);
      checked++;
    }
  }
  t.true(checked > 20, `${checked} links checked`);
});

test("the README stays a front door: the two commands first, a tour, and each reference page linked", (t) => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
  t.regex(firstBlock, /^npm ci && npm start/m);
  t.regex(firstBlock, /^npm ci && npm test/m);
  t.regex(readme, /^## A tour$/m);
  for (const doc of DOCS.filter((d) => d.startsWith("docs/"))) t.true(readme.includes(`](${doc})`), `README links ${doc}`);
  t.true(readme.split("\n").length < 250, "the reference lives in docs/, not in the README");
});
