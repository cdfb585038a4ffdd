/** `jane.doe@example.com` → `j***@example.com`: enough to tell people apart, not to mail them. */
export function maskEmail(email: string | undefined): string | undefined {
  if (!email) return undefined;
  const at = email.lastIndexOf("@");
  if (at < 1) return "***";
  return `${email[0]}***${email.slice(at)}`;
}
