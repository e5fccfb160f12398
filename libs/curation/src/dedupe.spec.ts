import { dedupe, dedupeKey, newestFirstOrder } from './dedupe';
import { chatRecord } from './testing/log-records';
import { type CuratedRecord, type LogRecord } from './types';

function curated(record: LogRecord, inputIndex: number, timeMs: number): CuratedRecord {
  return { record, inputIndex, timeMs, toolName: 'no_tool', parseArguments: false };
}

describe('dedupe', () => {
  it('keeps the newest copy of the same user turns, whatever the input order', () => {
    const older = curated(chatRecord({ user: 'same', reply: 'old' }), 0, 1000);
    const newer = curated(chatRecord({ user: 'same', reply: 'new' }), 1, 2000);
    const other = curated(chatRecord({ user: 'other' }), 2, 1500);
    const { kept, duplicates } = dedupe([older, newer, other]);
    expect(duplicates).toBe(1);
    expect(kept).toEqual([newer, other]);
  });

  it('orders newest first in time-ordered, reverse-ordered and shuffled logs; ties keep input order', () => {
    const at = (times: number[]) => times.map((t, i) => curated(chatRecord(), i, t));
    expect([...newestFirstOrder(at([1, 2, 3]))]).toEqual([2, 1, 0]);
    expect([...newestFirstOrder(at([3, 2, 1]))]).toEqual([0, 1, 2]);
    expect([...newestFirstOrder(at([2, 3, 1, 3, Number.NEGATIVE_INFINITY]))]).toEqual([1, 3, 0, 2, 4]);
    expect([...newestFirstOrder(at([5, 5]))]).toEqual([0, 1]);
  });

  it('ignores system prompts and replies: the key is the user turns', () => {
    const a = chatRecord({ user: 'q', reply: 'a1' });
    const b = { ...chatRecord({ user: 'q', reply: 'a2' }), request: { messages: [{ role: 'user', content: 'q' }] } };
    expect(dedupeKey(a.request.messages)).toEqual(dedupeKey(b.request.messages));
  });

  describe('blueprint bug 29: dedupe keeps records lacking user messages and ignores multimodal content', () => {
    it('dedupes multimodal (array) content, independent of key order', () => {
      const parts1 = [
        { type: 'image_url', image_url: { url: 'u', detail: 'low' } },
        { type: 'text', text: 'what?' },
      ];
      const parts2 = [
        { image_url: { detail: 'low', url: 'u' }, type: 'image_url' },
        { text: 'what?', type: 'text' },
      ];
      const a = curated({ ...chatRecord(), request: { messages: [{ role: 'user', content: parts1 }] } }, 0, 2);
      const b = curated({ ...chatRecord(), request: { messages: [{ role: 'user', content: parts2 }] } }, 1, 1);
      expect(dedupe([a, b])).toEqual({ kept: [a], duplicates: 1 });
    });

    it('dedupes records without user messages on their whole conversation', () => {
      const messages = [{ role: 'system', content: 'summarise the logs' }];
      const a = curated({ ...chatRecord(), request: { messages } }, 0, 2);
      const b = curated({ ...chatRecord(), request: { messages: [...messages] } }, 1, 1);
      const c = curated({ ...chatRecord(), request: { messages: [{ role: 'system', content: 'other' }] } }, 2, 3);
      expect(dedupe([a, b, c]).kept).toEqual([c, a]);
    });

    it('a string and a one-part text array are different keys (no crash either way)', () => {
      expect(dedupeKey([{ role: 'user', content: 'x' }])).not.toEqual(
        dedupeKey([{ role: 'user', content: [{ type: 'text', text: 'x' }] }]),
      );
      const twoTurns = dedupeKey([
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ]);
      expect(twoTurns).toEqual({ single: false, key: 'user:["a","b"]' });
      expect(dedupeKey([{ role: 'user', content: 'user:["a","b"]' }]).single).toBe(true);
    });
  });
});
