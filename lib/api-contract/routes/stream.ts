// Contract of GET /api/v1/stream, the firehose over plain HTTP (served by the gateway,
// server/gateway/http-stream.ts, not by a Next route): SSE or NDJSON, same handshake as socket.io.
import { z } from 'zod';
import { INDICATOR_TYPES } from '../../indicators/types';
import { HTTP_STREAM_PATH } from '../../realtime/protocol';
import { defineRoute } from '../define';

const list = (what: string) => z.string().optional().meta({ description: `${what}, comma-separated (or the parameter repeated)` });

export const streamContract = defineRoute({
  method: 'GET',
  path: HTTP_STREAM_PATH as '/api/v1/stream',
  operationId: 'streamFirehose',
  summary: 'The firehose as Server-Sent Events or NDJSON',
  description:
    'The same stream as the socket.io `/firehose` namespace (see `/api/v1/asyncapi.json`): a Firehose-plan token with the `stream` scope. ' +
    'SSE: each event is a message with `id: <cursor>` and `data: <event JSON>`; the end is `event: end` with `data: {"reason","message","cursor"}`; ' +
    'heartbeats are comments. NDJSON: one event per line, the end is `{"end":{"reason","message","cursor"}}`, heartbeats are empty lines. ' +
    'Refusals before the stream starts are JSON errors. Events follow the `FirehoseEvent` schema.',
  tags: ['stream'],
  scope: 'stream',
  rateLimitHeaders: false,
  query: z.object({
    types: list(`indicator types (${INDICATOR_TYPES.join(', ')})`),
    tags: list('receive events carrying at least one of these tags'),
    feeds: list('feeds as "owner/slug" or "slug"'),
    minConfidence: z.string().regex(/^\d{1,3}$/).optional().meta({ description: 'minimum confidence, 0–100' }),
    asns: list('IP events whose address is announced by one of these AS numbers ("13335" or "AS13335"; at most 50)'),
    countries: list('IP events whose address is in one of these countries (ISO 3166-1 alpha-2, e.g. DE; at most 50)'),
    since: z.string().max(64).optional().meta({ description: 'resume after this cursor (SSE: also the Last-Event-ID header)' }),
    format: z.enum(['sse', 'ndjson']).optional().meta({ description: 'instead of the Accept header (SSE unless application/x-ndjson is asked for)' }),
    access_token: z.string().optional().meta({ description: 'the token, for clients that cannot send Authorization (EventSource)' }),
  }),
  headers: z.object({ 'Last-Event-ID': z.string().optional().meta({ description: 'SSE: resume after this cursor' }) }),
  responses: {
    200: {
      description: 'the stream, until the client leaves or the server ends it',
      contentType: 'text/event-stream',
      schema: z.string().meta({ description: 'SSE messages' }),
      otherContent: { 'application/x-ndjson': z.string().meta({ description: 'one JSON event per line (Accept: application/x-ndjson or ?format=ndjson)' }) },
    },
  },
  errors: ['invalid_cursor', 'plan_required', 'cursor_expired', 'too_many_streams', 'method_not_allowed'],
});
