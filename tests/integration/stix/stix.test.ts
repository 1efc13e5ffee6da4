// STIX 2.1 output: every public indicator type (values with quotes and backslashes included) as a
// bundle that validates against the official OASIS schemas; deterministic ids; filters and paging;
// private, held and retracted values never appear. Data goes the real way: ingest → outbox → the
// durable log (whose trigger projects stix_objects) — on PGlite, or PostgreSQL with DATABASE_URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engines } from '@/lib/engines';
import { ingestIndicators, allowListFromConfig } from '@/lib/ingest';
import { findStixIndicators, getStixIndicator, getStixInstance, indicatorStixId, stixPattern, stixString, type StixBundle, type StixContext } from '@/lib/stix';
import { createTrustPolicy } from '@/lib/trust/policy';
import { retractIndicator } from '@/lib/trust/retract';
import { retractFromFeed } from '@/lib/trust/retract-contributions';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '@/tests/helpers/test-env';
import { createUser, makeFeed } from '@/tests/integration/ingest/helpers';
import { bundleErrors, patternValue, stixErrors, STIX_STRING_LITERAL } from './stix-validator';

let t: TestDatabase;
let engines: Engines;
let ctx: StixContext;
let owner: string;
let other: string;
const policy = createTrustPolicy({});
const allowList = allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] });

const VALUES = {
  ipv4: '45.83.64.7',
  ipv6: '2a01:4f8:c17:1::7',
  cidr: '45.83.65.0/24',
  domain: 'evil.example-stix.net',
  url: "http://evil.example-stix.net/it's?q=a\\b",
  email: "o'brien@example-stix.net",
  md5: 'a3cca2b2aa1e3b5b3b5aad99a8529074',
  sha1: '4e1243bd22c66e76c2ba9eddc1f91394e57f9f83',
  sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9825'.replace(/^2c/, '3c'),
  sha512: 'ee26b0dd4af7e749aa1a8ee3c10ae9923f618980772e473f8819a5d4940e0db27ac185f8a0e1d5f84f88bc887fd67b143732c304cc5fa9ad8e6f57f50028a8ff'.replace(/^ee/, 'ef'),
} as const;

async function relayAll() {
  while ((await engines.log.appendFromOutbox(1000)) > 0);
}

async function report(userId: string, feed: string, items: unknown[]) {
  const result = await ingestIndicators({ sql: t.db.sql, allowList, trust: policy }, { ownerId: userId, feed, items });
  await relayAll();
  return result;
}

const indicators = (b: StixBundle) => b.objects.filter((o) => o.type === 'indicator');
const values = (b: StixBundle) => indicators(b).map((o) => patternValue(String(o.pattern))?.value);

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines(t.db);
  ctx = { instance: await getStixInstance(t.db.sql, { baseUrl: 'https://sluice.example.com' }), lifetimes: policy.lifetimes };
  owner = (await createUser(t.db, 'firehose')).id;
  other = (await createUser(t.db, 'firehose')).id;
  await makeFeed(t.db, owner, 'pub');
  await makeFeed(t.db, owner, 'secret', 'AMBER');
  await makeFeed(t.db, other, 'pub2');
  await report(owner, 'pub', Object.entries(VALUES).map(([type, value]) => ({ type, value, tags: ['stix-test', type], confidence: 70 })));
}, 300_000);

afterAll(async () => {
  if (engines) {
    await deleteRedisPrefix(engines);
    await engines.close();
  }
  await t?.drop();
});

describe('STIX patterns', () => {
  it('escape quotes and backslashes per the grammar’s StringLiteral and round-trip any text', () => {
    for (const s of ["it's", 'a\\b', "\\'", "''\\\\", 'plain', '', "x'\\'y"]) {
      const lit = stixString(s);
      expect(new RegExp(`^${STIX_STRING_LITERAL.source}$`).test(lit), lit).toBe(true);
      expect(patternValue(`[url:value = ${lit}]`)?.value).toBe(s);
    }
    expect(stixPattern('sha256', 'ab')).toBe("[file:hashes.'SHA-256' = 'ab']");
    expect(stixPattern('cidr', '10.0.0.0/8')).toBe("[ipv4-addr:value ISSUBSET '10.0.0.0/8']");
    expect(stixPattern('url', "http://x/it's\\")).toBe("[url:value = 'http://x/it\\'s\\\\']");
  });
});

describe('STIX bundle of public indicators', () => {
  it('holds every indicator type, validating against the OASIS STIX 2.1 schemas', async () => {
    const { bundle, next } = await findStixIndicators(t.db.sql, ctx, other, { tag: 'stix-test' });
    expect(next).toBeNull();
    expect(bundleErrors(bundle)).toEqual([]);
    expect(new Set(values(bundle))).toEqual(new Set(Object.values(VALUES)));
    const types = new Set(bundle.objects.map((o) => o.type));
    expect(types).toEqual(new Set(['marking-definition', 'identity', 'indicator', 'sighting']));
    const url = indicators(bundle).find((o) => patternValue(String(o.pattern))?.value === VALUES.url)!;
    expect(url).toMatchObject({
      id: indicatorStixId('url', VALUES.url),
      pattern_type: 'stix',
      pattern: "[url:value = 'http://evil.example-stix.net/it\\'s?q=a\\\\b']",
      confidence: 70,
      labels: ['stix-test', 'url'],
      object_marking_refs: ['marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'],
      created_by_ref: bundle.objects.find((o) => o.type === 'identity')!.id,
    });
    expect(Date.parse(String(url.valid_until)) - Date.parse(String(url.valid_from))).toBeGreaterThanOrEqual(policy.lifetimes.otherDays * 86_400_000 - 1000);
    const ip = indicators(bundle).find((o) => o.id === indicatorStixId('ipv4', VALUES.ipv4))!;
    expect(Date.parse(String(ip.valid_until)) - Date.parse(String(ip.valid_from))).toBeLessThan(policy.lifetimes.otherDays * 86_400_000);
    // The validator can fail: a broken timestamp or a missing pattern is caught.
    expect(stixErrors({ ...url, created: '2026-11-30 10:00' })).not.toEqual([]);
    expect(stixErrors({ ...url, pattern: undefined })).not.toEqual([]);
    const sighting = bundle.objects.find((o) => o.type === 'sighting' && o.sighting_of_ref === url.id);
    expect(sighting).toMatchObject({ count: 1, summary: true });
  });

  it('gives the same ids every time, and one indicator with its sightings on its own', async () => {
    await report(other, 'pub2', [{ value: VALUES.domain, tags: ['second'], confidence: 60 }]);
    const one = await getStixIndicator(t.db.sql, ctx, { type: 'domain', value: 'evil[.]example-stix[.]net' });
    expect(one && bundleErrors(one)).toEqual([]);
    const ind = indicators(one!);
    expect(ind.map((o) => o.id)).toEqual([indicatorStixId('domain', VALUES.domain)]);
    expect(ind[0].labels).toEqual(['domain', 'second', 'stix-test']);
    expect(Date.parse(String(ind[0].modified))).toBeGreaterThan(Date.parse(String(ind[0].created)) - 1);
    expect(one!.objects.filter((o) => o.type === 'sighting')).toHaveLength(2);
    const again = await getStixIndicator(t.db.sql, ctx, { type: 'domain', value: VALUES.domain });
    expect(again!.objects).toEqual(one!.objects);
  });

  it('filters by type, tag, feed and since, and pages with a cursor without repeating or skipping', async () => {
    expect(values((await findStixIndicators(t.db.sql, ctx, other, { type: 'email' })).bundle)).toEqual([VALUES.email]);
    const byFeed = await findStixIndicators(t.db.sql, ctx, owner, { feed: `${other}/pub2` });
    expect(values(byFeed.bundle)).toEqual([VALUES.domain]);
    expect(byFeed.bundle.objects.filter((o) => o.type === 'sighting')).toHaveLength(1);
    expect(values((await findStixIndicators(t.db.sql, ctx, other, { since: '2999-01-01T00:00:00Z' })).bundle)).toEqual([]);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await findStixIndicators(t.db.sql, ctx, other, { tag: 'stix-test', limit: '3', ...(cursor ? { cursor } : {}) });
      expect(bundleErrors(page.bundle)).toEqual([]);
      seen.push(...indicators(page.bundle).map((o) => o.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual(Object.entries(VALUES).map(([type, value]) => indicatorStixId(type as keyof typeof VALUES, value)).sort());
    await expect(findStixIndicators(t.db.sql, ctx, other, { cursor: 'bm9wZQ' })).rejects.toMatchObject({ status: 400 });
    await expect(findStixIndicators(t.db.sql, ctx, other, { feed: `${owner}/secret` })).rejects.toMatchObject({ status: 404 });
  });

  it('never shows private, held or retracted values', async () => {
    await report(owner, 'secret', [{ value: 'private.example-stix.net', tags: ['stix-hidden'] }]);
    const untrusted = (await createUser(t.db, 'firehose')).id;
    await t.db.sql.query(`UPDATE users SET trust_level = 'untrusted' WHERE id = $1::uuid`, [untrusted]);
    await makeFeed(t.db, untrusted, 'noisy');
    const held = await report(untrusted, 'noisy', [{ value: 'held.example-stix.net', tags: ['stix-hidden'] }]);
    expect(JSON.stringify(held)).toContain('"held":true');
    await report(owner, 'pub', [{ value: 'retracted.example-stix.net', tags: ['stix-hidden'] }]);
    expect(values((await findStixIndicators(t.db.sql, ctx, other, { tag: 'stix-hidden' })).bundle)).toEqual(['retracted.example-stix.net']);
    await retractIndicator(t.db.sql, { type: 'domain', value: 'retracted.example-stix.net', reason: 'test' });
    await relayAll();
    // Not even the owner of the private feed or of the held report gets them as STIX (public data only).
    for (const caller of [other, owner, untrusted]) {
      expect(values((await findStixIndicators(t.db.sql, ctx, caller, { tag: 'stix-hidden' })).bundle)).toEqual([]);
    }
    for (const value of ['private.example-stix.net', 'held.example-stix.net', 'retracted.example-stix.net']) {
      expect(await getStixIndicator(t.db.sql, ctx, { type: 'domain', value })).toBeNull();
    }
    // A feed owner withdraws a value still public through another feed: only that feed's sighting goes.
    await report(owner, 'pub', [{ value: 'shared.example-stix.net', tags: ['stix-shared'] }]);
    await report(other, 'pub2', [{ value: 'shared.example-stix.net', tags: ['stix-shared'] }]);
    const sightingsOfShared = async () => (await getStixIndicator(t.db.sql, ctx, { type: 'domain', value: 'shared.example-stix.net' }))!.objects.filter((o) => o.type === 'sighting');
    expect(await sightingsOfShared()).toHaveLength(2);
    const withdrawn = await retractFromFeed(t.db.sql, owner, 'pub', { value: 'shared.example-stix.net', reason: 'our mistake' });
    expect(withdrawn).toMatchObject({ stillPublic: true });
    await relayAll();
    expect(await sightingsOfShared()).toHaveLength(1);
    expect(values((await findStixIndicators(t.db.sql, ctx, other, { feed: `${owner}/pub`, tag: 'stix-shared' })).bundle)).toEqual([]);
    const [{ n }] = await t.db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM stix_objects o JOIN indicators i ON i.id = o.indicator_id WHERE i.value LIKE '%.example-stix.net' AND i.value NOT IN ($1, 'shared.example-stix.net')`,
      [VALUES.domain],
    );
    expect(n).toBe(0);
  });
});
