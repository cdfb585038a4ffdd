// Checks the website's browser tests make on a page as a person sees it: an error sentence beside
// its field (once, tied to the field), elements sharing a row, an image centred in its frame, and
// no sideways scrolling. Each returns what is wrong (empty when all is well), so a failure says why.
import type { Locator, Page } from "playwright-core";

// Callbacks passed to evaluate run in Chromium; the repo's Node typings have no DOM.
declare const document: any;

/** How far below its field an error may start and still read as beside it (about two lines). */
const BESIDE_PX = 48;

/**
 * `sentence` shows exactly once on the page, right under `control` (or the row it shares with a
 * button), named by the control's aria-describedby, the control marked invalid; and nothing on the
 * page shows a JSON pointer or the API's developer summary.
 */
export async function fieldErrorProblems(page: Page, control: Locator, sentence: string): Promise<string[]> {
  const problems: string[] = [];
  const pageText: string = await page.evaluate(() => document.body.innerText);
  const times = pageText.split(sentence).length - 1;
  if (times !== 1) problems.push(`"${sentence}" shows ${times} times`);
  if (/#\/|problem\(s\)/.test(pageText)) problems.push(`the page shows the API's jargon: ${pageText.match(/.*(#\/|problem\(s\)).*/)?.[0]}`);
  const error = page.getByText(sentence, { exact: true });
  if ((await error.count()) !== 1) return [...problems, `no single element says "${sentence}"`];
  const id = await error.getAttribute("id");
  const describedBy = (await control.getAttribute("aria-describedby"))?.split(" ") ?? [];
  if (!id || !describedBy.includes(id)) problems.push(`the field's aria-describedby (${describedBy.join(" ")}) does not name the error (${id})`);
  if ((await control.getAttribute("aria-invalid")) !== "true") problems.push("the field is not marked aria-invalid");
  const [field, text] = [await control.boundingBox(), await error.boundingBox()];
  if (!field || !text) return [...problems, "the field or its error is not visible"];
  const below = text.y - (field.y + field.height);
  if (below < 0 || below > BESIDE_PX) problems.push(`the error starts ${Math.round(below)} px below the field`);
  if (text.x + text.width < field.x || text.x > field.x + field.width) problems.push("the error is not under the field");
  return problems;
}

/** The elements whose top differs from the first one's (by more than a pixel). */
export async function offTheFirstRow(locator: Locator): Promise<string[]> {
  const boxes: { text: string; top: number }[] = await locator.evaluateAll((els: any[]) => els.map((el) => ({ text: el.textContent.trim(), top: el.getBoundingClientRect().top })));
  return boxes.filter((b) => Math.abs(b.top - boxes[0]!.top) > 1).map((b) => `${b.text} at ${Math.round(b.top)} px, not ${Math.round(boxes[0]!.top)} px`);
}

/** How far the centre of `inner` is from the centre of `frame`, in px, across and down. */
export async function offCentre(inner: Locator, frame: Locator): Promise<{ across: number; down: number }> {
  const [a, b] = [await inner.boundingBox(), await frame.boundingBox()];
  if (!a || !b) throw new Error("the image or its frame is not visible");
  return { across: Math.abs(a.x + a.width / 2 - (b.x + b.width / 2)), down: Math.abs(a.y + a.height / 2 - (b.y + b.height / 2)) };
}

/** Content wider than the viewport, in px (0 when the page does not scroll sideways). */
export async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth);
}
