import { datasetNameOf, eventIdOf, hashOf, seedOf, uuidV5 } from './deterministic-ids';

describe('deterministic ids', () => {
  it('computes RFC 4122 UUID v5 (the DNS namespace example)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('gives one id per run, event kind and model, the same every time', () => {
    expect(eventIdOf('r1', 'datasets.built')).toBe(eventIdOf('r1', 'datasets.built'));
    const ids = [
      eventIdOf('r1', 'datasets.built'),
      eventIdOf('r2', 'datasets.built'),
      eventIdOf('r1', 'run.started'),
      eventIdOf('r1', 'candidate.deploy-requested', 'a'),
      eventIdOf('r1', 'candidate.deploy-requested', 'b'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('derives a 32-bit seed from the run id', () => {
    expect(seedOf('r1')).toBe(seedOf('r1'));
    expect(seedOf('r1')).not.toBe(seedOf('r2'));
    expect(Number.isInteger(seedOf('r1')) && seedOf('r1') >= 0 && seedOf('r1') < 2 ** 32).toBe(true);
  });

  it('names datasets platform-safely, unique per run even when run ids slug alike', () => {
    const name = datasetNameOf('icl', 'Run_1', 'meta/llama-3.2-1b-instruct');
    expect(name).toMatch(/^flywheel-icl-run-1-[0-9a-f]{8}-meta-llama-3.2-1b-instruct$/);
    expect(datasetNameOf('eval', 'Run_1')).not.toBe(datasetNameOf('eval', 'run-1'));
    expect(datasetNameOf('eval', 'a/b')).not.toContain('/');
  });

  it('hashes configs independently of key order', () => {
    expect(hashOf({ a: 1, b: { c: [1, 2], d: null } })).toBe(hashOf({ b: { d: null, c: [1, 2] }, a: 1 }));
    expect(hashOf({ a: 1 })).not.toBe(hashOf({ a: 2 }));
  });
});
