// Email masking: the one helper the API's views and every log line use.
import test from "ava";
import { maskEmail, maskEmailsIn, maskEmailsReplacer } from "../../handlers/shared/mask";

test("maskEmailsIn masks every address in a text and leaves the rest", (t) => {
  t.is(maskEmailsIn("evt#ann.lee+x@mail.example.co.uk#invitation"), "evt#a***@mail.example.co.uk#invitation");
  t.is(maskEmailsIn("to ann@example.com, ben@example.org"), "to a***@example.com, b***@example.org");
  t.is(maskEmailsIn(maskEmailsIn("ann@example.com")), "a***@example.com", "masking twice changes nothing");
  t.is(maskEmailsIn("no address @ here, v1.2@3"), "no address @ here, v1.2@3");
  t.is(maskEmailsIn("ann@example.com"), maskEmail("ann@example.com")!);
});

test("the log replacer masks addresses in every string of a log item, errors included", (t) => {
  const error = new Error("SES refused ann@example.com");
  const item = { message: "notification sent", key: "e1#ben@example.com#reminder", nested: { to: ["cy@example.com"] }, count: 3, error: { message: error.message } };
  const text = JSON.stringify(item, maskEmailsReplacer);
  t.notRegex(text, /ann@|ben@|cy@/);
  for (const masked of ["a***@example.com", "b***@example.com", "c***@example.com"]) t.true(text.includes(masked), masked);
  t.regex(text, /"count":3/);
});
