/**
 * The content types an upload may have, per kind: the API's one list (schemas.ts's MEDIA_LIMITS)
 * and the website's file pickers read it. Zod-free, so the site can import it. Video: MP4, WebM and
 * MOV (QuickTime, what phones record); the pipeline transcodes each into HLS (video/transcode-job.ts).
 */
export const MEDIA_CONTENT_TYPES = {
  cover: ["image/jpeg", "image/png", "image/webp"],
  video: ["video/mp4", "video/webm", "video/quicktime"],
} as const;
