// GET /api/v1/exports — the list of exports and their query parameters (docs/exports.md).
import { NextResponse } from 'next/server';
import { withPublicRoute } from '@/app/api/_lib/with-api-token';
import { listExportsContract } from '@/lib/api-contract/routes/exports';
import { CONFIDENCE_STEP, DEFAULT_EXPORT_DAYS, EXPORT_DAYS, EXPORT_NAMES, FORMAT_TYPES } from '@/lib/exports';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export const GET = withPublicRoute(listExportsContract, async () => {
  const { config } = getRuntime();
  return NextResponse.json(
    {
      exports: Object.entries(EXPORT_NAMES).map(([name, e]) => ({ name, path: `/api/v1/exports/${name}`, format: e.format, types: e.type ? [e.type] : FORMAT_TYPES[e.format] })),
      parameters: {
        tag: 'one tag',
        feed: 'one public feed slug',
        minConfidence: `0–100, a multiple of ${CONFIDENCE_STEP}`,
        days: { allowed: EXPORT_DAYS, default: DEFAULT_EXPORT_DAYS },
        type: 'one indicator type (csv, json, rules)',
      },
      tiers: {
        free: { who: 'anonymous or a free-plan token', delaySeconds: config.EXPORTS_FREE_DELAY_SECONDS },
        firehose: { who: 'a Firehose-plan token (Authorization: Bearer)', delaySeconds: 0 },
      },
      refreshSeconds: config.EXPORTS_INTERVAL_SECONDS,
    },
    { headers: { 'cache-control': 'public, max-age=60', 'access-control-allow-origin': '*' } },
  );
});
