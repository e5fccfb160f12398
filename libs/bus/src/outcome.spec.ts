import { HandlerTimeoutError, NonRetriableError } from './errors';
import { Outcome, isFinal } from './outcome';

describe('Outcome', () => {
  it('should build each explicit outcome', () => {
    expect(Outcome.processed()).toEqual({ kind: 'processed' });
    expect(Outcome.skipped('already done')).toEqual({ kind: 'skipped', reason: 'already done' });
    expect(Outcome.retryLater('store busy')).toMatchObject({ kind: 'retry-later', reason: 'store busy' });
    expect(Outcome.deadLetter('bad run id')).toMatchObject({ kind: 'dead-letter', reason: 'bad run id' });
  });

  it('should treat only retryLater as not final', () => {
    expect(isFinal(Outcome.processed())).toBe(true);
    expect(isFinal(Outcome.skipped('x'))).toBe(true);
    expect(isFinal(Outcome.deadLetter('x'))).toBe(true);
    expect(isFinal(Outcome.retryLater('x'))).toBe(false);
  });

  it('should map an unexpected exception to retryLater', () => {
    const err = new Error('connection reset');
    expect(Outcome.fromError(err)).toEqual({
      kind: 'retry-later',
      reason: 'unexpected error: Error: connection reset',
      error: err,
    });
  });

  it('should map a NonRetriableError to deadLetter', () => {
    const sut = Outcome.fromError(new NonRetriableError('dataset D is gone'));
    expect(sut.kind).toBe('dead-letter');
    expect(sut).toMatchObject({ reason: 'non-retriable error: NonRetriableError: dataset D is gone' });
  });

  it("should honour kafkajs's retriable: false marker on any error", () => {
    const err = Object.assign(new Error('serialization'), { retriable: false });
    expect(Outcome.fromError(err).kind).toBe('dead-letter');
    expect(Outcome.fromError(Object.assign(new Error('x'), { retriable: true })).kind).toBe('retry-later');
  });

  it('should count a handler timeout as a failed, retriable attempt', () => {
    expect(Outcome.fromError(new HandlerTimeoutError(100))).toMatchObject({
      kind: 'retry-later',
      reason: 'handler-timeout',
    });
  });

  it('should dead-letter a handler result that is not an Outcome', () => {
    expect(Outcome.fromResult(undefined)).toMatchObject({
      kind: 'dead-letter',
      reason: 'handler returned undefined, not an Outcome',
    });
    expect(Outcome.fromResult({ kind: 'nope' }).kind).toBe('dead-letter');
    expect(Outcome.fromResult(Outcome.skipped('dup'))).toEqual(Outcome.skipped('dup'));
  });
});
