// Errors beside the fields they are about: each field's one sentence (field-sentences.ts) right
// after its control, once, never the API's pointer.
import { byField, describe, genericWording, type FieldProblem, type FieldWording } from "./field-sentences";

/** A field's wording and the control its sentence sits beside. */
export interface FieldSpec extends FieldWording {
  control: HTMLElement;
}

/**
 * A form's fields: shows each field's sentence right after its control (tied to it with
 * aria-describedby, the control marked aria-invalid) and clears them all again.
 */
export class FieldErrors {
  private readonly shown = new Map<HTMLElement, HTMLElement>();

  constructor(private readonly specs: Record<string, FieldSpec>) {}

  /** Shows the problems about this form's fields; returns the sentences about anything else. */
  show(problems: FieldProblem[]): string[] {
    this.clear();
    const rest: string[] = [];
    for (const [field, group] of byField(problems)) {
      const spec = this.specs[field];
      if (spec) this.say(field, describe(group, spec));
      else rest.push(describe(group, genericWording(field)));
    }
    return rest;
  }

  /** Shows one sentence beside a field (the page's own checks, before any request). */
  say(field: string, text: string): void {
    const control = this.specs[field]!.control;
    let el = this.shown.get(control);
    if (!el) {
      el = document.createElement("p");
      el.className = "field-error";
      el.id = `${control.id}-error`;
      // After the control's row when it shares one with a button (the lookup), else the control.
      const anchor = control.parentElement?.classList.contains("inline") ? control.parentElement : control;
      anchor.after(el);
      this.shown.set(control, el);
      control.setAttribute("aria-describedby", [el.id, ...(control.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean)].join(" "));
    }
    el.textContent = text;
    control.setAttribute("aria-invalid", "true");
  }

  /** Focuses the first field with an error (in the form's order); false when none has one. */
  focusFirst(): boolean {
    const first = Object.values(this.specs).find((s) => this.shown.has(s.control));
    first?.control.focus();
    return first !== undefined;
  }

  clear(): void {
    for (const [control, el] of this.shown) {
      el.remove();
      control.removeAttribute("aria-invalid");
      const rest = (control.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id && id !== el.id);
      if (rest.length) control.setAttribute("aria-describedby", rest.join(" "));
      else control.removeAttribute("aria-describedby");
    }
    this.shown.clear();
  }
}

/** The page's own check of a field, before any request: shown beside the field like the API's. */
export class FieldCheck extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
