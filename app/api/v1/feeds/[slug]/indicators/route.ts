// POST /api/v1/feeds/{slug}/indicators: submit up to 1,000 indicators (JSON batch or text/plain,
// one per line) into one of your feeds; the answer gives each item's outcome. With an
// Idempotency-Key header, a retry of the same request gets the same answer without a second ingest.
import { NextResponse } from 'next/server';
import { errorResponse, jsonError } from '@/app/api/_lib/respond';
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { submitIndicatorsContract } from '@/lib/api-contract/routes/feeds';
import { readBodyWithLimit } from '@/lib/http/read-body';
import { isAppError } from '@/lib/errors';
import { allowListFromConfig, ingestIndicators, INGEST_LIMITS, parseSubmission, readIngestFeed, type IngestResult } from '@/lib/ingest';
import {
  findIdempotentAnswer,
  idempotencyErrors,
  idempotentIngest,
  IdempotentReplay,
  parseIdempotencyKey,
  requestHash,
  type StoredAnswer,
} from '@/lib/ingest/idempotency';
import { getJobQueue } from '@/lib/jobs';
import { getAnalysisEnqueuer } from '@/lib/jobs/analysis-enqueuer';
import { consumeSubmissions } from '@/lib/plan-limits';
import { recordUsage } from '@/lib/usage';
import { singleValuedQuery } from '@/lib/http/parse-input';


export const POST = withApiToken(
  async (req, { auth, runtime, params, reply }) => {
    const idempotencyKey = parseIdempotencyKey(req.headers.get('idempotency-key'));
    const bytes = await readBodyWithLimit(req.body, req.headers.get('content-length'), INGEST_LIMITS.maxBodyBytes);
    const url = new URL(req.url);
    const submission = parseSubmission(req.headers.get('content-type'), bytes, singleValuedQuery(url.searchParams));
    // Read once, here (an unknown feed is a 404 before anything is claimed or counted), and handed to the ingest.
    const feed = await readIngestFeed(runtime.db.sql, auth.user.id, params.slug);

    const keyed = idempotencyKey
      ? { key: idempotencyKey, hash: requestHash({ route: `feeds/${params.slug}/indicators`, contentType: req.headers.get('content-type'), query: url.search, body: bytes }) }
      : null;
    if (keyed) {
      // An answer already stored is sent before anything is counted; the ingest's transaction decides for good.
      const found = await findIdempotentAnswer(runtime.db.sql, auth.user.id, keyed.key, keyed.hash);
      if (found.kind === 'replay') return replay(found.answer);
      if (found.kind === 'mismatch') return errorResponse(idempotencyErrors().mismatch, req);
    }

    const limit = await consumeSubmissions(runtime.engines, auth.user.plan, auth.user.id, submission.items.length);
    if (!limit.allowed) return jsonError(429, limit.code, limit.message, {}, { 'retry-after': String(limit.retryAfterSeconds) });
    recordUsage(runtime, { userId: auth.user.id, tokenId: auth.tokenId }, { submissions: submission.items.length });

    const lines = submission.lines;
    const answerBody = (result: IngestResult) => ({
      feed: result.feed.slug,
      public: result.feed.public,
      accepted: result.accepted,
      rejected: result.rejected,
      results: lines ? result.results.map((r) => ({ ...r, line: lines[r.index] })) : result.results,
    });
    let result: IngestResult;
    try {
      result = await ingestIndicators(
        {
          sql: runtime.db.sql,
          allowList: allowListFromConfig(runtime.config),
          // Post-processing is enqueued after the commit, batched, without delaying this answer; a
          // queue that is down (Redis) never fails a submission that is already committed.
          afterCommit: (committed: IngestResult) => enqueueAnalysis(committed),
          // With a key, the key and this answer commit with the batch (lib/ingest/idempotency.ts).
          inTransaction: keyed
            ? idempotentIngest(auth.user.id, keyed.key, keyed.hash, (r: IngestResult): StoredAnswer => ({ status: 200, body: JSON.stringify(answerBody(r)) }))
            : undefined,
        },
        { ownerId: auth.user.id, feed: params.slug, items: submission.items, feedRecord: feed },
      );
    } catch (error) {
      if (error instanceof IdempotentReplay) return replay(error.answer);
      if (isAppError(error) && error.code === 'idempotency_key_in_progress') {
        const response = errorResponse(error, req);
        response.headers.set('retry-after', '1');
        return response;
      }
      throw error;
    }
    return reply(200, answerBody(result));

    function replay(answer: StoredAnswer) {
      return new NextResponse(answer.body, { status: answer.status, headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' } });
    }

    function enqueueAnalysis(committed: IngestResult) {
      try {
        getAnalysisEnqueuer(getJobQueue(runtime)).afterCommit(committed);
      } catch (error) {
        runtime.logger.warn({ err: error }, 'could not enqueue the analysis of a submission');
      }
    }
  },
  { contract: submitIndicatorsContract },
);
