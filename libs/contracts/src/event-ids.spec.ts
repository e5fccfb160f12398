import { deterministicEventId, uuidV5 } from './event-ids';

describe('deterministic event ids', () => {
  it('should match the RFC 4122 v5 test vector (DNS namespace, "www.example.com")', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('should give the same id for the same parts and different ids for other parts or namespaces', () => {
    const ns = '4f0c2a9e-6b1d-4c57-9a8e-2d3f7b61c0aa';
    const other = '9b2f61d4-c7e8-4a0f-8d35-e1a7c46b20f9';
    const id = deterministicEventId(ns, 'run-1', 'candidate.deployed', 'meta/llama-3.2-1b-instruct');
    expect(deterministicEventId(ns, 'run-1', 'candidate.deployed', 'meta/llama-3.2-1b-instruct')).toBe(id);
    expect(deterministicEventId(ns, 'run-1', 'candidate.deployed', 'meta/llama-3.2-3b-instruct')).not.toBe(id);
    expect(deterministicEventId(other, 'run-1', 'candidate.deployed', 'meta/llama-3.2-1b-instruct')).not.toBe(id);
    // Parts are separated, so ('ab', 'c') and ('a', 'bc') differ.
    expect(deterministicEventId(ns, 'ab', 'c')).not.toBe(deterministicEventId(ns, 'a', 'bc'));
  });
});
