// The website's field sentences from the API's own validation problems: the details come from the
// real schemas through the real validate(), so a change in their wording fails here, not on a page.
import test from "ava";
import { eventSchemas } from "../../handlers/events/schemas";
import { messageSchemas } from "../../handlers/messages/schemas";
import { validate } from "../../handlers/shared/http";
import { HttpProblem } from "../../handlers/shared/problem";
import { byField, describe, sentences, type FieldProblem, type FieldWording } from "../../website/src/field-sentences";

/** The errors[] the API answers for this body. */
function problems(schema: Parameters<typeof validate>[0], body: unknown, where: "body" | "path" = "body"): FieldProblem[] {
  try {
    validate(schema, body, where);
  } catch (error) {
    if (error instanceof HttpProblem) return error.errors ?? [];
    throw error;
  }
  throw new Error("the body was valid");
}

/** Each field's sentence, by field, as a form shows them. */
const sentencesOf = (found: FieldProblem[], wordings: Record<string, FieldWording>) =>
  Object.fromEntries([...byField(found)].map(([field, group]) => [field, describe(group, wordings[field] ?? { noun: field })]));

const message: FieldWording = { noun: "a message", empty: "Write a message first." };

test("a message: blank, empty and too long each read as one sentence, without pointer or jargon", (t) => {
  const { NewMessage } = messageSchemas();
  const empty = problems(NewMessage, { message: "" });
  t.is(empty.length, 1, "the shared text rule gives one problem per field");
  t.deepEqual(sentencesOf(empty, { message }), { message: "Write a message first." });
  t.deepEqual(sentencesOf(problems(NewMessage, { message: "   " }), { message }), { message: "Write a message first." });
  t.deepEqual(sentencesOf(problems(NewMessage, { message: "x".repeat(1001) }), { message }), { message: "A message is at most 1,000 characters." });
  t.deepEqual(sentencesOf(problems(NewMessage, {}), { message }), { message: "Write a message first." });
});

test("an event: every field of a bad body gets its own sentence", (t) => {
  const { CreateEvent } = eventSchemas();
  const wordings: Record<string, FieldWording> = {
    title: { noun: "the title", empty: "Give the event a title." },
    description: { noun: "the description" },
    startsAt: { noun: "the start", invalid: "Choose a start date and time." },
    durationMinutes: { noun: "the duration", unit: "minutes" },
    visibility: { noun: "who can see the event" },
  };
  t.deepEqual(sentencesOf(problems(CreateEvent, { title: " ", description: "x".repeat(5001), startsAt: "", durationMinutes: 0, visibility: "everyone" }), wordings), {
    title: "Give the event a title.",
    description: "The description is at most 5,000 characters.",
    startsAt: "Choose a start date and time.",
    durationMinutes: "The duration is at least 5 minutes.",
    visibility: "Choose who can see the event.",
  });
  t.deepEqual(sentencesOf(problems(CreateEvent, { title: "x".repeat(201), startsAt: "2027-01-15T17:30:00Z", durationMinutes: 2000 }), wordings), {
    title: "The title is at most 200 characters.",
    durationMinutes: "The duration is at most 1,440 minutes.",
  });
  t.deepEqual(sentencesOf(problems(CreateEvent, { title: "x", startsAt: "2027-01-15T17:30:00Z", durationMinutes: 12.5 }), wordings), { durationMinutes: "The duration must be a whole number of minutes." });
  // A handler's own check reads as a predicate of the field.
  t.is(describe([{ pointer: "#/startsAt", detail: "must be in the future" }], wordings.startsAt!), "The start must be in the future.");
});

test("invitations: the bad addresses are named, once, in one sentence", (t) => {
  const { Invite } = eventSchemas();
  const sent = ["ada@example.com", "not-an-address", "grace@", "not-an-address"];
  const emails: FieldWording = {
    noun: "the addresses",
    empty: "Enter at least one email address.",
    items: "addresses",
    itemValue: (i) => sent[i],
    invalidItems: (values) => `${values.join(" and ")} ${values.length === 1 ? "is" : "are"} not email addresses`,
  };
  t.deepEqual(sentencesOf(problems(Invite, { emails: sent }), { emails }), { emails: "not-an-address and grace@ are not email addresses" });
  t.deepEqual(sentencesOf(problems(Invite, { emails: [] }), { emails }), { emails: "Enter at least one email address." });
  t.deepEqual(sentencesOf(problems(Invite, { emails: Array.from({ length: 51 }, (_, i) => `p${i}@example.com`) }), { emails }), { emails: "At most 50 addresses at a time." });
});

test("a media upload's limits read in MB; a path parameter is named without its pointer", (t) => {
  const { MediaUpload } = eventSchemas();
  const file: FieldWording = { noun: "the cover" };
  t.deepEqual(sentencesOf(problems(MediaUpload, { kind: "cover", contentType: "image/png", size: 6 * 1024 * 1024 }), { size: file }), { size: "A cover is at most 5 MB." });
  t.deepEqual(sentencesOf(problems(MediaUpload, { kind: "cover", contentType: "text/plain", size: 10 }), { contentType: file }), { contentType: "A cover must be image/jpeg, image/png, image/webp." });
  const path = problems(messageSchemas().PathParams, { id: "nope" }, "path");
  t.is(path[0]!.pointer, "#/path/id");
  t.deepEqual(sentences(path), ["The id is not valid."]);
});

test("problems no field shows (the whole body, an unknown field) still read as sentences without pointers", (t) => {
  const { UpdateEvent, NewMessage } = { ...eventSchemas(), ...messageSchemas() };
  t.deepEqual(sentences(problems(UpdateEvent, {})), ["Send at least one field to change."]);
  const unknown = sentences(problems(NewMessage, { message: "hi", colour: "red" }));
  t.deepEqual(unknown, ["The page sent something the API does not take: reload the page and try again."]);
});
