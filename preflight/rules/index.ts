// Every preflight rule, in the order `npm run preflight` reports them.
import type { PreflightRule } from "../finding";
import { containerImages } from "./container-images";
import { deployRole } from "./deploy-role";
import { fieldConstraints } from "./field-constraints";
import { websocketIntegrations } from "./websocket-integrations";

export const rules: PreflightRule[] = [fieldConstraints, deployRole, websocketIntegrations, containerImages];
