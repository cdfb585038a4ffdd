import { secret, setting } from "../shared/function-definition";

/**
 * What a function that shows events needs to hand out a ready video's stream URL (video-playback.ts):
 * the API it points at and the key that signs it. The events' views and GraphQL's spread it into
 * their environment; one definition, so every reader of `video.streamUrl` signs it alike.
 */
export const streamUrlEnv = {
  API_URL: setting("apiUrl", "text", { about: "The HTTP API's base URL: where a video's stream URL points" }),
  VIDEO_STREAM_KEY: secret("videoStreamKey"),
};
