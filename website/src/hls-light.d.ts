// hls.js's light build (`hls.js/light`) has the full build's API minus features; its package
// exports it without types, so it takes the full build's.
declare module "hls.js/light" {
  export { default } from "hls.js";
}
