// Where a run's time went, read back from the bus: every catalogue record's event type (header) and broker timestamp,
// grouped by run (the record key starts with the run id), as offsets from the run's first event. Printed as the
// median and maximum over the runs of when each event type first and last appeared — a stage that stretches under
// load shows up as the step where the offsets jump.
import { Kafka, logLevel } from 'kafkajs';

interface TimedEvent {
  readonly type: string;
  readonly at: number;
}

async function readAll(brokers: readonly string[]): Promise<Map<string, TimedEvent[]>> {
  const kafka = new Kafka({ clientId: 'bench-timeline', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith('flywheel.') && !t.endsWith('.dlq'));
  const ends = await Promise.all(topics.map(async (t) => [t, await admin.fetchTopicOffsets(t)] as const));
  await admin.disconnect();
  let remaining = 0;
  for (const [, offsets] of ends) for (const o of offsets) remaining += Number(o.high) - Number(o.low);

  const byKey = new Map<string, TimedEvent[]>();
  const consumer = kafka.consumer({ groupId: `bench-timeline-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    if (remaining === 0) resolve();
    consumer
      .run({
        eachMessage: async ({ message }) => {
          const key = message.key?.toString() ?? '';
          const type = message.headers?.['event-type']?.toString() ?? '?';
          const list = byKey.get(key) ?? [];
          list.push({ type, at: Number(message.timestamp) });
          byKey.set(key, list);
          remaining -= 1;
          if (remaining <= 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return byKey;
}

function events(byKey: Map<string, TimedEvent[]>, runId: string): TimedEvent[] {
  const out: TimedEvent[] = [];
  for (const [key, list] of byKey) if (key.startsWith(runId)) out.push(...list);
  return out.sort((a, b) => a.at - b.at);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Prints, per event type, the median/max over `runIds` of its first and last offset from the run's first event. */
export async function printTimeline(
  brokers: readonly string[],
  runIds: readonly string[],
  title: string,
): Promise<void> {
  const byKey = await readAll(brokers);
  const first = new Map<string, number[]>();
  const last = new Map<string, number[]>();
  const counts = new Map<string, number[]>();
  for (const id of runIds) {
    const list = events(byKey, id);
    const t0 = list[0]?.at;
    if (t0 === undefined) continue;
    const seen = new Set<string>();
    for (const e of list) {
      const s = (e.at - t0) / 1000;
      if (!seen.has(e.type)) (first.get(e.type) ?? first.set(e.type, []).get(e.type) ?? []).push(s);
      seen.add(e.type);
    }
    for (const type of seen) {
      const ofType = list.filter((e) => e.type === type);
      (counts.get(type) ?? counts.set(type, []).get(type) ?? []).push(ofType.length);
      const at = ofType.at(-1)?.at ?? t0;
      (last.get(type) ?? last.set(type, []).get(type) ?? []).push((at - t0) / 1000);
    }
  }
  console.log(
    `  timeline of ${title} (s from each run's first event; median / max over ${runIds.length} runs; ` +
      `events of the type per run, median):`,
  );
  const rows = [...first.entries()].sort((a, b) => median(a[1]) - median(b[1]));
  for (const [type, firsts] of rows) {
    const lasts = last.get(type) ?? [];
    console.log(
      `    ${type.padEnd(44)} first ${median(firsts).toFixed(2).padStart(6)} / ${Math.max(...firsts)
        .toFixed(2)
        .padStart(6)}` +
        `   last ${median(lasts).toFixed(2).padStart(6)} / ${Math.max(...lasts)
          .toFixed(2)
          .padStart(6)}` +
        `   ×${String(median(counts.get(type) ?? [])).padStart(3)}`,
    );
  }
}
