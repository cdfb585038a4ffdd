// Rewriting an HLS playlist for the stream route (video-stream.ts): playlists stay relative, so the
// player asks the route for them again (with the same token in the path); every other URI (media
// segments, fMP4 init sections, keys) becomes a presigned S3 GET. Pure: no I/O besides `presign`.

/** A playlist the route serves: one file name beside the master, nothing else (no folders, no `..`). */
export const PLAYLIST_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}(\.[A-Za-z0-9_-]{1,20})*\.m3u8$/;
/** A segment's relative path: segments of safe characters, none starting with a dot. */
const SEGMENT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}(\/[A-Za-z0-9][A-Za-z0-9_.-]{0,199}){0,3}$/;

/** A playlist that refers outside its rendition (or is no playlist): the pipeline's fault, never served. */
export class PlaylistError extends Error {}

/**
 * Rewrites `text` (an HLS playlist read from `prefix`): `presign(key)` gives the URL of the object
 * `key`. Throws PlaylistError where a URI is absolute, climbs out of the prefix or names a
 * playlist in another folder.
 */
export async function rewritePlaylist(text: string, prefix: string, presign: (key: string) => Promise<string>): Promise<string> {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== "#EXTM3U") throw new PlaylistError("not an HLS playlist (no #EXTM3U)");
  const rewrite = async (uri: string): Promise<string> => {
    if (uri.endsWith(".m3u8")) {
      if (!PLAYLIST_FILE_PATTERN.test(uri)) throw new PlaylistError(`playlist URI ${JSON.stringify(uri.slice(0, 80))} is not a file beside the master`);
      return uri;
    }
    if (!SEGMENT_PATTERN.test(uri) || uri.split("/").some((part) => part === "." || part === "..")) throw new PlaylistError(`URI ${JSON.stringify(uri.slice(0, 80))} is not a relative path inside the rendition`);
    return presign(`${prefix}${uri}`);
  };
  const out: string[] = [];
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === "") out.push(line);
    else if (trimmed.startsWith("#")) {
      // Tags with a URI attribute: EXT-X-MAP, EXT-X-MEDIA, EXT-X-I-FRAME-STREAM-INF, EXT-X-KEY, …
      const match = /URI="([^"]*)"/.exec(trimmed);
      out.push(match ? trimmed.replace(match[0], `URI="${await rewrite(match[1]!)}"`) : line);
    } else out.push(await rewrite(trimmed));
  }
  return out.join("\n");
}
