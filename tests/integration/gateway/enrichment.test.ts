// IP enrichment end to end (docs/enrichment.md): an ingested IP's event carries its AS number,
// organisation and country live and on replay; the `asns` and `countries` filters deliver only
// matching events on socket.io and over SSE; bad filters are refused; /check shows the same fields.
import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirehoseEvent } from '@/lib/events';
import { allowListFromConfig, ingestIndicators } from '@/lib/ingest';
import { createLogger } from '@/lib/logger';
import { checkIndicator } from '@/lib/search';
import { getPublicCheck } from '@/lib/threats/get-public-check';
import { createTrustPolicy } from '@/lib/trust/policy';
import { startRelay, type Relay } from '@/server/relay';
import { collect, connected, connectError, startGatewayHarness, until, type GatewayHarness } from '@/tests/helpers/gateway-harness';
import { makeFeed } from '@/tests/integration/ingest/helpers';

let h: GatewayHarness;
let relay: Relay;
let reporter: string;
const allowList = allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] });
const trust = createTrustPolicy({}, { TRUST_NEW_ACCOUNT_HOURS: 24 });

// Long-standing announcements in the shipped database (tests/unit/enrichment checks them too).
const RIPE = { value: '193.0.6.139', asn: 3333, country: 'NL' };
const ALPHA = { value: '45.83.64.1', asn: 208843, country: 'DE' };
const GOOGLE6 = { value: '2a00:1450:4001:80b::200e', asn: 15169, country: 'IE' };
const DOMAIN = 'enrichment-test-host.top';

beforeAll(async () => {
  h = await startGatewayHarness();
  relay = startRelay({ engines: h.runtime.engines, logger: createLogger('silent') }, { pollMs: 20 });
  const { userId } = await h.makeToken({ plan: 'free' });
  // An established reporter: its public sightings stream at once (docs/trust.md).
  await h.runtime.db.sql.query(`UPDATE users SET created_at = now() - interval '30 days' WHERE id = $1::uuid`, [userId]);
  await makeFeed(h.t.db, userId, 'pub');
  reporter = userId;
}, 120_000);
afterAll(async () => {
  await relay?.stop();
  await h?.close();
});

const ingest = (values: string[]) =>
  ingestIndicators({ sql: h.runtime.db.sql, allowList, trust }, { ownerId: reporter, feed: 'pub', items: values.map((value) => ({ value, tags: ['enrichment'] })) });

interface SseReader {
  status: number;
  events: FirehoseEvent[];
  body: string;
  closed: boolean;
  abort(): void;
}

function sse(query: string, token: string): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.url}/api/v1/stream${query}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      const reader: SseReader = { status: res.statusCode ?? 0, events: [], body: '', closed: false, abort: () => req.destroy() };
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        reader.body += chunk;
        buffer += chunk;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const lines = buffer.slice(0, at).split('\n');
          buffer = buffer.slice(at + 2);
          const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data && !lines.some((l) => l === 'event: end')) reader.events.push(JSON.parse(data) as FirehoseEvent);
        }
      });
      res.on('close', () => (reader.closed = true));
      resolve(reader);
    });
    req.end();
  });
}

const values = (events: FirehoseEvent[]) => events.map((e) => e.indicator.value).sort();

describe('enrichment on the firehose', () => {
  it('carries asn, organisation and country on live and replayed events, and filters by them on socket.io and SSE', async () => {
    const { token } = await h.makeToken();
    const [before] = await h.append(1, () => ({ indicator: { type: 'domain', value: 'before.example-enrichment.net', tags: [], confidence: 50, firstSeen: new Date().toISOString(), lastSeen: new Date().toISOString(), count: 1 } }));

    const all = h.client({ token, filters: { tags: ['enrichment'] } });
    const byAsn = h.client({ token, filters: { asns: [RIPE.asn, 64_496] } });
    const byCountry = h.client({ token, filters: { countries: ['de', 'IE'] } });
    const both = h.client({ token, filters: { asns: [RIPE.asn, ALPHA.asn], countries: ['DE'] } });
    const sinks = { all: collect(all), byAsn: collect(byAsn), byCountry: collect(byCountry), both: collect(both) };
    await Promise.all([all, byAsn, byCountry, both].map(connected));
    const sseAsn = await sse(`?asns=AS${RIPE.asn}`, token);
    const sseCountry = await sse('?countries=de,ie', token);
    expect([sseAsn.status, sseCountry.status]).toEqual([200, 200]);

    const result = await ingest([RIPE.value, ALPHA.value, GOOGLE6.value, DOMAIN]);
    expect(result.accepted).toBe(4);
    await until(() => sinks.all.events.length >= 4, 10_000, 'the four events');
    await until(() => sseAsn.events.length >= 1 && sseCountry.events.length >= 2 && sinks.byCountry.events.length >= 2, 10_000, 'the filtered streams');
    await new Promise((r) => setTimeout(r, 300)); // nothing more may arrive

    const byValue = new Map(sinks.all.events.map((e) => [e.indicator.value, e]));
    for (const ip of [RIPE, ALPHA, GOOGLE6]) {
      expect(byValue.get(ip.value)?.indicator).toMatchObject({ asn: ip.asn, country: ip.country, asOrganization: expect.any(String) });
    }
    expect(byValue.get(RIPE.value)?.indicator.asOrganization).toMatch(/RIPE/);
    const domain = byValue.get(DOMAIN)!.indicator;
    expect([domain.asn, domain.asOrganization, domain.country]).toEqual([undefined, undefined, undefined]);

    expect(values(sinks.byAsn.events)).toEqual([RIPE.value]);
    expect(values(sinks.byCountry.events)).toEqual([ALPHA.value, GOOGLE6.value].sort());
    expect(values(sinks.both.events)).toEqual([ALPHA.value]); // AS and country both hold
    expect(values(sseAsn.events)).toEqual([RIPE.value]);
    expect(values(sseCountry.events)).toEqual([ALPHA.value, GOOGLE6.value].sort());
    expect(sseAsn.events[0].indicator).toMatchObject({ asn: RIPE.asn, country: RIPE.country });

    // Replay from the log (the durable copy in PostgreSQL or PGlite): the same fields, the same filters.
    const replay = h.client({ token, since: before.cursor, filters: { countries: ['NL'] } });
    const replayed = collect(replay);
    await connected(replay);
    await until(() => replayed.events.length >= 1, 10_000, 'the replayed event');
    expect(replayed.events.map((e) => e.id)).toEqual([byValue.get(RIPE.value)!.id]);
    expect(replayed.events[0].indicator).toMatchObject({ asn: RIPE.asn, country: 'NL', asOrganization: byValue.get(RIPE.value)!.indicator.asOrganization });
    const sseReplay = await sse(`?since=${encodeURIComponent(before.cursor)}&asns=${GOOGLE6.asn}`, token);
    await until(() => sseReplay.events.length >= 1, 10_000, 'the SSE replay');
    expect(sseReplay.events[0].indicator).toMatchObject({ value: GOOGLE6.value, asn: GOOGLE6.asn, country: GOOGLE6.country });

    // A subscription change to an AS filter applies to what comes next.
    const ack = await all.timeout(5000).emitWithAck('subscribe', { asns: [ALPHA.asn, ALPHA.asn] });
    expect(ack).toEqual({ data: { filters: { asns: [ALPHA.asn] } } });
    for (const s of [all, byAsn, byCountry, both, replay]) s.disconnect();
    for (const r of [sseAsn, sseCountry, sseReplay]) r.abort();
  });

  it.each([
    ['an AS number that is not an integer', { asns: ['x'] }],
    ['AS 0', { asns: [0] }],
    ['a fractional AS', { asns: [1.5] }],
    ['an AS above 32 bits', { asns: [2 ** 32] }],
    ['too many AS numbers', { asns: Array.from({ length: 51 }, (_, i) => i + 1) }],
    ['an unknown country code', { countries: ['ZZ'] }],
    ['a three-letter code', { countries: ['DEU'] }],
    ['a country name', { countries: ['Germany'] }],
    ['too many countries', { countries: Array.from({ length: 51 }, () => 'DE') }],
  ])('refuses %s at connect and on subscribe', async (_, filters) => {
    const { token } = await h.makeToken();
    const refusal = await connectError(h.client({ token, filters: filters as never }));
    expect(refusal.code).toBe('invalid_request');
    expect(refusal.message).toMatch(/filters\.(asns|countries)/);
    const socket = h.client({ token });
    await connected(socket);
    const ack = (await socket.timeout(5000).emitWithAck('subscribe', filters as never)) as { error?: { code: string } };
    expect(ack.error?.code).toBe('invalid_filters');
    socket.disconnect();
  });

  it.each(['?asns=banana', '?asns=0', '?asns=AS', '?countries=XX', '?countries=deu', `?countries=${Array.from({ length: 51 }, () => 'de').join(',')}`, `?asns=${'9'.repeat(11)}`])(
    'refuses the HTTP stream %s with 400 invalid_request',
    async (query) => {
      const { token } = await h.makeToken();
      const reader = await sse(query, token);
      expect(reader.status).toBe(400);
      await until(() => reader.closed, 5000, 'the refusal body');
      expect(JSON.parse(reader.body)).toMatchObject({ error: { code: 'invalid_request' } });
    },
  );
});

describe('enrichment in /check', () => {
  it('answers with the AS and country of an IP, known or not, and nothing for other types', async () => {
    const sql = h.runtime.db.sql;
    const known = await checkIndicator(sql, reporter, { value: RIPE.value });
    expect(known).toMatchObject({ known: true, indicator: { type: 'ipv4', value: RIPE.value, asn: RIPE.asn, country: 'NL' } });
    const unknown = await checkIndicator(sql, reporter, { value: '2a00:1450:4001:80b::2001' });
    expect(unknown).toMatchObject({ known: false, indicator: { asn: GOOGLE6.asn, country: 'IE' } });
    const publicView = await getPublicCheck(sql, { type: 'ipv4', value: ALPHA.value });
    expect(publicView.indicator).toMatchObject({ asn: ALPHA.asn, country: 'DE', asOrganization: expect.any(String) });
    const domain = await checkIndicator(sql, reporter, { value: DOMAIN });
    expect(domain.indicator).toEqual({ type: 'domain', value: DOMAIN });
    const private10 = await checkIndicator(sql, reporter, { value: '10.1.2.3' });
    expect(private10.indicator).toEqual({ type: 'ipv4', value: '10.1.2.3' });
  });
});
