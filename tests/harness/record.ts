/** What evaluate-stack.ts writes: one stack's resources as the mocked engine saw them. */
export interface RecordedArchive {
  /** The serialized closure Pulumi generated (`__index.js`). */
  index: string;
  /** Every other archive entry: path inside the upload → file or folder on disk. */
  files: Record<string, string>;
}

export interface RecordedResource {
  type: string;
  name: string;
  /** Its URN (parent type chain, type, name): a changed URN is a replacement on the next `pulumi up`. */
  urn?: string;
  /** Former URNs it answers to (Pulumi `aliases`, also those derived from its parent's): `pulumi up` moves these, replaces nothing. */
  aliases?: string[];
  /** The id the mock gave it (what other resources' inputs refer to). */
  id: string;
  inputs: Record<string, any>;
  state: Record<string, any>;
  /** The explicit provider's reference (`<urn>::<id>`), when the resource names one. */
  provider?: string;
  archive?: RecordedArchive;
}

export interface StackRecord {
  stack: string;
  region: string;
  outputs: Record<string, any>;
  resources: RecordedResource[];
}
