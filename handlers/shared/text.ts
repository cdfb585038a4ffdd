import { z } from "zod";

/**
 * The one rule for text a person types that Switchyard stores and shows again (messages, event
 * titles and descriptions, searches): it flows into pages, mails and terminals, so it must be
 * Unicode that renders as what was typed.
 * - NFC: "e" + U+0301 and "é" are one string, compared and counted alike.
 * - Not blank in a Unicode sense: spaces of every script and invisible characters (U+200B zero
 *   width space, U+FEFF, U+2060 …) do not count as content.
 * - No control characters: C0 (NUL, BEL, ESC of ANSI sequences, …), DEL and C1 (U+0080–U+009F).
 *   A multiline field takes line feeds and tabs (CRLF is stored as LF).
 * - Well-formed: no lone surrogate (JSON's `\ud800` escapes can carry one).
 * Invalid UTF-8 bytes never get this far: `readJsonBody` refuses them (no silent U+FFFD).
 */
export interface TextRule {
  /** Most characters (after NFC). Example: `200`. */
  max: number;
  /** Line feeds and tabs allowed. Example: `true` for a description, `false` for a title. */
  multiline?: boolean;
  /** Surrounding whitespace removed before the checks (a title), or kept as typed (a message). Default `true`. */
  trim?: boolean;
  /** Empty (or blank) allowed: then it is stored as `""`. Default `false`. */
  optional?: boolean;
}

/** Where a control character is, for the message: `U+001B at 3`. */
function describeControl(text: string, pattern: RegExp): string {
  const index = text.search(pattern);
  return `U+${text.codePointAt(index)!.toString(16).toUpperCase().padStart(4, "0")} at ${index + 1}`;
}

/** A zod schema for one user text field under `rule`. Example: `userText({ max: 200 })` for a title. */
export function userText(rule: TextRule) {
  const trim = rule.trim ?? true;
  // Built here, not at module level: a magic function's closure captures module values (see messageSchemas).
  /** Characters that carry nothing visible: whitespace of every script and default-ignorable code points. */
  const BLANK = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}]*$/u;
  /** C0 controls, DEL and C1 controls, except line feed and tab (checked separately). */
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;
  const LINE_BREAK_OR_TAB = /[\n\t]/u;
  /** With the u flag a surrogate pair is one code point, so only a lone surrogate matches. */
  const LONE_SURROGATE = /\p{Cs}/u;
  return z
    .string()
    .transform((text) => {
      const lines = rule.multiline ? text.replace(/\r\n/g, "\n") : text;
      const normalized = lines.normalize("NFC");
      return trim ? normalized.trim() : normalized;
    })
    .superRefine((text, ctx) => {
      // One problem per field, the most basic first: it is what the person has to fix.
      const problem = (message: string) => ctx.addIssue({ code: "custom", message });
      if (LONE_SURROGATE.test(text)) return problem("must be valid Unicode text (it holds a lone surrogate)");
      if (CONTROL.test(text)) return problem(`must not contain control characters (${describeControl(text, CONTROL)})`);
      if (!rule.multiline && LINE_BREAK_OR_TAB.test(text)) return problem(`must be one line, without line breaks or tabs (${describeControl(text, LINE_BREAK_OR_TAB)})`);
      if (!rule.optional && BLANK.test(text)) return problem("must not be blank");
      // Counted in code points, as a person counts characters (an emoji is one).
      if ([...text].length > rule.max) return problem(`must be at most ${rule.max} characters`);
    })
    .meta({ maxLength: rule.max, ...(rule.optional ? {} : { minLength: 1 }) });
}
