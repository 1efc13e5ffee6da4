// Contracts of the bulk exports and blocklists (app/api/v1/exports/**, docs/exports.md): public
// routes whose tier depends on the token, if any (anonymous or free: delayed; Firehose: current).
import { z } from 'zod';
import 'zod-openapi';
import { exportQuerySchema } from '../../exports/parse-export-request';
import { defineRoute } from '../define';

const exportHeaders = {
  ETag: { description: 'changes only when the export’s content does (send it back as If-None-Match)', schema: z.string() },
  'Last-Modified': { description: 'when the content last changed (send it back as If-Modified-Since)', schema: z.string() },
  'Sluice-Export-Tier': { description: '`free` (delayed) or `firehose` (current)', schema: z.enum(['free', 'firehose']) },
  'Sluice-Export-Count': { description: 'how many indicators the export lists', schema: z.string() },
};

export const listExportsContract = defineRoute({
  method: 'GET',
  path: '/api/v1/exports',
  operationId: 'listExports',
  summary: 'The exports and blocklists, their parameters and tiers',
  tags: ['exports'],
  scope: null,
  responses: {
    200: {
      description: 'every export name with its format and types, the query parameters, the tiers and the refresh interval',
      schema: z
        .looseObject({
          exports: z.array(z.looseObject({ name: z.string(), path: z.string(), format: z.string(), types: z.array(z.string()) })),
          parameters: z.record(z.string(), z.unknown()),
          tiers: z.record(z.string(), z.unknown()),
          refreshSeconds: z.number(),
        })
        .meta({ id: 'ExportList' }),
    },
  },
  errors: [],
});

export const getExportContract = defineRoute({
  method: 'GET',
  path: '/api/v1/exports/{name}',
  operationId: 'getExport',
  summary: 'A blocklist or bulk export of public indicators',
  description:
    '`{type}.txt` (one value per line), `indicators.csv`, `indicators.json`, `rpz.zone` (domains), `suricata.rules` and `snort.rules` (IPs and domains). ' +
    'No token or a free-plan token: the Free tier, delayed; a Firehose-plan token (`Authorization: Bearer`): current data. ' +
    'Only values that stream appear (never private, held or retracted ones). Poll with If-None-Match for 304s.',
  tags: ['exports'],
  scope: null,
  params: z.object({ name: z.string().meta({ example: 'ipv4.txt' }) }),
  query: exportQuerySchema,
  responses: {
    200: {
      description: 'the export',
      contentType: 'text/plain',
      schema: z.string().meta({ description: 'txt: one value per line; suricata/snort: one rule per line' }),
      otherContent: {
        'text/csv': z.string().meta({ description: 'CSV with a header row (formula-safe cells)' }),
        'application/json': z.record(z.string(), z.unknown()).meta({ description: 'the indicators and the export’s metadata' }),
        'text/dns': z.string().meta({ description: 'an RPZ zone file' }),
      },
      headers: exportHeaders,
    },
    304: { description: 'not modified since the ETag or date sent', headers: exportHeaders },
  },
  errors: ['invalid_query', 'export_not_found', 'invalid_token', 'token_expired', 'address_not_allowed', 'scope_required', 'rate_limited', 'daily_limit'],
});
