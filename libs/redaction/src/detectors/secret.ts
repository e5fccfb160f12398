// API keys, tokens and passwords: well-known key formats (OpenAI/Anthropic `sk-…`, GitHub `ghp_…`/`github_pat_…`,
// AWS `AKIA…`, JWTs, Slack, Google, Stripe, Hugging Face, GitLab, npm, PEM private keys), credentials after an
// auth scheme (`Bearer …`, `Basic …`), passwords in URLs, and values assigned to secret-looking names
// (`api_key=…`, `"password": "…"`, `client_secret: …`). The name of an assignment is kept, only its value goes.
import { anyCase, type PatternRule } from './detector';

const PRIVATE_KEY = String.raw`-----BEGIN[A-Z ]{0,40}PRIVATE KEY-----[\s\S]*?-----END[A-Z ]{0,40}PRIVATE KEY-----`;

// No leading lookbehind (it slows the scan): a match glued to a word character before it is rejected in the replacer.
const KNOWN_FORMAT =
  '(?:' +
  [
    String.raw`sk-[A-Za-z0-9_-]{20,}`,
    String.raw`gh[pousr]_[A-Za-z0-9]{36,255}`,
    String.raw`github_pat_[A-Za-z0-9_]{22,255}`,
    String.raw`(?:AKIA|ASIA)[A-Z0-9]{16}`,
    String.raw`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`,
    String.raw`xox[abposr]-[A-Za-z0-9-]{10,}`,
    String.raw`AIza[0-9A-Za-z_-]{35}`,
    String.raw`[sr]k_(?:live|test)_[0-9A-Za-z]{16,}`,
    String.raw`hf_[A-Za-z0-9]{30,}`,
    String.raw`glpat-[A-Za-z0-9_-]{20,}`,
    String.raw`npm_[A-Za-z0-9]{36}`,
  ].join('|') +
  String.raw`)(?![A-Za-z0-9_-])`;

/**
 * False only when no KNOWN_FORMAT alternative can match: every one holds a '-' or '_' (sk-, gh?_, github_pat_, xox?-,
 * sk_/rk_, hf_, glpat-, npm_) or starts with AKIA, ASIA, AIza or eyJ (case-sensitive, as the regex). A few indexOf
 * calls instead of the alternation's scan over every text.
 */
export function knownFormatMayMatch(text: string): boolean {
  return (
    text.indexOf('-') !== -1 ||
    text.indexOf('_') !== -1 ||
    text.indexOf('eyJ') !== -1 ||
    text.indexOf('AKIA') !== -1 ||
    text.indexOf('ASIA') !== -1 ||
    text.indexOf('AIza') !== -1
  );
}

export const KNOWN_FORMAT_SOURCE = KNOWN_FORMAT;

// The scheme words alone, as a gate (see authSchemeMayMatch).
const AUTH_WORD = new RegExp(['bearer', 'basic', 'token'].map(anyCase).join('|'));

/**
 * False only when none of the scheme words appears, so AUTH_SCHEME cannot match. Its leading lookbehind keeps V8
 * from skipping ahead to a candidate, so the full regex costs a step at every position of every text.
 */
export function authSchemeMayMatch(text: string): boolean {
  return AUTH_WORD.test(text);
}

const AUTH_SCHEME =
  String.raw`(?<![A-Za-z0-9])(?<auth_scheme>${anyCase('bearer')}|${anyCase('basic')}|${anyCase('token')})` +
  String.raw`(?<auth_space>[ \t]+)(?<auth_value>[A-Za-z0-9._~+/-]{8,}=*)(?![A-Za-z0-9._~+/=-])`;

export const AUTH_SCHEME_SOURCE = AUTH_SCHEME;

// scheme://user:password@host — only the password goes.
const URL_PASSWORD = String.raw`(?<=\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{1,128}:)[^\s/@<>]{1,256}(?=@)`;

const SECRET_NAME = [
  String.raw`api[_-]?(?:key|secret|token)`,
  'apikey',
  String.raw`(?:secret[_-]?)?access[_-]?key`,
  String.raw`secret[_-]?key`,
  String.raw`private[_-]?key`,
  String.raw`client[_-]?secret`,
  String.raw`(?:access|auth|refresh|session|bearer|id)[_-]?token`,
  'secret',
  'token',
  String.raw`passw(?:or)?d`,
  'passphrase',
  'pwd',
  'credentials?',
  'auth',
].join('|');

// Starts at the `:`/`=` and looks behind for the name (about 5x faster than scanning for the names). Case-insensitive.
const ASSIGNMENT =
  String.raw`(?<asg_sep>[:=])(?<=(?<![A-Za-z0-9])(?:${SECRET_NAME})(?![A-Za-z0-9])["']?[ \t]*[:=])(?<asg_space>[ \t]*)` +
  String.raw`(?:"(?<asg_dq>[^"\n]{1,256})"|'(?<asg_sq>[^'\n]{1,256})'|(?<asg_bare>[^\s"'<>,;&]+))`;

// A value another detector (or a custom rule) already replaced.
const TOKEN = /^<[A-Z][A-Z0-9_]*>$/;
// Values that are code or references, not secrets: `token = tokenizer.encode(x)`, `password: null`, `key=$KEY`.
const NOT_A_VALUE = /^(?:null|none|nil|true|false|undefined|required|optional|string|str|\*+|x+)$/i;
const CODE_LIKE = /[()[\]{}]|^[$%]|^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;

function hasDigit(s: string): boolean {
  return /\d/.test(s);
}

function isAssignedSecret(separator: string, quoted: boolean, value: string): boolean {
  if (TOKEN.test(value) || NOT_A_VALUE.test(value) || CODE_LIKE.test(value)) return false;
  if (quoted || separator === '=') return true;
  // `key: value` is also prose ("password: must be 8 characters"): take only what looks generated.
  return (value.length >= 6 && hasDigit(value) && /[A-Za-z]/.test(value)) || value.length >= 16;
}

function isSchemeCredential(scheme: string, value: string): boolean {
  if (scheme.toLowerCase() === 'basic') {
    // Basic credentials are base64 of "user:password".
    const decoded = Buffer.from(value, 'base64').toString('latin1');
    return /^[\x20-\x7e]+:[\x20-\x7e]*$/.test(decoded);
  }
  return (hasDigit(value) && /[A-Za-z]/.test(value)) || value.length >= 24;
}

const WORD_BEFORE = /[A-Za-z0-9_-]/;

export const secretRules: readonly PatternRule[] = [
  {
    detector: 'secret',
    source: PRIVATE_KEY,
    mayMatch: (text) => text.indexOf('-----BEGIN') !== -1,
    replace: ({ token }) => token,
  },
  {
    detector: 'secret',
    source: KNOWN_FORMAT,
    minLength: 19,
    mayMatch: knownFormatMayMatch,
    replace: ({ match, offset, input, token }) => {
      if (offset > 0 && WORD_BEFORE.test(input.charAt(offset - 1))) return undefined;
      // Random base62 of 20+ characters all but always has a digit; hyphenated words after "sk-" do not.
      return !match.startsWith('sk-') || /\d/.test(match) ? token : undefined;
    },
  },
  {
    detector: 'secret',
    source: AUTH_SCHEME,
    minLength: 13,
    mayMatch: authSchemeMayMatch,
    replace: ({ groups, token }) => {
      const scheme = groups.auth_scheme ?? '';
      return isSchemeCredential(scheme, groups.auth_value ?? '')
        ? scheme + (groups.auth_space ?? ' ') + token
        : undefined;
    },
  },
  {
    detector: 'secret',
    source: URL_PASSWORD,
    flags: 'i',
    mayMatch: (text) => text.indexOf('://') !== -1,
    replace: ({ token }) => token,
  },
  {
    detector: 'secret',
    source: ASSIGNMENT,
    flags: 'i',
    minLength: 5,
    mayMatch: (text) => text.indexOf(':') !== -1 || text.indexOf('=') !== -1,
    replace: ({ groups, token }) => {
      const quote = groups.asg_dq !== undefined ? '"' : groups.asg_sq !== undefined ? "'" : '';
      const value = groups.asg_dq ?? groups.asg_sq ?? groups.asg_bare ?? '';
      if (!isAssignedSecret(groups.asg_sep ?? '=', quote !== '', value)) return undefined;
      return (groups.asg_sep ?? '=') + (groups.asg_space ?? '') + quote + token + quote;
    },
  },
];

// Object keys whose string value is a credential whatever it looks like: `password`, `apiKey`, `client_secret`,
// `x-api-key`, `access_token`. Compared without case, `_` and `-`, by suffix; `max_tokens` and `token_count` are not.
const SECRET_KEY_SUFFIXES = [
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'secretkey',
  'privatekey',
  'credential',
  'credentials',
  'authorization',
];

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[_\-\s.]/g, '');
  return SECRET_KEY_SUFFIXES.some((suffix) => k.endsWith(suffix));
}

/** True for a value a detector already replaced (so it is not counted twice). */
export function isToken(value: string): boolean {
  return TOKEN.test(value);
}
