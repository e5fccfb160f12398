// Turns the job snapshots of one poll loop into customization.progress events: at once on a status change, else at
// most every `intervalMs` when something moved, and every `heartbeatMs` even when nothing did (a long pending job
// still shows that the driver is alive). Events go out one at a time, in order, numbered from the state file, so a
// repeat after a restart carries the id of the original.
import { Logger } from '@nestjs/common';
import { isTerminal, type CustomizationJob } from '@flywheel/platform-clients';

export interface ProgressSample {
  readonly seq: number;
  readonly percent: number;
  readonly epoch: number;
  readonly step: number;
  /** The latest losses the job reported (null until the Customizer logs one). */
  readonly trainLoss: number | null;
  readonly valLoss: number | null;
  readonly at: number;
}

export interface ProgressReporterOptions {
  /** The next event's sequence number (from the state file). */
  readonly nextSeq: number;
  /** When the previous process last reported, if it did. */
  readonly lastReportedAt: number | null;
  readonly lastPercent: number | null;
  readonly intervalMs: number;
  readonly heartbeatMs: number;
  readonly clock: () => number;
  /** Publishes one event and records it as published; a rejection is logged and the next sample tried. */
  readonly report: (sample: ProgressSample) => Promise<void>;
}

export class ProgressReporter {
  private readonly logger = new Logger('CustomizerDriver');
  private chain: Promise<void> = Promise.resolve();
  private seq: number;
  private lastAt: number | null;
  private lastPercent: number | null;
  private lastStep: number | null = null;
  private lastStatus: string | null = null;

  public constructor(private readonly o: ProgressReporterOptions) {
    this.seq = o.nextSeq;
    this.lastAt = o.lastReportedAt;
    this.lastPercent = o.lastPercent;
  }

  /** Called with every snapshot the poll loop sees; decides whether it is worth an event. */
  public update(job: CustomizationJob): void {
    // The end of a job is told by customization.completed / failed, not by progress.
    if (isTerminal(job.status)) return;
    const now = this.o.clock();
    const percent = job.progress ?? this.lastPercent ?? 0;
    const statusChanged = job.rawStatus !== this.lastStatus;
    const moved = percent !== this.lastPercent || job.stepsCompleted !== this.lastStep;
    const since = this.lastAt === null ? Number.POSITIVE_INFINITY : now - this.lastAt;
    this.lastStatus = job.rawStatus;
    if (!(statusChanged || (moved && since >= this.o.intervalMs) || since >= this.o.heartbeatMs)) return;
    this.lastAt = now;
    this.lastPercent = percent;
    this.lastStep = job.stepsCompleted;
    const sample: ProgressSample = {
      seq: this.seq++,
      percent,
      epoch: job.epochsCompleted,
      step: job.stepsCompleted,
      trainLoss: job.trainLoss ?? null,
      valLoss: job.valLoss ?? null,
      at: now,
    };
    this.chain = this.chain.then(() =>
      this.o.report(sample).catch((err: unknown) => {
        this.logger.warn(
          `progress event ${sample.seq} not published: ${err instanceof Error ? err.message : String(err)}`,
        );
      }),
    );
  }

  /** Resolves when every event decided so far has been published (or given up on). */
  public flush(): Promise<void> {
    return this.chain;
  }
}
