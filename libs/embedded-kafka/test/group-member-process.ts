// One consumer-group member in its own process, for the group integration tests: the parent hosts the broker
// and forks one of these per member (`fork(file, [JSON args], { execArgv: ['--require', 'tsx/cjs'] })`), so members
// have their own event loops and kafkajs offsets caches, and a member can die by SIGKILL like a real service.
// It reports over IPC; it leaves the group gracefully on a 'leave' message and otherwise runs until killed.
import { fastConsumer, fastKafka } from './kafkajs-fixtures';

export interface MemberTimings {
  sessionTimeout: number;
  rebalanceTimeout: number;
  heartbeatInterval: number;
  maxWaitTimeInMs: number;
}

export interface MemberArgs {
  brokers: string[];
  topic: string;
  groupId: string;
  /** Also the prefix of the member id the broker hands out, and the trace's clientId. */
  clientId: string;
  timings: MemberTimings;
}

/** What a member reports to its parent; `at` is the member's Date.now() (same host clock as the parent). */
export type MemberReport =
  | { kind: 'starting'; at: number }
  | { kind: 'join'; at: number; memberId: string; leaderId: string; isLeader: boolean; partitions: number[] }
  | { kind: 'record'; at: number; partition: number; offset: number; value: string }
  | { kind: 'crash'; at: number; error: string; restart: boolean }
  | { kind: 'left'; at: number };

/** What the parent may send. */
export type MemberCommand = 'leave';

function report(msg: MemberReport, then?: () => void): void {
  if (process.connected && process.send) process.send(msg, () => then?.());
  else then?.();
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '') as MemberArgs;
  const kafka = fastKafka(args.brokers, { clientId: args.clientId });
  const consumer = fastConsumer(kafka, args.groupId, { ...args.timings });

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    report({
      kind: 'join',
      at: Date.now(),
      memberId: payload.memberId,
      leaderId: payload.leaderId,
      isLeader: payload.isLeader,
      partitions: [...(payload.memberAssignment[args.topic] ?? [])].sort((a, b) => a - b),
    });
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    report({ kind: 'crash', at: Date.now(), error: String(payload.error), restart: payload.restart });
  });

  let leaving = false;
  process.on('message', (cmd: MemberCommand) => {
    if (cmd !== 'leave' || leaving) return;
    leaving = true;
    // disconnect() stops the fetch loop, commits and sends LeaveGroup.
    consumer.disconnect().then(
      () => report({ kind: 'left', at: Date.now() }, () => process.exit(0)),
      (err: unknown) =>
        report({ kind: 'crash', at: Date.now(), error: `disconnect failed: ${String(err)}`, restart: false }, () =>
          process.exit(1),
        ),
    );
  });
  // Never outlive the test run that forked us.
  process.on('disconnect', () => {
    if (!leaving) process.exit(0);
  });

  await consumer.connect();
  await consumer.subscribe({ topic: args.topic, fromBeginning: true });
  report({ kind: 'starting', at: Date.now() });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      report({
        kind: 'record',
        at: Date.now(),
        partition,
        offset: Number(message.offset),
        value: message.value?.toString() ?? '',
      });
      await Promise.resolve();
    },
  });
}

main().catch((err: unknown) => {
  const error = `member failed to start: ${String(err)}`;
  report({ kind: 'crash', at: Date.now(), error, restart: false }, () => process.exit(1));
});
