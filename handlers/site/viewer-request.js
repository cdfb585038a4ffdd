// CloudFront Function (cloudfront-js-2.0) on the website's default behaviour, at viewer request.
// The site is a single page: a path without a file extension (a client-side route such as
// /meetings/abc) is served index.html; real files, and missing ones, stay as asked, so a missing
// asset is a 404, not a page. No imports, no state: CloudFront runs this in a tiny sandbox.
function handler(event) {
  var request = event.request;
  var last = request.uri.split("/").pop();
  if (last === "" || last.indexOf(".") === -1) request.uri = "/index.html";
  return request;
}
