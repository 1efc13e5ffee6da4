// URL and email decomposition: a URL's host and an email address's domain become related
// indicators, linked to the original in both directions' findings. They are published into the
// system feed "related" only when the original came from a public sighting (a /check of a private
// or unknown value publishes nothing).
import { parseIndicator, type IndicatorType } from '../indicators';
import { publishOnce } from './marks';
import type { Analyzer, AnalyzerInput, Finding, RelatedIndicator } from './types';

/** The host of a URL or the domain of an email address, as an indicator; null otherwise. */
export function decompose(input: Pick<AnalyzerInput, 'type' | 'value'>): RelatedIndicator | null {
  let candidate: string | null = null;
  let relation = '';
  if (input.type === 'url') {
    try {
      candidate = new URL(input.value).hostname.replace(/^\[|\]$/g, '');
      relation = 'host';
    } catch {
      return null;
    }
  } else if (input.type === 'email') {
    candidate = input.value.slice(input.value.lastIndexOf('@') + 1);
    relation = 'domain';
  }
  if (!candidate) return null;
  const parsed = parseIndicator(candidate);
  if (!parsed.ok || !(['domain', 'ipv4', 'ipv6'] as IndicatorType[]).includes(parsed.type)) return null;
  return { type: parsed.type, value: parsed.value, relation };
}

const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

export const decompositionAnalyzer: Analyzer = {
  name: 'decomposition',
  async analyze(inputs, ctx) {
    const at = new Date(ctx.now());
    const out: Finding[][] = [];
    const toPublish: { input: AnalyzerInput; related: RelatedIndicator }[] = [];
    for (const input of inputs) {
      const related = decompose(input);
      if (!related) {
        out.push([]);
        continue;
      }
      out.push([{ analyzer: 'decomposition', kind: related.relation, summary: `${related.relation} ${related.value}`, related: [related], at: at.toISOString() }]);
      if (input.public) toPublish.push({ input, related });
    }
    for (const { input, related } of toPublish) {
      const label = input.type === 'url' ? 'host of' : 'domain of';
      // Once ever per original: notBefore = epoch means an existing mark is never re-claimed.
      await publishOnce(ctx.sql, { analyzer: 'decomposition', key: `${input.type}:${input.value}`, at, notBefore: new Date(0) }, async () => {
        await ctx.publish('related', [
          { value: related.value, type: related.type, tags: ['related', `${related.relation}-of-${input.type}`], description: clip(`${label} ${input.value}`, 1000), reference: clip(input.value, 2048) },
        ]);
        await ctx.note(related, {
          analyzer: 'decomposition',
          kind: `${related.relation}-of`,
          summary: clip(`${label} ${input.value}`, 300),
          related: [{ type: input.type, value: input.value, relation: `${related.relation}-of` }],
          at: at.toISOString(),
        });
      });
    }
    return out;
  },
};
