// GET /api/v1/stix/indicators/{type}/{value}: one public indicator and its sightings as a STIX 2.1
// bundle; 404 for a value that is not public (unknown, private, held and retracted alike). The
// value may be defanged; encode it with encodeURIComponent (URLs contain slashes).
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { getStixIndicatorContract } from '@/lib/api-contract/routes/stix';
import { AppError } from '@/lib/errors';
import { getStixIndicator } from '@/lib/stix';
import { stixContext, stixResponse } from '../../stix-context';

type Params = { type: string; value: string[] };

export const GET = withApiToken<Params, typeof getStixIndicatorContract>(
  async (req, { runtime, params }) => {
    if ([...new URL(req.url).searchParams.keys()].length) throw new AppError('invalid_query', 'this route takes no query parameters', 400);
    const bundle = await getStixIndicator(runtime.db.sql, await stixContext(runtime), { type: params.type, value: params.value.join('/') });
    if (!bundle) throw new AppError('indicator_not_found', `no public ${params.type} ${params.value.join('/').slice(0, 200)}`, 404);
    return stixResponse(bundle);
  },
  { contract: getStixIndicatorContract },
);
