// Every preflight rule, in the order `npm run preflight` reports them.
import type { PreflightRule } from "../finding";
import { containerImages } from "./container-images";
import { websocketIntegrations } from "./websocket-integrations";

export const rules: PreflightRule[] = [websocketIntegrations, containerImages];
