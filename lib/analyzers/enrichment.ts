// The enrichment analyzer: AS number, AS organisation and country of every IP (lib/enrichment). It
// is in-memory and costs microseconds per value; its finding makes the result part of the stored
// analysis, so /check and the workers' "examine again" pass show which database version said what.
// Events carry the same fields from the moment they are written (lib/ingest), not from this pass.
import { enrichIndicator, getEnrichmentDatabase } from '../enrichment/enrich-indicator';
import type { Analyzer, Finding } from './types';

export const enrichmentAnalyzer: Analyzer = {
  name: 'enrichment',
  async analyze(inputs, ctx) {
    const at = new Date(ctx.now()).toISOString();
    return inputs.map((input): Finding[] => {
      const e = enrichIndicator(input.type, input.value);
      if (e.asn === undefined && e.country === undefined) return [];
      const parts = [e.asn !== undefined ? `AS${e.asn}${e.asOrganization ? ` ${e.asOrganization}` : ''}` : null, e.country ?? null].filter(Boolean);
      const db = getEnrichmentDatabase();
      return [
        {
          analyzer: 'enrichment',
          kind: 'network',
          summary: parts.join(' · '),
          data: { ...e, database: db ? { asn: db.info.asn.version, country: db.info.country.version } : null },
          at,
        },
      ];
    });
  },
};
