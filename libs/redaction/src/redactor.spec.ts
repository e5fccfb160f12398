// Record-level redaction: which fields are touched and which are not, tool-call arguments that stay valid JSON,
// per-workload switches, custom detectors, and inputs that are never mutated.
import { parseLlmCall, type LlmCallLoggedV1 } from '@flywheel/contracts';
import { createRedactor } from './index';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const EMAIL = 'jane.roe@example.org';

function record(overrides: { workload_id?: string; args?: string } = {}): LlmCallLoggedV1 {
  return parseLlmCall(
    {
      log_id: 'log-jane.roe@example.org',
      workload_id: overrides.workload_id ?? 'agent.crm',
      client_id: 'crm-app',
      timestamp: 1767225600,
      request: {
        model: 'meta/llama-3.3-70b-instruct',
        messages: [
          { role: 'system', content: 'You help support agents. Escalations: escalate@example.com' },
          { role: 'user', content: [{ type: 'text', text: `I am ${EMAIL}, call me on +44 20 7946 0958.` }] },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_jane.roe@example.org',
                type: 'function',
                function: { name: 'lookup_customer', arguments: `{"email": "${EMAIL}"}` },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_jane.roe@example.org', content: '{"card": "4111 1111 1111 1111"}' },
        ],
        tools: [
          {
            type: 'function',
            function: {
              name: 'lookup_customer',
              description: 'Find a customer, e.g. support@example.com',
              parameters: { type: 'object', properties: { email: { type: 'string', default: 'x@example.com' } } },
            },
          },
        ],
      },
      response: {
        model: 'meta/llama-3.3-70b-instruct',
        choices: [
          {
            message: {
              role: 'assistant',
              content: `Done. I emailed ${EMAIL}.`,
              tool_calls: [
                {
                  id: 'c2',
                  type: 'function',
                  function: {
                    name: 'send_mail',
                    arguments:
                      overrides.args ??
                      `{"to": ["${EMAIL}"], "body": "Hi\\nyour number 555-123-4567", "api_key": "abc", ` +
                        `"card_on_file": 4111111111111111, "retries": 3, "ratio": 1.50, "id": 12345678901234567890}`,
                  },
                },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
      },
      feedback: { rating: 'thumbs_down', comment: `wrong person, I am not ${EMAIL}` },
    },
    { eventId: '00000000-0000-4000-8000-000000000001' },
  );
}

describe('redactRecord', () => {
  const redactor = createRedactor();

  it('redacts message contents, tool-call arguments and feedback, and counts each replacement', () => {
    const { record: out, counts } = redactor.redactRecord(record());
    const [system, user, assistant, tool] = out.request.messages;
    expect(system?.content).toBe('You help support agents. Escalations: <EMAIL>');
    expect(user?.content).toBe('I am <EMAIL>, call me on <PHONE>.');
    expect(assistant?.tool_calls[0]?.function.arguments).toBe('{"email": "<EMAIL>"}');
    expect(tool?.content).toBe('{"card": "<CREDIT_CARD>"}');
    const choice = out.response.choices[0]?.message;
    expect(choice?.content).toBe('Done. I emailed <EMAIL>.');
    expect(out.feedback?.comment).toBe('wrong person, I am not <EMAIL>');
    expect(counts).toEqual({ email: 6, phone: 2, credit_card: 2, secret: 1 });
    expect(choice?.tool_calls[0]?.function.arguments).toBe(
      '{"to": ["<EMAIL>"], "body": "Hi\\nyour number <PHONE>", "api_key": "<SECRET>", ' +
        '"card_on_file": "<CREDIT_CARD>", "retries": 3, "ratio": 1.50, "id": 12345678901234567890}',
    );
  });

  it('leaves ids, names, roles, models, tool names and argument keys alone', () => {
    const input = record({ args: `{"${EMAIL}": 1}` });
    const { record: out } = redactor.redactRecord(input);
    expect(out.log_id).toBe(input.log_id);
    expect(out.event_id).toBe(input.event_id);
    expect(out.workload_id).toBe(input.workload_id);
    expect(out.request.model).toBe(input.request.model);
    expect(out.request.messages.map((m) => [m.role, m.tool_call_id, m.tool_calls.map((c) => c.id)])).toEqual(
      input.request.messages.map((m) => [m.role, m.tool_call_id, m.tool_calls.map((c) => c.id)]),
    );
    expect(out.response.choices[0]?.message.tool_calls[0]?.function).toEqual({
      name: 'send_mail',
      arguments: `{"${EMAIL}": 1}`,
    });
    // Tool descriptions are the application's own text: left alone unless configured.
    expect(out.request.tools).toBe(input.request.tools);
  });

  it('keeps every tool-call argument string valid JSON with the same structure', () => {
    const tricky = [
      `{"q": "mail ${EMAIL} \\"quoted\\" \\u0041 \\\\ back"}`,
      `{"nested": {"list": [{"phone": "+1 (555) 123-4567"}, "${EMAIL}", 4111111111111111]}}`,
      `["${EMAIL}", "192.168.0.1", {"password": "hunter2"}]`,
      `"${EMAIL}"`,
      `{"token": "", "text": "a\\tb"}`,
    ];
    for (const args of tricky) {
      const out = redactor.redactRecord(record({ args })).record.response.choices[0]?.message.tool_calls[0]?.function
        .arguments;
      expect(out).toBeDefined();
      const parsed: unknown = JSON.parse(out ?? '');
      const shape = (v: unknown): unknown =>
        Array.isArray(v)
          ? v.map(shape)
          : typeof v === 'object' && v !== null
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]))
            : typeof v === 'number'
              ? 'number-or-string'
              : typeof v === 'string'
                ? 'number-or-string'
                : v;
      expect(shape(parsed)).toEqual(shape(JSON.parse(args)));
      expect(out).not.toContain(EMAIL);
    }
  });

  it('redacts invalid JSON arguments as plain text', () => {
    const out = redactor.redactRecord(record({ args: `{"to": "${EMAIL}", oops` })).record;
    expect(out.response.choices[0]?.message.tool_calls[0]?.function.arguments).toBe('{"to": "<EMAIL>", oops');
  });

  it('never mutates its input, even deeply frozen', () => {
    const input = deepFreeze(record());
    const before = JSON.stringify(input);
    const { record: out } = redactor.redactRecord(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(out).not.toBe(input);
    expect(out.request.messages[1]?.content).toBe('I am <EMAIL>, call me on <PHONE>.');
    expect(input.request.messages[1]?.content).toContain(EMAIL);
  });

  it('returns the very same record, and no counts, when there is nothing to redact', () => {
    const clean = record({ args: '{"city": "Paris"}' });
    const scrubbed = redactor.redactRecord(clean).record;
    const again = redactor.redactRecord(scrubbed);
    expect(again.record).toBe(scrubbed);
    expect(again.counts).toEqual({});
  });

  it('shares unchanged parts with the input', () => {
    const input = record();
    const { record: out } = redactor.redactRecord(input);
    expect(out.request.tools).toBe(input.request.tools);
    expect(out.response.usage).toBe(input.response.usage);
  });

  it('redacts tool descriptions and parameter values when configured, keeping parameters valid JSON', () => {
    const { record: out, counts } = createRedactor({ toolDescriptions: true }).redactRecord(record());
    const fn = out.request.tools[0]?.function;
    expect(fn?.description).toBe('Find a customer, e.g. <EMAIL>');
    expect(JSON.parse(fn?.parameters ?? '')).toEqual({
      type: 'object',
      properties: { email: { type: 'string', default: '<EMAIL>' } },
    });
    expect(counts.email).toBe(8);
  });
});

describe('per-workload settings', () => {
  const redactor = createRedactor({
    workloads: {
      'agent.internal': { enabled: false },
      'agent.support': { detectors: { phone: false } },
    },
  });

  it('skips a workload that is switched off and says so', () => {
    const input = record({ workload_id: 'agent.internal' });
    expect(redactor.enabledFor('agent.internal')).toBe(false);
    expect(redactor.redactRecord(input)).toEqual({ record: input, counts: {} });
    expect(redactor.redactText(EMAIL, 'agent.internal').text).toBe(EMAIL);
  });

  it('applies detector overrides to that workload only', () => {
    const text = `${EMAIL} 555-123-4567`;
    expect(redactor.redactText(text, 'agent.support').text).toBe('<EMAIL> 555-123-4567');
    expect(redactor.redactText(text, 'agent.other').text).toBe('<EMAIL> <PHONE>');
    expect(redactor.redactText(text).text).toBe('<EMAIL> <PHONE>');
  });

  it('can switch redaction on for one workload when it is off globally', () => {
    const optIn = createRedactor({ enabled: false, workloads: { 'agent.crm': { enabled: true } } });
    expect(optIn.enabledFor('agent.crm')).toBe(true);
    expect(optIn.enabledFor('agent.other')).toBe(false);
    expect(optIn.redactText(EMAIL).text).toBe(EMAIL);
    expect(optIn.redactRecord(record()).counts.email).toBe(6);
  });
});

describe('custom detectors', () => {
  const redactor = createRedactor({
    custom: [
      { name: 'employee_id', pattern: String.raw`\bEMP-\d{6}\b` },
      { name: 'ticket', pattern: 'tkt#[0-9]+', flags: 'i', replacement: '[TICKET]' },
    ],
    workloads: { 'agent.hr': { detectors: { employee_id: false } } },
  });

  it('replaces matches with <NAME> or the configured token and counts them by name', () => {
    expect(redactor.redactText('EMP-123456 opened TKT#42 and tkt#7')).toEqual({
      text: '<EMPLOYEE_ID> opened [TICKET] and [TICKET]',
      counts: { employee_id: 1, ticket: 2 },
    });
  });

  it('lists every detector name, built-in and custom', () => {
    expect(redactor.detectors).toEqual([
      'email',
      'phone',
      'credit_card',
      'ip_address',
      'secret',
      'employee_id',
      'ticket',
    ]);
  });

  it('can be switched off per workload', () => {
    expect(redactor.redactText('EMP-123456', 'agent.hr').text).toBe('EMP-123456');
  });

  it('keeps tool-call arguments valid JSON whatever the pattern matches', () => {
    const greedy = createRedactor({ custom: [{ name: 'word', pattern: '[a-z]+' }] });
    const out = greedy.redactRecord(record({ args: '{"to": "abc", "n": 1}' })).record;
    expect(JSON.parse(out.response.choices[0]?.message.tool_calls[0]?.function.arguments ?? '')).toEqual({
      to: '<WORD>',
      n: 1,
    });
  });
});
