// The analysis enqueuer's buffer is bounded while the queue is unreachable (issue 10): the oldest
// items are dropped, counted and logged once; the rest are added when the queue is back; nothing is
// held in a chain of pending promises.
import { describe, expect, it } from 'vitest';
import { createAnalysisEnqueuer, enqueuerStats, type AnalysisItem } from '@/lib/jobs/analysis-enqueuer';
import type { JobQueue, NewJob } from '@/lib/jobs';

function fakeQueue() {
  const added: NewJob[] = [];
  let mode: 'down' | 'hang' | 'up' = 'down';
  let calls = 0;
  const queue = {
    async addBulk(jobs: NewJob[]) {
      calls += 1;
      if (mode === 'down') throw new Error('Connection is closed.');
      if (mode === 'hang') return new Promise<never>(() => undefined);
      added.push(...jobs);
      return jobs.map((_, i) => String(i));
    },
  } as unknown as JobQueue;
  return { queue, added, set: (m: typeof mode) => (mode = m), calls: () => calls };
}

const items = (from: number, n: number): AnalysisItem[] => Array.from({ length: n }, (_, i) => ({ t: 'domain', v: `d${from + i}.test`, p: true }));
const values = (jobs: NewJob[]) => jobs.flatMap((j) => (j.data as { items: AnalysisItem[] }).items.map((i) => i.v));

function logger() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_: unknown, msg: string) => void lines.push({ level, msg });
  return { lines, log: { warn: at('warn'), info: at('info'), debug: at('debug') } };
}

describe('analysis enqueuer while the queue is down', () => {
  it('keeps at most maxBuffered items, drops the oldest with a count and one warning, adds the rest on recovery', async () => {
    const q = fakeQueue();
    const { lines, log } = logger();
    const droppedBefore = enqueuerStats().dropped;
    const enqueuer = createAnalysisEnqueuer(q.queue, { batchMs: 5, batchSize: 50, maxBuffered: 300, retryMs: 20, logger: log as never });
    for (let round = 0; round < 20; round++) {
      enqueuer.add(items(round * 100, 100));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // 2,000 offered, 300 kept: the bound holds however long the outage lasts.
    expect(enqueuerStats().dropped - droppedBefore).toBe(1700);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'analysis enqueue failed; indicators wait in a bounded buffer and are retried',
      'analysis enqueue buffer full: dropping the oldest indicators (their next sighting or a check asks again)',
    ]);
    expect(q.calls()).toBeGreaterThan(1); // retried with backoff

    q.set('up');
    await enqueuer.flush();
    // The newest 300 survive, in order, and nothing is added twice.
    expect(values(q.added)).toEqual(items(1700, 300).map((i) => i.v));
    expect(lines.some((l) => l.msg === 'analysis enqueue recovered')).toBe(true);
  });

  it('a queue call that hangs (Redis gone mid-call) times out; what it carried is kept and retried', async () => {
    const q = fakeQueue();
    q.set('hang');
    const bufferedBefore = enqueuerStats().buffered;
    const enqueuer = createAnalysisEnqueuer(q.queue, { batchMs: 5, batchSize: 10, maxBuffered: 100, retryMs: 20, addTimeoutMs: 50 });
    enqueuer.add(items(0, 30));
    await new Promise((resolve) => setTimeout(resolve, 30));
    enqueuer.add(items(30, 200)); // overflows while the first add is in flight: in-flight items are kept
    expect(enqueuerStats().buffered - bufferedBefore).toBeLessThanOrEqual(130);
    await new Promise((resolve) => setTimeout(resolve, 100));
    q.set('up');
    await enqueuer.flush();
    const got = values(q.added);
    expect(new Set(got).size).toBe(got.length);
    expect(got.slice(0, 30)).toEqual(items(0, 30).map((i) => i.v));
    expect(got.length).toBe(100);
    expect(enqueuerStats().buffered).toBe(bufferedBefore);
  });
});
