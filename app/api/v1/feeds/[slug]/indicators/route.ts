// POST /api/v1/feeds/{slug}/indicators: submit up to 1,000 indicators (JSON batch or text/plain,
// one per line) into one of your feeds; the answer gives each item's outcome.
import { NextResponse } from 'next/server';
import { jsonError } from '@/app/api/_lib/respond';
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { getFeedOrThrow } from '@/lib/feeds';
import { allowListFromConfig, ingestIndicators, INGEST_LIMITS, parseSubmission, readBodyWithLimit } from '@/lib/ingest';
import { getJobQueue } from '@/lib/jobs';
import { getAnalysisEnqueuer } from '@/lib/jobs/analysis-enqueuer';
import { PLANS } from '@/lib/plans';

type Params = { slug: string };

export const POST = withApiToken<Params>(
  async (req, { auth, runtime, params }) => {
    const bytes = await readBodyWithLimit(req.body, req.headers.get('content-length'), INGEST_LIMITS.maxBodyBytes);
    const query = Object.fromEntries(new URL(req.url).searchParams);
    const submission = parseSubmission(req.headers.get('content-type'), bytes, query);
    await getFeedOrThrow(runtime.db.prisma, auth.user.id, params.slug);

    const plan = PLANS[auth.user.plan];
    const limit = await runtime.engines
      .rateLimiter({ name: `submit:${plan.id}`, points: plan.submissionsPerHour, durationSeconds: 3600 })
      .consume(auth.user.id, submission.items.length);
    if (!limit.allowed) {
      const seconds = Math.ceil(limit.retryAfterMs / 1000);
      return jsonError(
        429,
        'submission_limit',
        `the ${plan.name} plan accepts ${plan.submissionsPerHour} indicators per hour; retry in ${seconds} s`,
        {},
        { 'retry-after': String(seconds) },
      );
    }

    const result = await ingestIndicators(
      // Post-processing is enqueued after the commit, batched, without delaying this answer.
      { sql: runtime.db.sql, allowList: allowListFromConfig(runtime.config), afterCommit: getAnalysisEnqueuer(getJobQueue(runtime)).afterCommit },
      { ownerId: auth.user.id, feed: params.slug, items: submission.items },
    );
    const lines = submission.lines;
    return NextResponse.json({
      feed: result.feed.slug,
      public: result.feed.public,
      accepted: result.accepted,
      rejected: result.rejected,
      results: lines ? result.results.map((r) => ({ ...r, line: lines[r.index] })) : result.results,
    });
  },
  { scope: 'submit' },
);
