/** `jane.doe@example.com` → `j***@example.com`: enough to tell people apart, not to mail them. */
export function maskEmail(email: string | undefined): string | undefined {
  if (!email) return undefined;
  const at = email.lastIndexOf("@");
  if (at < 1) return "***";
  return `${email[0]}***${email.slice(at)}`;
}

/**
 * Every email address in `text` masked as {@link maskEmail} does: `mail ann@example.com` →
 * `mail a***@example.com`. Log lines go through it (handlers/shared/observability.ts), so no
 * personal address reaches a log whoever wrote the line: a key, an error from SES, a URL.
 */
export function maskEmailsIn(text: string): string {
  // Built per call, not at module level: magic functions capture module values.
  return text.replace(/([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})/g, "$1***@$2");
}

/** A JSON.stringify replacer that masks the addresses in every string: the loggers' `jsonReplacerFn`. */
export const maskEmailsReplacer = (_key: string, value: unknown): unknown => (typeof value === "string" ? maskEmailsIn(value) : value);
