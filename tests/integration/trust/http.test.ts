// Trust over HTTP on a real node (needs a production build): the disputes route, the check answer's
// warnings and retraction, and the indicator page's trust note and retracted notice.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowListFromConfig, ingestIndicators } from '@/lib/ingest';
import { createTrustPolicy } from '@/lib/trust/policy';
import { retractIndicator } from '@/lib/trust/retract';
import { createUserWithToken, makeFeed } from '@/tests/integration/ingest/helpers';
import { setUpSeededServer } from '@/tests/helpers/seeded-server';

const hasBuild = existsSync(path.resolve(import.meta.dirname, '../../../.next/BUILD_ID'));
let token: string;

const node = setUpSeededServer(async ({ db }) => {
  const reporter = await createUserWithToken(db, 'firehose');
  token = reporter.token;
  await makeFeed(db, reporter.user.id, 'pub');
  const deps = { sql: db.sql, allowList: allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] }), trust: createTrustPolicy({}) };
  await ingestIndicators(deps, { ownerId: reporter.user.id, feed: 'pub', items: ['disputed-host.top', 'withdrawn-host.top', '8.8.8.8'] });
  await retractIndicator(db.sql, { type: 'domain', value: 'withdrawn-host.top', reason: 'a sinkhole, not a C2' });
}, { engineLog: true, hookTimeoutMs: 180_000, skip: !hasBuild });

const api = (p: string, init: RequestInit = {}) => fetch(node.server.url + p, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
const dispute = (p: string, body: unknown) => api(p, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe.skipIf(!hasBuild)('trust over HTTP', () => {
  it('disputes: 201, then 200 for a repeat, 404 for a value not public, 4xx JSON for bad input', async () => {
    let res = await dispute('/api/v1/indicators/domain/disputed-host.top/disputes', { reason: 'our CDN' });
    expect(res.status).toBe(201);
    expect((await res.json()).dispute).toMatchObject({ status: 'open', indicator: { type: 'domain', value: 'disputed-host.top' } });
    res = await dispute('/api/v1/indicators/domain/disputed-host.top/disputes', { reason: 'again' });
    expect(res.status).toBe(200);
    res = await dispute('/api/v1/indicators/domain/8.8.8.8/disputes', { reason: 'x' });
    expect(res.status).toBe(422);
    res = await dispute('/api/v1/indicators/ipv4/8.8.8.8/disputes', { reason: 'x' }); // held: not public
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('indicator_not_found');
    res = await dispute('/api/v1/indicators/bogus/x/disputes', { reason: 'x' });
    expect(res.status).toBe(400);
    res = await dispute('/api/v1/indicators/domain/disputed-host.top/disputes', { nope: 1 });
    expect(res.status).toBe(400);
    res = await fetch(node.server.url + '/api/v1/indicators/domain/disputed-host.top/disputes', { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
  });

  it('check answers warnings and retraction; the indicator page shows reporters and the retraction', async () => {
    let res = await api('/api/v1/check/8.8.8.8');
    expect(await res.json()).toMatchObject({ known: true, warnings: ['public-dns-v4'] });
    res = await api('/api/v1/check/withdrawn-host.top');
    expect(await res.json()).toMatchObject({ retracted: { reason: 'a sinkhole, not a C2' } });
    res = await fetch(node.server.url + '/i/domain/disputed-host.top');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Reported by <!-- -->1<!-- --> distinct reporter');
    res = await fetch(node.server.url + '/i/domain/withdrawn-host.top');
    expect(res.status).toBe(200);
    const withdrawn = await res.text();
    expect(withdrawn).toContain('Retracted');
    expect(withdrawn).toContain('a sinkhole, not a C2');
    res = await fetch(node.server.url + '/i/ipv4/8.8.8.8'); // held, never public: not seen yet
    expect(res.status).toBe(404);
  });
});
