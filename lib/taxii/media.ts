// TAXII 2.1 media types and content negotiation (TAXII 2.1 §1.6.8): a request whose Accept names
// nothing this server can answer with gets 406.
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [type, ...rest] = part.split(';');
      const params = new Map<string, string>();
      for (const p of rest) {
        const eq = p.indexOf('=');
        if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
      }
      const q = params.has('q') ? Number(params.get('q')) : 1;
      return { type: type.trim().toLowerCase(), params, q: Number.isFinite(q) ? q : 0 };
    });
}

/**
 * Whether the Accept header admits TAXII 2.1 JSON: `application/taxii+json` without a version or
 * with `version=2.1` (and, where `alsoStix`, `application/stix+json` likewise), or a wildcard
 * range. No Accept header admits anything (RFC 9110 §12.5.1).
 */
export function acceptsTaxii(header: string | null, { alsoStix = false } = {}): boolean {
  if (header === null || header.trim() === '') return true;
  return parseAccept(header).some((r) => {
    if (r.q <= 0) return false;
    const version = r.params.get('version');
    if (version !== undefined && version !== '2.1') return false;
    if (r.type === '*/*' || r.type === 'application/*') return true;
    return r.type === 'application/taxii+json' || (alsoStix && r.type === 'application/stix+json');
  });
}
