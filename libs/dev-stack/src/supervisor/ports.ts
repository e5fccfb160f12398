// Ports of the stack: the well-known ones of the design (what `flywheel up` uses, so `npm run flywheel` and curl find
// it without settings) or free ones picked by the OS (tests, the demo: several stacks side by side).
import { createServer } from 'node:net';
import { type FlywheelServiceName } from './services';

export type PortName = FlywheelServiceName | 'kafka' | 'schema-registry' | 'platform-simulator';

export type StackPorts = Readonly<Record<PortName, number>>;

export const DEFAULT_PORTS: StackPorts = {
  kafka: 9092,
  'schema-registry': 8081,
  'platform-simulator': 8080,
  'log-ingester': 8090,
  'dataset-builder': 8092,
  deployer: 8093,
  'customizer-driver': 8094,
  'evaluator-driver': 8095,
  'results-aggregator': 8000,
};

/**
 * `'default'`: the well-known ports; `'auto'`: free ones. An object pins some ports and picks free ones for the rest.
 */
export type PortsOption = 'default' | 'auto' | Partial<Record<PortName, number>>;

/** A port that was free a moment ago (a small race with other processes, acceptable for dev and tests). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function resolvePorts(option: PortsOption | undefined, host: string): Promise<StackPorts> {
  if (option === 'default') return DEFAULT_PORTS;
  const pinned = option === undefined || option === 'auto' ? {} : option;
  const out: Partial<Record<PortName, number>> = {};
  const taken = new Set<number>(Object.values(pinned).filter((p): p is number => typeof p === 'number' && p > 0));
  for (const name of Object.keys(DEFAULT_PORTS) as PortName[]) {
    const given = pinned[name];
    if (given !== undefined && given > 0) {
      out[name] = given;
      continue;
    }
    let port = await freePort(host);
    while (taken.has(port)) port = await freePort(host);
    taken.add(port);
    out[name] = port;
  }
  return out as StackPorts;
}
