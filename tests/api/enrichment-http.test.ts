// IP enrichment through a started node (docs/enrichment.md): the node opens the database at start,
// GET /api/v1/check answers with the AS and country (and the enrichment analyzer's finding once the
// workers ran), the indicator page shows them with the CC BY attribution, and the HTTP stream
// refuses bad enrichment filters.
import { describe, expect, it, vi } from 'vitest';
import { createUserWithToken } from '@/tests/integration/ingest/helpers';
import { setUpSeededServer } from '@/tests/helpers/seeded-server';

let alice: { user: { id: string }; token: string };

const node = setUpSeededServer(async ({ db }) => {
  alice = await createUserWithToken(db, 'firehose');
}, { engineLog: true });

const api = (path: string, init: RequestInit = {}) => fetch(node.server.url + path, { ...init, headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

interface CheckBody {
  known: boolean;
  indicator: { type: string; value: string; asn?: number; asOrganization?: string; country?: string };
  analysis: { status: string; findings: { analyzer: string; kind: string; summary: string; data?: Record<string, unknown> }[] };
}

describe('enrichment over HTTP', () => {
  it('opens the database at start-up and says which', () => {
    const line = node.server.logs.find((l) => l.includes('IP enrichment database opened'));
    expect(line).toBeDefined();
    expect(line).toMatch(/@ip-location-db\/asn@/);
  });

  it('shows AS and country in /check and on the indicator page, with the attribution; the analyzer records them', async () => {
    expect((await api('/api/v1/feeds', { method: 'POST', body: JSON.stringify({ slug: 'pub', tlp: 'CLEAR' }) })).status).toBe(201);
    const submitted = await api('/api/v1/feeds/pub/indicators', { method: 'POST', body: JSON.stringify({ indicators: [{ value: '193.0.6.139', tags: ['scanner'] }] }) });
    expect(submitted.status).toBe(200);

    const res = await api('/api/v1/check/193.0.6.139');
    expect(res.status).toBe(200);
    const body = (await res.json()) as CheckBody;
    expect(body).toMatchObject({ known: true, indicator: { type: 'ipv4', value: '193.0.6.139', asn: 3333, country: 'NL' } });
    expect(body.indicator.asOrganization).toMatch(/RIPE/);

    // The workers' pass stores the enrichment analyzer's finding with the database versions.
    await vi.waitFor(
      async () => {
        const again = (await (await api('/api/v1/check/193.0.6.139')).json()) as CheckBody;
        expect(again.analysis.findings.map((f) => f.analyzer)).toContain('enrichment');
      },
      { timeout: 60_000, interval: 500 },
    );
    const analysed = (await (await api('/api/v1/check/193.0.6.139')).json()) as CheckBody;
    const finding = analysed.analysis.findings.find((f) => f.analyzer === 'enrichment')!;
    expect(finding).toMatchObject({ kind: 'network', data: { asn: 3333, country: 'NL' } });
    expect(finding.summary).toMatch(/^AS3333 .*RIPE.* · NL$/);

    const unknown = (await (await api('/api/v1/check/10.20.30.40')).json()) as CheckBody;
    expect(unknown.indicator).toEqual({ type: 'ipv4', value: '10.20.30.40' });

    const page = await fetch(`${node.server.url}/i/ipv4/193.0.6.139`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-testid="indicator-network"');
    expect(html).toMatch(/AS<!-- -->3333|AS3333/);
    expect(html).toContain('Netherlands');
    expect(html).toContain('data-testid="enrichment-attribution"');
    expect(html).toContain('https://db-ip.com');
    expect(html).toContain('CC BY 4.0');
  });

  it('refuses bad enrichment filters on the HTTP stream with 400', async () => {
    for (const query of ['?countries=ZZ', '?asns=x', `?asns=${Array.from({ length: 51 }, (_, i) => i + 1).join(',')}`]) {
      const res = await api(`/api/v1/stream${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
  });
});
