import { DlqHeader, buildDeadLetter, dlqTopicFor, type InboundRecord } from './dead-letter';

const record: InboundRecord = {
  topic: 'test.order-placed.v1',
  partition: 2,
  offset: '41',
  key: Buffer.from('order-7'),
  value: Buffer.from([0, 0, 0, 0, 9, 1, 2, 3]),
  headers: {
    'event-type': Buffer.from('test.order-placed.v1'),
    traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
    'dlq-reason': Buffer.from('stale from an earlier trip'),
  },
};

describe('dead letters', () => {
  it('should name the DLQ topic after the consumer group', () => {
    expect(dlqTopicFor('dataset-builder')).toBe('dataset-builder.dlq');
  });

  it('should keep the original bytes, key and headers and add the dlq-* headers', () => {
    const sut = buildDeadLetter({
      groupId: 'orders',
      record,
      reason: 'retries-exhausted',
      error: 'gave up after 5 attempts',
      attempts: 5,
      schemaId: 9,
      failedAt: new Date('2025-01-02T03:04:05.000Z'),
    });
    expect(sut.topic).toBe('orders.dlq');
    expect(sut.value).toBe(record.value);
    expect(sut.key).toBe(record.key);
    expect(sut.headers).toEqual({
      'event-type': record.headers['event-type'],
      traceparent: record.headers.traceparent,
      [DlqHeader.reason]: 'retries-exhausted',
      [DlqHeader.error]: 'gave up after 5 attempts',
      [DlqHeader.attempts]: '5',
      [DlqHeader.sourceTopic]: 'test.order-placed.v1',
      [DlqHeader.sourcePartition]: '2',
      [DlqHeader.sourceOffset]: '41',
      [DlqHeader.schemaId]: '9',
      [DlqHeader.failedAt]: '2025-01-02T03:04:05.000Z',
      [DlqHeader.consumerGroup]: 'orders',
    });
    expect(sut.source).toEqual({ topic: 'test.order-placed.v1', partition: 2, offset: '41' });
  });

  it('should leave out dlq-schema-id when the schema id is unknown, and cap long errors', () => {
    const sut = buildDeadLetter({
      groupId: 'orders',
      record: { ...record, value: null },
      reason: 'decode:magic',
      error: 'x'.repeat(5000),
      attempts: 0,
      failedAt: new Date(0),
    });
    expect(sut.headers[DlqHeader.schemaId]).toBeUndefined();
    expect(sut.headers[DlqHeader.attempts]).toBe('0');
    expect(sut.error.length).toBeLessThan(2100);
    expect(sut.value).toBeNull();
  });
});
