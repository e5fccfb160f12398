// The shared path to the store: stable ids and event ids per source, timestamps in millis, redaction applied and
// counted before anything else sees the record.
import { testing, Topics } from '@flywheel/contracts';
import { createRedactor } from '@flywheel/redaction';
import { ServiceMetrics } from '@flywheel/service-kit';
import { IngesterMetrics } from '../metrics/ingester-metrics';
import { RecordIntake } from './record-intake';

const JSON_TOPIC = 'flywheel.log.llm-call-json.v1';

function intake() {
  const service = new ServiceMetrics({ serviceName: 'test', defaultMetrics: false });
  const metrics = new IngesterMetrics(service);
  return { intake: new RecordIntake(createRedactor({}), metrics, 1024 * 1024), service };
}

const line = (extra: Record<string, unknown> = {}): Buffer =>
  Buffer.from(
    JSON.stringify({
      workload_id: 'agent.support',
      client_id: 'helpdesk',
      timestamp: '2026-01-01T12:00:00Z',
      request: { model: 'm', messages: [{ role: 'user', content: 'Mail me at jane.doe@example.com please' }] },
      response: { choices: [{ message: { role: 'assistant', content: 'Sure.' } }] },
      ...extra,
    }),
  );

describe('RecordIntake', () => {
  it('should key a JSON-topic record by its topic position when it has no log_id, stably', () => {
    const { intake: i } = intake();
    const position = { topic: JSON_TOPIC, partition: 2, offset: '41' };
    const first = i.fromJsonRecord(line(), position);
    const again = i.fromJsonRecord(line(), position);
    if (!first.ok || !again.ok) throw new Error('expected a record');
    expect(first.entry.id).toBe(`${JSON_TOPIC}-2-41`);
    expect(first.entry.source).toBe(`kafka:${JSON_TOPIC}:2:41`);
    expect(again.entry.record).toEqual(first.entry.record); // the event id is derived, not random
    expect(first.entry.record.event_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(first.entry.record.timestamp).toBe(Date.UTC(2026, 0, 1, 12)); // ISO → epoch millis
  });

  it('should prefer the producer’s log_id, on every source', () => {
    const { intake: i } = intake();
    const kafka = i.fromJsonRecord(line({ log_id: 'call-7' }), { topic: JSON_TOPIC, partition: 0, offset: '1' });
    const http = i.fromHttpLine(line({ log_id: 'call-7' }));
    expect(kafka.ok && kafka.entry.id).toBe('call-7');
    expect(http.ok && http.entry.id).toBe('call-7');
  });

  it('should key an HTTP line without log_id by its content, so a retried request is recognised', () => {
    const { intake: i } = intake();
    const a = i.fromHttpLine(line());
    const b = i.fromHttpLine(line());
    const other = i.fromHttpLine(line({ timestamp: 1767225601 }));
    if (!a.ok || !b.ok || !other.ok) throw new Error('expected records');
    expect(a.entry.id).toMatch(/^http-[0-9a-f]{40}$/);
    expect(b.entry.id).toBe(a.entry.id);
    expect(other.entry.id).not.toBe(a.entry.id);
    expect(other.entry.record.timestamp).toBe(1767225601000); // epoch seconds → millis
  });

  it('should key an Avro record by log_id, else its event_id', () => {
    const { intake: i } = intake();
    const sample = testing.sampleEvents[Topics.llmCallLoggedV1];
    const position = { topic: Topics.llmCallLoggedV1, partition: 0, offset: '9' };
    expect(i.fromEvent(sample, position, 100).id).toBe(sample.event_id);
    expect(i.fromEvent({ ...sample, log_id: 'app-1' }, position, 100).id).toBe('app-1');
  });

  it('should redact before anything is stored and count the redactions per detector', async () => {
    const { intake: i, service } = intake();
    const result = i.fromHttpLine(line());
    if (!result.ok) throw new Error('expected a record');
    expect(result.entry.record.request.messages[0]?.content).toBe('Mail me at <EMAIL> please');
    expect(await service.text()).toContain('flywheel_pii_redactions_total{detector="email",service="test"} 1');
  });
});
