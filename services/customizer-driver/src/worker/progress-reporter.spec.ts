import { Logger } from '@nestjs/common';
import { type CustomizationJob } from '@flywheel/platform-clients';
import { ProgressReporter, type ProgressSample } from './progress-reporter';

const snap = (status: CustomizationJob['status'], progress: number | null, step: number): CustomizationJob => ({
  id: 'j1',
  outputModel: 'dfwbp/out',
  status,
  rawStatus: status,
  progress,
  message: null,
  error: null,
  epochsCompleted: Math.floor(step / 10),
  stepsCompleted: step,
});

function reporter(now: { t: number }, opts: { nextSeq?: number } = {}) {
  const sent: ProgressSample[] = [];
  const r = new ProgressReporter({
    nextSeq: opts.nextSeq ?? 0,
    lastReportedAt: null,
    lastPercent: null,
    intervalMs: 5000,
    heartbeatMs: 60_000,
    clock: () => now.t,
    report: async (s) => {
      sent.push(s);
    },
  });
  return { r, sent };
}

describe('ProgressReporter', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(['error', 'warn', 'log']);
  });

  it('reports status changes at once, movement at most every interval, and a heartbeat when nothing moves', async () => {
    const now = { t: 0 };
    const { r, sent } = reporter(now, { nextSeq: 3 });
    r.update(snap('pending', null, 0)); // first sight: reported
    now.t = 1000;
    r.update(snap('running', 1, 1)); // status change: reported
    now.t = 2000;
    r.update(snap('running', 5, 5)); // moved, but within the interval
    now.t = 6500;
    r.update(snap('running', 9, 9)); // moved, interval passed
    now.t = 7000;
    r.update(snap('running', 9, 9)); // nothing new
    now.t = 6500 + 60_000;
    r.update(snap('running', 9, 9)); // heartbeat
    r.update(snap('succeeded', 100, 20)); // the end is not progress
    await r.flush();
    expect(sent.map((s) => [s.seq, s.percent, s.step, s.at])).toEqual([
      [3, 0, 0, 0],
      [4, 1, 1, 1000],
      [5, 9, 9, 6500],
      [6, 9, 9, 66_500],
    ]);
  });

  it('keeps going when one event cannot be published', async () => {
    const now = { t: 0 };
    const sent: number[] = [];
    const r = new ProgressReporter({
      nextSeq: 0,
      lastReportedAt: null,
      lastPercent: null,
      intervalMs: 0,
      heartbeatMs: 60_000,
      clock: () => now.t,
      report: (s) => (s.seq === 0 ? Promise.reject(new Error('bus down')) : Promise.resolve(void sent.push(s.seq))),
    });
    r.update(snap('running', 1, 1));
    now.t = 1;
    r.update(snap('running', 2, 2));
    await r.flush();
    expect(sent).toEqual([1]);
  });
});
