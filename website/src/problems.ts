import { ApiError } from "./api";
import { fill, h } from "./dom";
import { FieldCheck, type FieldErrors } from "./field-errors";
import { sentences } from "./field-sentences";

/**
 * Shows an error. A validation problem's `errors[]` become one sentence per field: beside the
 * form's own fields when `fields` is given (focus goes to the first), in the alert region for the
 * rest. Its `detail` (a summary for developers, pointers and all) is not shown, since the sentences
 * say the same. A FieldCheck (the page's own) goes beside its field; any other error shows its
 * message in the region. Returns whether a field was marked.
 */
export function showError(region: HTMLElement, error: unknown, options: { prefix?: string; fields?: FieldErrors } = {}): boolean {
  const { prefix, fields } = options;
  clearError(region, fields);
  if (error instanceof FieldCheck && fields) {
    fields.say(error.field, error.message);
    return fields.focusFirst();
  }
  const problems = error instanceof ApiError ? (error.problem?.errors ?? []) : [];
  const lead = prefix ? `${prefix} ` : "";
  if (!problems.length) {
    fill(region, h("p", {}, lead, error instanceof Error ? error.message : String(error)));
    return false;
  }
  const rest = fields ? fields.show(problems) : sentences(problems);
  fill(region, ...rest.map((text, i) => h("p", {}, i === 0 ? lead : "", text)));
  return fields?.focusFirst() ?? false;
}

export const clearError = (region: HTMLElement, fields?: FieldErrors) => {
  region.replaceChildren();
  fields?.clear();
};
