// Two services in separate processes: the parent publishes, a forked Nest service (bus-service-process.ts) handles
// with BusModule + @OnEvent and reports over IPC. Also the at-least-once proof: a service SIGKILLed mid-handler
// never committed, so the next member of its group gets the same record.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { KafkaEventBus, Outcome } from '../src';
import { TestTopics, newOrderPlaced, type OrderShippedV1, type TestCatalogue } from '../src/testing/test-catalogue';
import { CapturingLogger, busOptions, startStack, waitFor, type Stack } from './bus-fixtures';
import { type ServiceArgs, type ServiceReport } from './bus-service-process';

const SERVICE_SCRIPT = join(__dirname, 'bus-service-process.ts');
/** tsx, Nest and kafkajs load first; on a busy 2-core machine that takes a while. */
const START_MS = 30_000;

class ServiceProcess {
  public readonly reports: ServiceReport[] = [];
  public readonly exited: Promise<number | null>;

  public constructor(public readonly child: ChildProcess) {
    child.on('message', (m: ServiceReport) => this.reports.push(m));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  public of<K extends ServiceReport['kind']>(kind: K): Extract<ServiceReport, { kind: K }>[] {
    return this.reports.filter((r): r is Extract<ServiceReport, { kind: K }> => r.kind === kind);
  }

  public async ready(): Promise<void> {
    await waitFor(() => this.reports.some((r) => r.kind === 'ready' || r.kind === 'failed'), START_MS, 'service ready');
    const failed = this.of('failed')[0];
    if (failed !== undefined) throw new Error(`service failed to start: ${failed.error}`);
  }
}

let stack: Stack;
const children: ServiceProcess[] = [];
const buses: KafkaEventBus<TestCatalogue>[] = [];

beforeEach(async () => {
  stack = await startStack();
});

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await c.exited;
  }
  await Promise.all(buses.splice(0).map((b) => b.close()));
  await stack.stop();
});

function startService(groupId: string, mode: ServiceArgs['mode']): ServiceProcess {
  const args: ServiceArgs = { brokers: stack.brokers, registryUrl: stack.registry.url, groupId, mode };
  const child = fork(SERVICE_SCRIPT, [JSON.stringify(args)], {
    execArgv: ['--require', 'tsx/cjs'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const service = new ServiceProcess(child);
  children.push(service);
  return service;
}

function parentBus(groupId: string): KafkaEventBus<TestCatalogue> {
  const bus = new KafkaEventBus(busOptions({ brokers: stack.brokers, registryUrl: stack.registry.url }, groupId), {
    logger: new CapturingLogger(),
  });
  buses.push(bus);
  return bus;
}

describe('two services in separate processes', () => {
  it('should round-trip a typed event: parent publishes, child handles and publishes a reply', async () => {
    const service = startService('shipping', 'ship');
    const parent = parentBus('parent');
    const shipped: OrderShippedV1[] = [];
    parent.subscribe(TestTopics.OrderShipped, (e) => {
      shipped.push(e);
      return Outcome.processed();
    });
    await Promise.all([service.ready(), parent.start()]);

    const order = newOrderPlaced({ note: 'cross-process' });
    await parent.publish(TestTopics.OrderPlaced, order);

    // The reply (via Kafka) and the child's report (via IPC) race each other; wait for both.
    await waitFor(() => shipped.length === 1 && service.of('handled').length === 1, 20_000, 'the reply and report');
    expect(service.of('handled')).toEqual([{ kind: 'handled', order, offset: '0', key: order.orderId }]);
    expect(shipped[0]).toEqual({
      eventId: `${order.eventId}-shipped`,
      orderId: order.orderId,
      carrier: `pid-${service.child.pid ?? 0}`,
    });

    service.child.send('stop');
    expect(await service.exited).toBe(0);
    expect(service.of('closed')).toHaveLength(1);
  });

  it('should redeliver a record to the next consumer when a service is killed mid-handler', async () => {
    const doomed = startService('shipping', 'hang');
    await doomed.ready();
    const parent = parentBus('parent');
    const order = newOrderPlaced();
    await parent.publish(TestTopics.OrderPlaced, order);
    await waitFor(() => doomed.of('started').length === 1, 20_000, 'the doomed handler to start');

    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const next = startService('shipping', 'ship');
    await next.ready();

    // The group notices the dead member after its session timeout (3 s), then hands the partition over.
    await waitFor(() => next.of('handled').length === 1, 30_000, 'redelivery to the next member');
    expect(next.of('handled')[0]).toMatchObject({ order, offset: '0' });
    expect(next.of('started')[0]?.attempt).toBe(1);
  });
});
