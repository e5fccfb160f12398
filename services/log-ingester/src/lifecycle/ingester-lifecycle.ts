// Start-up and shutdown order, and what readiness reports.
// Start (in the background, so the HTTP server answers probes meanwhile): connect the store (rounds of bounded
// attempts, repeated with backoff until it is up: a store that is down means "not ready", never a crash loop),
// then the event publisher, then the Kafka consumer, then the "logs ingested" timer. A consumer that kafkajs gave
// up on is started again.
// Shutdown: stop consuming first (the batch in hand is written and committed), let the HTTP server finish its
// requests (Nest closes it between the two hooks), then write what is buffered, emit the last counts, close the
// publisher and the store.
import {
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { type KafkaBatchConsumer, type KafkaEventBus } from '@flywheel/bus';
import { type HealthRegistry, retryUntil } from '@flywheel/service-kit';
import { type LogStore } from '@flywheel/stores';
import { type FlywheelCatalogue, type LogsIngestedEmitter } from '../events/logs-ingested-emitter';
import { type BatchWriter } from '../writer/batch-writer';

export interface LifecycleParts {
  readonly store: LogStore;
  readonly publisher: KafkaEventBus<FlywheelCatalogue>;
  readonly consumer: KafkaBatchConsumer<FlywheelCatalogue>;
  readonly writer: BatchWriter;
  readonly emitter: LogsIngestedEmitter;
  readonly health: HealthRegistry;
  readonly retry: { readonly backoffBaseMs: number; readonly backoffMaxMs: number };
}

const CONSUMER_WATCH_MS = 1000;

export class IngesterLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('LogIngester');
  private readonly stopping = new AbortController();
  private starting: Promise<void> | undefined;
  private publisherUp = false;
  private watch: NodeJS.Timeout | undefined;

  public constructor(private readonly p: LifecycleParts) {}

  public onModuleInit(): void {
    this.p.health.addReadinessCheck('log-store', async () => {
      const h = await this.p.store.health();
      const detail = h.ready
        ? `${h.backend}: ready`
        : `${h.backend}: ${h.state}, attempt ${h.attempts}${h.lastError === null ? '' : ` (${h.lastError})`}`;
      return { ok: h.ready, detail };
    });
    this.p.health.addReadinessCheck('event-publisher', () => ({
      ok: this.publisherUp,
      detail: this.publisherUp ? 'connected' : 'connecting',
    }));
    this.p.health.addReadinessCheck('kafka-consumer', () => {
      const s = this.p.consumer.status();
      const detail =
        s.state === 'retrying'
          ? `retrying a batch (attempt ${s.failedAttempts}): ${s.lastError ?? ''}`
          : `${s.state}${s.lastError === null || s.state === 'running' ? '' : ` (${s.lastError})`}`;
      return { ok: s.state === 'running', detail };
    });
  }

  public onApplicationBootstrap(): void {
    this.starting = this.start().catch((err: unknown) => {
      this.logger.error(`start-up stopped: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** Resolves once everything is up (tests); start-up itself never blocks the app's boot. */
  public whenStarted(): Promise<void> {
    return this.starting ?? Promise.resolve();
  }

  public async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.watch);
    await this.starting;
    await this.p.consumer.stop();
  }

  public async onApplicationShutdown(): Promise<void> {
    await this.p.writer.close();
    await this.p.emitter.stop();
    await this.p.publisher.close();
    await this.p.store.close();
  }

  private async start(): Promise<void> {
    const step = async (what: string, run: () => Promise<void>): Promise<boolean> => {
      const done = await retryUntil(
        async () => {
          // A step that hangs (a store boot round sleeping between its attempts) must not hold up a shutdown.
          await Promise.race([run(), abandoned(this.stopping.signal)]);
          return !this.stopping.signal.aborted;
        },
        {
          ...this.p.retry,
          signal: this.stopping.signal,
          onFailure: (attempt, err, delay) =>
            this.logger.warn(
              `${what}: attempt ${attempt} failed (${err instanceof Error ? err.message : String(err)}); ` +
                `trying again in ${delay} ms`,
            ),
        },
      );
      return done === true;
    };
    if (!(await step('log store', () => this.p.store.connect()))) return;
    this.logger.log('log store connected');
    if (!(await step('event publisher', () => this.p.publisher.start()))) return;
    this.publisherUp = true;
    if (!(await step('kafka consumer', () => this.p.consumer.start()))) return;
    this.logger.log('consuming');
    this.p.emitter.start();
    this.watch = setInterval(() => this.restartCrashedConsumer(), CONSUMER_WATCH_MS);
  }

  private restartCrashedConsumer(): void {
    if (this.p.consumer.status().state !== 'crashed' || this.stopping.signal.aborted) return;
    this.logger.warn('the Kafka consumer crashed; starting it again');
    this.p.consumer.start().catch((err: unknown) => {
      this.logger.error(`restarting the consumer failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  }
}

function abandoned(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
