// Snapshot bodies (nonce splicing, precomputed gzip) and the snapshot store (renders per interval,
// bounded keys and render budget), with a fake clock: no timing assertions.
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, assembleSnapshot, assembleSnapshotGzip, etagMatches, prepareSnapshotBody } from '@/lib/http/page-snapshot';
import { SnapshotStore } from '@/lib/http/snapshot-store';
import { createNonce } from '@/lib/csp';

describe('snapshot bodies', () => {
  it('splices a fresh nonce wherever the render nonce was, in identity and gzip forms alike', () => {
    const renderNonce = createNonce();
    const html = `<html><script nonce="${renderNonce}" src="/a.js"></script><p>${'x'.repeat(70_000)}</p><script nonce="${renderNonce}">self.__next_f.push([1,"ok"])</script></html>`;
    const body = prepareSnapshotBody(Buffer.from(html), renderNonce);
    expect(body.segments).toHaveLength(3);
    const fresh = createNonce();
    const expected = html.replaceAll(renderNonce, fresh);
    expect(assembleSnapshot(body, fresh).toString()).toBe(expected);
    expect(gunzipSync(assembleSnapshotGzip(body, fresh)).toString()).toBe(expected);
    expect(assembleSnapshot(body, fresh).toString()).not.toContain(renderNonce);
  });

  it('gzip equals identity for any content and any number of nonces (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { minLength: 1, maxLength: 6 }), (parts) => {
        const renderNonce = createNonce();
        const html = Buffer.concat(parts.flatMap((p, i) => (i ? [Buffer.from(renderNonce), Buffer.from(p)] : [Buffer.from(p)])));
        const body = prepareSnapshotBody(html, renderNonce);
        const fresh = createNonce();
        const identity = assembleSnapshot(body, fresh);
        expect(gunzipSync(assembleSnapshotGzip(body, fresh)).equals(identity)).toBe(true);
        expect(identity.length).toBe(html.length);
      }),
      { numRuns: 60 },
    );
  });

  it('has one validator per content, whatever the nonce', () => {
    const a = createNonce();
    const b = createNonce();
    expect(prepareSnapshotBody(Buffer.from(`<s nonce="${a}">1</s>`), a).hash).toBe(prepareSnapshotBody(Buffer.from(`<s nonce="${b}">1</s>`), b).hash);
    expect(prepareSnapshotBody(Buffer.from(`<s nonce="${a}">1</s>`), a).hash).not.toBe(prepareSnapshotBody(Buffer.from(`<s nonce="${a}">2</s>`), a).hash);
  });

  it('reads Accept-Encoding and If-None-Match', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1, gzip;q=0')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(etagMatches('W/"abc"', 'W/"abc"')).toBe(true);
    expect(etagMatches('"x", "abc"', 'W/"abc"')).toBe(true);
    expect(etagMatches('"abd"', 'W/"abc"')).toBe(false);
  });
});

describe('SnapshotStore', () => {
  const setup = (visitorRendersPerInterval = 2) => {
    let now = 1_000_000;
    const store = new SnapshotStore<string>({ intervalMs: 1000, maxVisitorKeys: 3, visitorRendersPerInterval, now: () => now });
    let renders = 0;
    const render = (v: string) => async () => {
      renders++;
      return `${v}#${renders}`;
    };
    return { store, render, advance: (ms: number) => (now += ms), renders: () => renders };
  };

  it('renders a key once per interval however many requests arrive', async () => {
    const { store, render, advance, renders } = setup();
    const first = await Promise.all(Array.from({ length: 100 }, () => store.get('/threats', true, render('a'))));
    expect(renders()).toBe(1);
    expect(new Set(first.map((r) => r.kind === 'snapshot' && r.snapshot.value))).toEqual(new Set(['a#1']));
    for (let i = 0; i < 50; i++) await store.get('/threats', true, render('a'));
    expect(renders()).toBe(1);
    advance(1000);
    // Past the interval: the stale snapshot is served while one render runs.
    const during = await Promise.all(Array.from({ length: 50 }, () => store.get('/threats', true, render('a'))));
    expect(during.every((r) => r.kind === 'snapshot')).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(renders()).toBe(2);
    const after = await store.get('/threats', true, render('a'));
    expect(after.kind === 'snapshot' && after.snapshot.value).toBe('a#2');
  });

  it('bounds what visitor-chosen keys cost: a render budget per interval and a bounded number of keys', async () => {
    const { store, render, advance, renders } = setup(2);
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await store.get(`/threats/tag/t${i}`, false, render(`t${i}`)));
    expect(renders()).toBe(2);
    expect(results.filter((r) => r.kind === 'busy')).toHaveLength(18);
    expect(store.size).toBeLessThanOrEqual(3);
    // Pinned keys are not held back by the visitors' budget.
    expect((await store.get('/threats', true, render('a'))).kind).toBe('snapshot');
    advance(1000);
    for (let i = 20; i < 40; i++) await store.get(`/threats/tag/t${i}`, false, render(`t${i}`));
    expect(renders()).toBe(5);
    expect(store.size).toBeLessThanOrEqual(4);
  });

  it('a failed first render fails the request (the caller falls back), and a later one retries', async () => {
    const { store } = setup();
    await expect(store.get('k', true, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    const ok = await store.get('k', true, async () => 'up');
    expect(ok.kind === 'snapshot' && ok.snapshot.value).toBe('up');
  });
});

describe('nonce hygiene', () => {
  it('a render nonce is 128 random bits: no body that did not contain it is cut', () => {
    const body = prepareSnapshotBody(randomBytes(10_000), createNonce());
    expect(body.segments).toHaveLength(1);
  });
});
