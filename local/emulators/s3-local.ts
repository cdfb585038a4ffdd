// S3 for local mode: s3rver (an in-process S3 stand-in that keeps objects as files) on loopback.
// Handler code reaches it through `useLocalAws({ s3 })`; the SDK reads AWS_ENDPOINT_URL_S3 but has
// no environment variable for path-style addressing, so handler code must build its client as
// `new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined })`. (Against an
// IP-literal endpoint such as 127.0.0.1 the SDK falls back to path style by itself, but not against
// a host name like localhost, where it would ask for <bucket>.localhost.)
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BucketAlreadyExists, BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { LOCAL_CREDENTIALS, LocalSetupError } from "./dynamodb-local";

/** The part of s3rver's programmatic API used here (the package ships no types). */
interface S3rverApp {
  /** The request listener for `http.createServer`, as documented by s3rver. */
  callback(): RequestListener;
  /** s3rver emits an S3 event notification (`{ Records: [...] }`, as S3 shapes them) for each object created or deleted. */
  on(event: "event", listener: (notification: S3Notification) => void): void;
}

/** An S3 event notification as s3rver emits it (S3's documented shape, the parts read here). */
export interface S3Notification {
  Records: { eventSource: "aws:s3"; eventName: string; eventTime: string; s3: { bucket: { name: string }; object: { key: string; size?: number } } }[];
}
const S3rver: new (options: { silent: boolean; directory: string }) => S3rverApp = require("s3rver");

// s3rver does not verify SigV4 signatures but does look the access key up in its account registry,
// which only knows S3RVER/S3RVER: register the key every local client (and useLocalAws) signs with.
const s3rverAccounts: { DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void } } = require("s3rver/lib/models/account");
s3rverAccounts.DUMMY_ACCOUNT.createKeyPair(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey);

export interface S3Local {
  endpoint: string;
  port: number;
  /** Where objects are kept: the given directory, or a temporary one removed by stop(). */
  directory: string;
  /** Path-style, local credentials, checksums only when an operation requires them (s3rver cannot take streamed ones). */
  client: S3Client;
  /** Creates a bucket; an existing one is left as is, like createTable does for tables. */
  createBucket(name: string): Promise<void>;
  /**
   * Calls `listener` with S3's event notification for each object created or deleted (what a
   * bucket notification delivers). Only where this process runs s3rver: undefined when attached
   * to another process's.
   */
  onNotification?: (listener: (notification: S3Notification) => void) => void;
  stop(): Promise<void>;
}

export interface S3LocalOptions {
  /** Port to listen on; a free one the OS picks when omitted. */
  port?: number;
  /** Folder to keep buckets in (kept after stop); a temporary folder when omitted. */
  directory?: string;
}

/** Starts s3rver on loopback and resolves once it listens. */
export async function startS3Local(options: S3LocalOptions = {}): Promise<S3Local> {
  const ownDirectory = options.directory === undefined;
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), "switchyard-s3-"));
  const removeDirectory = () => {
    if (ownDirectory) rmSync(directory, { recursive: true, force: true });
  };
  process.once("exit", removeDirectory);

  // Served from an http.Server of our own rather than s3rver's run(): run() leaves a failed bind
  // (a taken port) as an unhandled 'error' event that kills the process instead of rejecting.
  // Port 0 lets the OS pick while binding, so no other process can take the port in between.
  const app = new S3rver({ silent: true, directory });
  const server = createServer(app.callback());
  try {
    await listen(server, options.port ?? 0);
  } catch (error) {
    process.removeListener("exit", removeDirectory);
    removeDirectory();
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new LocalSetupError(`Port ${options.port} is already in use; stop what holds it or pick another port.`);
    }
    throw error;
  }
  const { port } = server.address() as AddressInfo;

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localS3Client(endpoint);

  const createBucket = bucketCreator(client);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      process.removeListener("exit", removeDirectory);
      removeDirectory();
    })());

  const onNotification = (listener: (notification: S3Notification) => void) => app.on("event", listener);
  return { endpoint, port, directory, client, createBucket, onNotification, stop };
}

/** A client of a local S3 endpoint: path-style, local credentials, checksums only when an operation requires them. */
function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    // Newer SDKs add a CRC32 checksum to every upload. For a string or Buffer body it goes in a
    // header, which s3rver ignores; for a stream body the SDK switches to aws-chunked encoding with
    // a trailing checksum, which s3rver does not decode: it stores the chunk framing as the object.
    // WHEN_REQUIRED sends plain bodies; s3rver returns no checksums, so there is nothing to validate.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** Creates a bucket; an existing one is left as is. */
const bucketCreator = (client: S3Client) => async (name: string) => {
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    if (!(error instanceof BucketAlreadyExists || error instanceof BucketAlreadyOwnedByYou)) throw error;
  }
};

/** An s3rver another process runs (see local-data.ts): its client; stop() only lets go of it. */
export function attachS3Local(endpoint: string, directory: string): S3Local {
  const client = localS3Client(endpoint);
  return { endpoint, port: Number(new URL(endpoint).port), directory, client, createBucket: bucketCreator(client), stop: async () => client.destroy() };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
}
