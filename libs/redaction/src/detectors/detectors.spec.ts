// Every built-in detector against tables of values it must replace and look-alikes it must leave alone. Each case
// runs with only that detector on, so a miss cannot hide behind another detector's hit.
import { createRedactor, type BuiltinDetectorName, BUILTIN_DETECTORS, DEFAULT_TOKENS } from '../index';

function only(name: BuiltinDetectorName) {
  return createRedactor({ detectors: Object.fromEntries(BUILTIN_DETECTORS.map((d) => [d, d === name])) });
}

interface Table {
  readonly detector: BuiltinDetectorName;
  /** [text, expected output]: the value must go, the words around it stay. */
  readonly positives: readonly (readonly [string, string])[];
  /** Texts that must come back unchanged. */
  readonly negatives: readonly string[];
}

const tables: readonly Table[] = [
  {
    detector: 'email',
    positives: [
      ['write to john.doe@example.com today', 'write to <EMAIL> today'],
      ['Mail: Jane_Roe+tag@mail.example.co.uk.', 'Mail: <EMAIL>.'],
      ['<a href="mailto:ops-team@corp.io">', '<a href="mailto:<EMAIL>">'],
      ['a@b.co and c.d@e-f.org', '<EMAIL> and <EMAIL>'],
      ['user123@sub.domain.travel', '<EMAIL>'],
      ['(x@example.com)', '(<EMAIL>)'],
    ],
    negatives: [
      'icon@2x.png and logo@1.5x.jpg',
      'user@localhost',
      'npm i @types/node @nestjs/core',
      'decorate with @Injectable() and @property',
      'pkg@1.2.3 is pinned',
      'email me @ noon',
      'a@b',
      'name@-bad-.com',
    ],
  },
  {
    detector: 'phone',
    positives: [
      ['call +1 (555) 123-4567 now', 'call <PHONE> now'],
      ['+44 20 7946 0958', '<PHONE>'],
      ['+4915112345678', '<PHONE>'],
      ['+33 1 23 45 67 89', '<PHONE>'],
      ['+91 98765 43210.', '<PHONE>.'],
      ['(555) 123-4567', '<PHONE>'],
      ['555-123-4567', '<PHONE>'],
      ['555.123.4567', '<PHONE>'],
      ['1-800-555-1234', '<PHONE>'],
      ['Tel. 030 12345678', 'Tel. <PHONE>'],
      ['020 7946 0958', '<PHONE>'],
      ['06 12 34 56 78', '<PHONE>'],
      ['phone: 5551234567', 'phone: <PHONE>'],
      ['Mobile number 07700900123', 'Mobile number <PHONE>'],
      ['tel=+15551234567', 'tel=<PHONE>'],
    ],
    negatives: [
      'timestamp 1767225600 or 1767225600000',
      'user id 7890 and order 12345678901',
      'call_666c93659359 and chatcmpl-e28c80ef2e54af93',
      'uuid 123e4567-e89b-12d3-a456-426614174000',
      'pi is 3.14159265358979 and e is 2.718281828',
      'version 10.0.19041.1234 and 1.2.3',
      'on 2026-01-15 at 10:30:45',
      '01/15/2024 and 15.01.2024',
      '16 - 3 - 4 = 9 eggs, 9 * 2 = 18',
      'total: 1,234,567.89 dollars',
      '+1 more',
      'x+1234567890',
      'ISBN 978-3-16-148410-0',
      'port 8080, 443 and 65535',
    ],
  },
  {
    detector: 'credit_card',
    positives: [
      ['card 4111 1111 1111 1111 exp 12/29', 'card <CREDIT_CARD> exp 12/29'],
      ['4111-1111-1111-1111', '<CREDIT_CARD>'],
      ['5500005555555559', '<CREDIT_CARD>'],
      ['amex 3782 822463 10005', 'amex <CREDIT_CARD>'],
      ['6011111111111117.', '<CREDIT_CARD>.'],
      ['diners 3056 930902 5904', 'diners <CREDIT_CARD>'],
    ],
    negatives: [
      '4111 1111 1111 1112',
      '1767225600000 and 1767225600000000',
      '4111 1111-1111 1111',
      '1234567890123',
      'order 0000000000000000',
      'id_4111111111111111',
      '41111111111111110000000',
      'version 4.111.1111.1111',
    ],
  },
  {
    detector: 'ip_address',
    positives: [
      ['from 192.168.1.10 via 10.0.0.1', 'from <IP_ADDRESS> via <IP_ADDRESS>'],
      ['host=8.8.8.8:53', 'host=<IP_ADDRESS>:53'],
      ['v6 2001:0db8:85a3:0000:0000:8a2e:0370:7334', 'v6 <IP_ADDRESS>'],
      ['at fe80::1ff:fe23:4567:890a.', 'at <IP_ADDRESS>.'],
      ['loopback ::1 and ::ffff:192.0.2.128', 'loopback <IP_ADDRESS> and <IP_ADDRESS>'],
      ['link fe80::1%eth0 up', 'link <IP_ADDRESS> up'],
      ['[2001:db8::8a2e:370:7334]:443', '[<IP_ADDRESS>]:443'],
    ],
    negatives: [
      'version 1.2.3.4',
      'v1.2.3.4',
      '256.1.1.1 and 1.2.3.4.5',
      '10:30:45 and 12:00',
      'mac 00:1A:2B:3C:4D:5E',
      'std::vector<int> and Foo::bar',
      'oid 1.3.6.1.4.1.311',
      'pi 3.14159',
    ],
  },
  {
    detector: 'secret',
    positives: [
      ['Authorization: Bearer abcDEF123456ghiJKL789', 'Authorization: Bearer <SECRET>'],
      ['Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic <SECRET>'],
      ['key sk-proj-Abc123Def456Ghi789Jkl012Mno', 'key <SECRET>'],
      ['sk-ant-api03-abcdefghij1234567890XYZ', '<SECRET>'],
      ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', '<SECRET>'],
      ['github_pat_11ABCDEFG0123456789_abcdefghijklmnop', '<SECRET>'],
      ['aws AKIAIOSFODNN7EXAMPLE key', 'aws <SECRET> key'],
      [
        'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
        'jwt <SECRET>',
      ],
      ['xoxb-123456789012-abcdefghij', '<SECRET>'],
      ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', '<SECRET>'],
      ['hf_abcdefghijklmnopqrstuvwxyzABCDEFGH', '<SECRET>'],
      ['api_key=abc123', 'api_key=<SECRET>'],
      ['OPENAI_API_KEY=whatever', 'OPENAI_API_KEY=<SECRET>'],
      ['?token=deadbeef&page=2', '?token=<SECRET>&page=2'],
      ['password: hunter2', 'password: <SECRET>'],
      ['{"password": "correct horse battery staple"}', '{"password": "<SECRET>"}'],
      ["client_secret='s3cr3t'", "client_secret='<SECRET>'"],
      ['x-api-key: 0123456789abcdef0123', 'x-api-key: <SECRET>'],
      ['https://admin:pa55word@db.example.com/x', 'https://admin:<SECRET>@db.example.com/x'],
      ['-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----', '<SECRET>'],
    ],
    negatives: [
      'the bearer of bad news',
      'Token limits apply; max_tokens=1024 and total_tokens: 42',
      'token = tokenizer.encode(text)',
      'password: must be 8 characters long',
      'password = None',
      'api_key=$OPENAI_API_KEY',
      'the secret: sharing',
      'task-management-system-for-teams',
      'basic knowledge of typescript',
      'sk-learn is a library',
      'secretary and tokenizer and keyword',
      'AKIA is not a key',
    ],
  },
];

describe.each(tables)('$detector detector', ({ detector, positives, negatives }) => {
  const redactor = only(detector);

  it.each(positives)('replaces the value in %j', (input, expected) => {
    const { text, counts } = redactor.redactText(input);
    expect(text).toBe(expected);
    const tokens = expected.split(DEFAULT_TOKENS[detector]).length - 1;
    expect(counts).toEqual({ [detector]: tokens });
  });

  it.each(negatives.map((n) => [n]))('leaves %j alone', (input) => {
    expect(redactor.redactText(input)).toEqual({ text: input, counts: {} });
  });
});

describe('all detectors together', () => {
  const redactor = createRedactor();

  it('redacts a mixed text with one count per replacement', () => {
    const { text, counts } = redactor.redactText(
      'I am jane@example.org, +1 555 123 4567, card 4111111111111111, ip 203.0.113.7, key sk-abcdefghijklmnop12345678',
    );
    expect(text).toBe('I am <EMAIL>, <PHONE>, card <CREDIT_CARD>, ip <IP_ADDRESS>, key <SECRET>');
    expect(counts).toEqual({ email: 1, phone: 1, credit_card: 1, ip_address: 1, secret: 1 });
  });

  it('is idempotent: redacting redacted text changes nothing', () => {
    const once = redactor.redactText('api_key="k3y-value" mail a@b.com, call 555-123-4567, host 10.1.2.3').text;
    expect(redactor.redactText(once)).toEqual({ text: once, counts: {} });
  });

  it('counts a URL password once (not also as an e-mail)', () => {
    expect(redactor.redactText('postgres://app:s3cret@db.internal.example.com:5432/app')).toEqual({
      text: 'postgres://app:<SECRET>@db.internal.example.com:5432/app',
      counts: { secret: 1 },
    });
  });
});
