import cf from "cloudfront";

// CloudFront Function (cloudfront-js-2.0) on the website's pages, at viewer response: adds the
// Content-Security-Policy. The origins the page may connect to (the HTTP API and the live
// WebSocket) are read from the distribution's KeyValueStore, key "connect-src", which the stack
// writes after creating the APIs: the API's CORS needs the site's address and the CSP needs the
// API's, so one of the two has to be written after both exist, and a KeyValueStore entry can be.
// Other security headers come from the response headers policy.
const kvs = cf.kvs();

async function handler(event) {
  var response = event.response;
  var connect = "";
  var media;
  try {
    connect = await kvs.get("connect-src");
  } catch (e) {
    // No entry yet (first deploy in progress): the page may talk to its own origin only.
  }
  try {
    // Where event covers and videos are served from (presigned S3 URLs, and the API's stream
    // playlists); absent: own origin only. blob: is the video player's MediaSource (hls.js).
    media = await kvs.get("media-src");
  } catch (e) {
    media = "";
  }
  response.headers["content-security-policy"] = {
    value:
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:" + (media ? " " + media : "") + "; " +
      "media-src 'self' blob:" + (media ? " " + media : "") + "; font-src 'self'; " +
      "connect-src 'self'" + (connect ? " " + connect : "") + "; " +
      "base-uri 'none'; form-action 'self'; object-src 'none'; frame-ancestors 'none'; upgrade-insecure-requests",
  };
  return response;
}
