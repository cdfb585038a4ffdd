/** Structured logs and EMF metrics: every handler loads these. */
export const POWERTOOLS_PACKAGES = ["@aws-lambda-powertools/logger", "@aws-lambda-powertools/metrics"];
/** The packages most handlers load; AWS SDK v3 clients are left out because the runtime ships them. */
export const DEFAULT_RUNTIME_PACKAGES = ["zod", ...POWERTOOLS_PACKAGES];
