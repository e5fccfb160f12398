import { DEFAULT_PORTS, resolvePorts } from './ports';

describe('resolvePorts', () => {
  it('gives the well-known ports for "default"', async () => {
    expect(await resolvePorts('default', '127.0.0.1')).toBe(DEFAULT_PORTS);
  });

  it('picks distinct free ports for the rest when some are pinned', async () => {
    const ports = await resolvePorts({ 'results-aggregator': 18_000 }, '127.0.0.1');
    expect(ports['results-aggregator']).toBe(18_000);
    const all = Object.values(ports);
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((p) => p > 0)).toBe(true);
  });
});
