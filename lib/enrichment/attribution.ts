// The attribution the data's CC BY 4.0 licences ask for, shown wherever enrichment is shown
// (the indicator page) and in the README / docs/enrichment.md.
export const ENRICHMENT_ATTRIBUTION = {
  text: 'AS and country data: RouteViews, NRO (the five RIRs) and DB-IP, CC BY 4.0, via ip-location-db',
  links: [
    { label: 'IP to ASN by DB-IP', href: 'https://db-ip.com' },
    { label: 'RouteViews', href: 'https://www.routeviews.org' },
    { label: 'NRO', href: 'https://www.nro.net' },
  ],
} as const;
