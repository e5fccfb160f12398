import { eventIdOf, headersToStrings } from './headers';

describe('eventIdOf', () => {
  it("reads the catalogue's event_id, so every flywheel record carries an event-id header", () => {
    expect(eventIdOf({ event_id: '6f1c', run_id: 'r' })).toBe('6f1c');
  });

  it('falls back to eventId, and to nothing for a missing, empty or non-string id', () => {
    expect(eventIdOf({ eventId: 'e1' })).toBe('e1');
    expect(eventIdOf({ event_id: '', eventId: 'e2' })).toBe('e2');
    expect(eventIdOf({ event_id: 7 })).toBeUndefined();
    expect(eventIdOf(null)).toBeUndefined();
    expect(eventIdOf('event_id')).toBeUndefined();
  });
});

describe('headersToStrings', () => {
  it('keeps the last value of a repeated header, as text', () => {
    expect(headersToStrings({ a: [Buffer.from('1'), Buffer.from('2')], b: 'x' })).toMatchObject({ a: '2', b: 'x' });
  });
});
