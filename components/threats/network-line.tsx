// An IP's autonomous system and country (lib/enrichment) with the attribution its CC BY 4.0 data
// asks for on every page that shows it.
import { ENRICHMENT_ATTRIBUTION } from '@/lib/enrichment/attribution';
import type { IpEnrichment } from '@/lib/enrichment/enrich-indicator';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

function countryName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

export function NetworkLine({ enrichment }: { enrichment: IpEnrichment }) {
  const { asn, asOrganization, country } = enrichment;
  if (asn === undefined && country === undefined) return null;
  return (
    <div className="mt-3" data-testid="indicator-network">
      <p className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-sm text-slate-300">
        {asn !== undefined ? (
          <span>
            <span className="font-mono text-slate-100" data-testid="indicator-asn">
              AS{asn}
            </span>
            {asOrganization ? <span className="ml-1.5 text-slate-300">{asOrganization}</span> : null}
          </span>
        ) : null}
        {country ? (
          <span data-testid="indicator-country">
            {countryName(country)} <span className="font-mono text-xs text-slate-400">({country})</span>
          </span>
        ) : null}
      </p>
      <p className="mt-1 text-[11px] text-slate-500" data-testid="enrichment-attribution">
        AS and country data:{' '}
        {ENRICHMENT_ATTRIBUTION.links.map((l, i) => (
          <span key={l.href}>
            {i ? ', ' : ''}
            <a href={l.href} rel="noopener noreferrer" target="_blank" className="underline decoration-slate-600 hover:text-slate-300">
              {l.label}
            </a>
          </span>
        ))}{' '}
        (CC BY 4.0), via ip-location-db.
      </p>
    </div>
  );
}
