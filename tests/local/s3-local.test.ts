// s3rver as local mode runs it: buckets and objects through the SDK client it hands out, an
// env-configured client the way handler code builds one, and a clean stop.
import test from "ava";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { useLocalAws } from "../../local/emulators/aws-env";
import { LocalSetupError } from "../../local/emulators/dynamodb-local";
import { startS3Local } from "../../local/emulators/s3-local";

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function readBody(client: S3Client, bucket: string, key: string): Promise<string> {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToString();
}

// Serial, so it runs before the useLocalAws test below sets AWS_REQUEST_CHECKSUM_CALCULATION for the
// whole process: this one proves the checksum setting of the client startS3Local hands out.
test.serial("objects round-trip through the client: put, list sorted, get, delete; stop closes the port and removes the temp folder", async (t) => {
  const s3 = await startS3Local();
  t.teardown(() => s3.stop());
  t.is(s3.endpoint, `http://127.0.0.1:${s3.port}`);
  t.true(existsSync(s3.directory));
  await s3.createBucket("uploads");
  await s3.createBucket("uploads"); // an existing bucket is left as is

  const objects: Record<string, string> = { "c.txt": "third", "a.txt": "first", "b/2.txt": "two", "b/10.txt": "ten" };
  for (const [key, body] of Object.entries(objects)) {
    // The newer SDK's default CRC32 checksum rides along with each of these uploads.
    await s3.client.send(new PutObjectCommand({ Bucket: "uploads", Key: key, Body: body, ContentType: "text/plain" }));
  }
  // A stream body is where the default checksum would switch to aws-chunked encoding.
  const streamed = "streamed body";
  await s3.client.send(new PutObjectCommand({ Bucket: "uploads", Key: "d.txt", Body: Readable.from([Buffer.from(streamed)]), ContentLength: streamed.length }));
  objects["d.txt"] = streamed;

  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: "uploads" }));
  t.deepEqual(
    listed.Contents?.map((o) => o.Key),
    ["a.txt", "b/10.txt", "b/2.txt", "c.txt", "d.txt"],
  );
  for (const { Key: key, Size: size } of listed.Contents ?? []) {
    const expected = objects[key!]!;
    t.is(size, Buffer.byteLength(expected), key);
    t.is(await readBody(s3.client, "uploads", key!), expected, key);
  }
  const prefixed = await s3.client.send(new ListObjectsV2Command({ Bucket: "uploads", Prefix: "b/" }));
  t.deepEqual(prefixed.Contents?.map((o) => o.Key), ["b/10.txt", "b/2.txt"]);

  await s3.client.send(new DeleteObjectCommand({ Bucket: "uploads", Key: "b/2.txt" }));
  const afterDelete = await s3.client.send(new ListObjectsV2Command({ Bucket: "uploads" }));
  t.deepEqual(afterDelete.Contents?.map((o) => o.Key), ["a.txt", "b/10.txt", "c.txt", "d.txt"]);

  t.true(await portIsOpen(s3.port));
  await s3.stop();
  await s3.stop(); // stopping twice is harmless
  t.false(await portIsOpen(s3.port));
  t.false(existsSync(s3.directory));
});

test("a client built from the environment, as handler code builds it, reaches s3rver after useLocalAws", async (t) => {
  const s3 = await startS3Local();
  t.teardown(() => s3.stop());
  await s3.createBucket("handler-bucket");
  useLocalAws({ dynamodb: "http://127.0.0.1:1", s3: s3.endpoint });

  const client = new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined });
  t.teardown(() => client.destroy());
  const body = "from a handler";
  await client.send(new PutObjectCommand({ Bucket: "handler-bucket", Key: "k", Body: Readable.from([Buffer.from(body)]), ContentLength: body.length }));
  t.is(await readBody(client, "handler-bucket", "k"), body);
});

test("a given directory keeps its objects after stop and serves them again", async (t) => {
  const directory = mkdtempSync(join(tmpdir(), "switchyard-s3-test-"));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));

  const first = await startS3Local({ directory });
  await first.createBucket("kept");
  await first.client.send(new PutObjectCommand({ Bucket: "kept", Key: "note", Body: "still here" }));
  await first.stop();
  t.deepEqual(readdirSync(directory), ["kept"]);

  const second = await startS3Local({ directory });
  t.teardown(() => second.stop());
  t.is(await readBody(second.client, "kept", "note"), "still here");
});

test("a taken port is reported as such", async (t) => {
  const s3 = await startS3Local();
  t.teardown(() => s3.stop());
  const error = await t.throwsAsync(startS3Local({ port: s3.port }), { instanceOf: LocalSetupError });
  t.is(error?.message, `Port ${s3.port} is already in use; stop what holds it or pick another port.`);
});
