// The shared text rule (handlers/shared/text.ts) over a corpus of hostile and friendly strings.
import test from "ava";
import { userText } from "../../handlers/shared/text";
import { FRIENDLY_TEXT, HOSTILE_TEXT } from "../fixtures/hostile-text";

const title = userText({ max: 20 });
const body = userText({ max: 20, multiline: true, trim: false });

for (const { name, text, problem } of HOSTILE_TEXT) {
  test(`refused: ${name}`, (t) => {
    for (const schema of [title, body]) {
      const result = schema.safeParse(text);
      t.false(result.success);
      t.regex(result.error!.issues.map((i) => i.message).join("; "), problem);
      t.is(result.error!.issues.length, 1, "one problem per field");
    }
  });
}

for (const { name, text, stored } of FRIENDLY_TEXT) {
  test(`accepted: ${name}`, (t) => {
    t.is(title.parse(text), stored);
  });
}

test("lines: a title is one line; a multiline field keeps LF and tab and stores CRLF as LF", (t) => {
  t.regex(title.safeParse("two\nlines").error!.issues[0]!.message, /one line.*U\+000A at 4/);
  t.regex(title.safeParse("tab\there").error!.issues[0]!.message, /one line/);
  t.is(body.parse("two\r\nlines\tand a tab"), "two\nlines\tand a tab");
});

test("length counts characters as a person does (an emoji is one), after NFC", (t) => {
  t.is(title.parse("🚀".repeat(20)), "🚀".repeat(20));
  t.regex(title.safeParse("x".repeat(21)).error!.issues[0]!.message, /at most 20 characters/);
  t.is(title.parse(`${"e\u0301".repeat(20)}`), "é".repeat(20), "40 code points typed, 20 characters stored");
});

test("trim: a title loses surrounding space, a message keeps it; optional text may be empty", (t) => {
  t.is(title.parse("  padded  "), "padded");
  t.is(body.parse("  padded  "), "  padded  ");
  t.is(userText({ max: 5, optional: true }).parse("   "), "");
});
