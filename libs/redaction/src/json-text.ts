// Redaction inside a JSON text (tool-call arguments, tool parameter schemas) that keeps it valid JSON: only string
// values are touched, never keys; each changed string is re-encoded with JSON.stringify and spliced back, and every
// other byte stays as it was (big integers and number formatting included).

export interface JsonValueRedaction {
  /** The redacted form of a string value; `key` is the object key it is the direct value of, if any. */
  string(value: string, key: string | undefined): string;
  /** A JSON replacement for a bare number token (e.g. `"<CREDIT_CARD>"`), or undefined to keep it. */
  number(token: string): string | undefined;
}

function isWhitespace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69;
}

/** Index just after the closing quote of the string literal opening at `start`. */
function endOfString(json: string, start: number): number {
  let i = start + 1;
  while (i < json.length) {
    const c = json.charCodeAt(i);
    if (c === 92) i += 2;
    else if (c === 34) return i + 1;
    else i++;
  }
  return json.length;
}

function decode(literal: string): string {
  return literal.indexOf('\\') === -1 ? literal.slice(1, -1) : (JSON.parse(literal) as string);
}

/** The redacted JSON text (`json` itself when nothing changed), or null when `json` is not valid JSON. */
export function redactJsonText(json: string, redaction: JsonValueRedaction): string | null {
  try {
    JSON.parse(json);
  } catch {
    return null;
  }
  let out = '';
  let copied = 0;
  let lastKey: string | undefined;
  let afterColon = false;
  let i = 0;
  while (i < json.length) {
    const c = json.charCodeAt(i);
    if (c === 34) {
      const end = endOfString(json, i);
      let next = end;
      while (next < json.length && isWhitespace(json.charCodeAt(next))) next++;
      if (json.charCodeAt(next) === 58) {
        lastKey = decode(json.slice(i, end));
      } else {
        const value = decode(json.slice(i, end));
        const redacted = redaction.string(value, afterColon ? lastKey : undefined);
        if (redacted !== value) {
          out += json.slice(copied, i) + JSON.stringify(redacted);
          copied = end;
        }
      }
      afterColon = false;
      i = end;
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      let end = i + 1;
      while (end < json.length && isNumberChar(json.charCodeAt(end))) end++;
      const replacement = redaction.number(json.slice(i, end));
      if (replacement !== undefined) {
        out += json.slice(copied, i) + replacement;
        copied = end;
      }
      afterColon = false;
      i = end;
    } else {
      if (!isWhitespace(c)) afterColon = c === 58;
      i++;
    }
  }
  return copied === 0 ? json : out + json.slice(copied);
}
