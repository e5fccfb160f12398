/** Rough token count (≈ 4 characters a token), enough for plausible usage figures. */
export function approxTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
