// GET /api/v1/check/{value}: known or not, last seen, sightings, tags and feeds for one indicator.
// The value may be defanged; encode it with encodeURIComponent (URLs contain slashes).
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { checkIndicatorContract } from '@/lib/api-contract/routes/indicators';
import { getIndicatorAnalysis, requestAnalysis } from '@/lib/analyzers';
import { getJobQueue } from '@/lib/jobs';
import { checkIndicator } from '@/lib/search';
import { recordUsage } from '@/lib/usage';
import { singleValuedQuery } from '@/lib/http/parse-input';

type Params = { value: string[] };

export const GET = withApiToken<Params, typeof checkIndicatorContract>(
  async (req, { auth, runtime, params, reply }) => {
    const { type } = singleValuedQuery(new URL(req.url).searchParams);
    const query: Record<string, string> = { value: params.value.join('/') };
    if (type !== undefined) query.type = type;
    const result = await checkIndicator(runtime.db.sql, auth.user.id, query);
    recordUsage(runtime, { userId: auth.user.id, tokenId: auth.tokenId }, { lookups: 1 });
    // Analysis state only for a value the caller can see: for any other, "done at 10:02" would tell
    // them that someone looked it up. Such a value answers exactly as one never seen.
    const stored = await getIndicatorAnalysis(runtime.db.sql, result.indicator);
    const analysis = result.known ? stored : null;
    // A value never analysed gets its analysis requested after this answer (pending).
    if (!stored) {
      requestAnalysis(runtime.db.sql, getJobQueue(runtime), result.indicator).catch((error: unknown) =>
        runtime.logger.warn({ err: error }, 'could not request an analysis'),
      );
    }
    return reply(200, { ...result, analysis: analysis ?? { status: 'pending', findings: [], updatedAt: null } });
  },
  { contract: checkIndicatorContract },
);
