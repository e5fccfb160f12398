// Names of the built-in detectors (also their keys in counts and metrics) and their default replacement tokens.
// Tokens are plain ASCII without quotes or backslashes, so they can replace text inside JSON strings, and carry the
// kind of value removed, so redacted text still reads naturally for training ("mail <EMAIL> or call <PHONE>").

export const BUILTIN_DETECTORS = ['email', 'phone', 'credit_card', 'ip_address', 'secret'] as const;
export type BuiltinDetectorName = (typeof BUILTIN_DETECTORS)[number];

export const DEFAULT_TOKENS: Readonly<Record<BuiltinDetectorName, string>> = {
  email: '<EMAIL>',
  phone: '<PHONE>',
  credit_card: '<CREDIT_CARD>',
  ip_address: '<IP_ADDRESS>',
  secret: '<SECRET>',
};
