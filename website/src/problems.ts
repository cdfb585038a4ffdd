import { ApiError } from "./api";
import { fill, h } from "./dom";

/** `#/message` → `message`; `#/items/0/name` → `items › 0 › name`. */
const fieldName = (pointer: string) => pointer.replace(/^#\/?/, "").split("/").filter(Boolean).join(" › ") || "request";

/**
 * Shows an error in an alert region: the problem's `detail` and, for validation problems, one line
 * per field. Returns the pointers of the fields named, so a form can mark them invalid.
 */
export function showError(region: HTMLElement, error: unknown, prefix?: string): string[] {
  const problem = error instanceof ApiError ? error.problem : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const fields = problem?.errors ?? [];
  fill(
    region,
    h("p", {}, prefix ? `${prefix} ` : "", message),
    fields.length ? h("ul", {}, ...fields.map((f) => h("li", {}, h("strong", {}, fieldName(f.pointer)), `: ${f.detail}`))) : null,
  );
  return fields.map((f) => f.pointer);
}

export const clearError = (region: HTMLElement) => region.replaceChildren();
