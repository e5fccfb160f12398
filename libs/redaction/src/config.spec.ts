import { createRedactor, parseRedactionConfig, RedactionConfigError } from './index';

function issuesOf(input: unknown): string[] {
  try {
    parseRedactionConfig(input);
  } catch (err) {
    if (err instanceof RedactionConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('redaction config', () => {
  it('turns every built-in detector on by default, with the standard tokens', () => {
    const config = parseRedactionConfig({});
    expect(config.enabled).toBe(true);
    expect(config.toolDescriptions).toBe(false);
    expect(config.detectors).toEqual({
      email: { enabled: true, replacement: '<EMAIL>' },
      phone: { enabled: true, replacement: '<PHONE>' },
      credit_card: { enabled: true, replacement: '<CREDIT_CARD>' },
      ip_address: { enabled: true, replacement: '<IP_ADDRESS>' },
      secret: { enabled: true, replacement: '<SECRET>' },
    });
    expect(parseRedactionConfig(undefined)).toEqual(config);
  });

  it('accepts its own output (a parsed config can be passed on)', () => {
    const config = parseRedactionConfig({ custom: [{ name: 'pin', pattern: String.raw`\d{4}` }] });
    expect(parseRedactionConfig(config)).toEqual(config);
  });

  it('takes a detector as a boolean or with its own token', () => {
    const redactor = createRedactor({ detectors: { phone: false, email: { replacement: '[email]' } } });
    expect(redactor.redactText('a@b.com 555-123-4567').text).toBe('[email] 555-123-4567');
  });

  it('names the field of an invalid custom regex', () => {
    expect(
      issuesOf({
        custom: [
          { name: 'ok', pattern: 'x' },
          { name: 'bad', pattern: '(unclosed' },
        ],
      }),
    ).toEqual([expect.stringMatching(/^custom\.1\.pattern: invalid regular expression: .*Unterminated group/)]);
  });

  it('lists every problem at once', () => {
    expect(
      issuesOf({
        detectors: { emial: true },
        custom: [
          { name: 'Bad Name', pattern: 'a*' },
          { name: 'email', pattern: 'x', flags: 'gx' },
          { name: 'quote', pattern: 'q', replacement: '<"Q">' },
          { name: 'dup', pattern: 'd' },
          { name: 'dup', pattern: 'e' },
        ],
        workloads: { w1: { detectors: { nope: false } } },
        extra: 1,
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^detectors: Unrecognized key\(s\) in object: 'emial'/),
        expect.stringMatching(/^custom\.0\.name: name must be lower_snake_case/),
        'custom.0.pattern: pattern matches the empty string',
        'custom.1.name: name is taken by a built-in detector',
        'custom.1.flags: flags may only contain i, m, s, u (g is implied)',
        expect.stringMatching(/^custom\.2\.replacement: replacement must not contain quotes/),
        "custom.4.name: duplicate detector name 'dup'",
        expect.stringMatching(/^workloads\.w1\.detectors\.nope: no detector named 'nope'/),
        expect.stringMatching(/^\(root\): Unrecognized key\(s\) in object: 'extra'/),
      ]),
    );
  });

  it('refuses tokens that would break a JSON string', () => {
    for (const replacement of ['a\\b', 'line\nbreak', '"', '\u0007']) {
      expect(issuesOf({ detectors: { email: { replacement } } })).toHaveLength(1);
    }
  });

  it('is thrown by createRedactor too', () => {
    expect(() => createRedactor({ custom: [{ name: 'x', pattern: '[' }] })).toThrow(RedactionConfigError);
    expect(() => createRedactor({ custom: [{ name: 'x', pattern: '[' }] })).toThrow(/custom\.0\.pattern/);
  });
});
