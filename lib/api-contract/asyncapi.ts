// The AsyncAPI 3 document of the streaming protocol, generated from lib/realtime/protocol.ts: the
// socket.io namespaces /firehose and /public and the HTTP stream GET /api/v1/stream (handshake,
// events, filters, refusals, end reasons). Served at GET /api/v1/asyncapi.json; committed as
// docs/asyncapi.json by `npm run generate`.
// Longer than 300 lines because it is one document: every channel, message and schema of the
// protocol described in one place, with the exhaustive refusal and end-reason tables.
import { z } from 'zod';
import {
  CONNECT_ERROR_CODES,
  FIREHOSE_NAMESPACE,
  firehoseAuthSchema,
  HTTP_STREAM_PATH,
  INTRODUCTIONS_EVENT,
  PUBLIC_NAMESPACE,
  SLOW_CONSUMER_CLOSE_CODE,
  STREAM_END_REASONS,
  streamFiltersSchema,
  type ClientToServerEvents,
  type ConnectErrorCode,
  type ConnectErrorData,
  type ServerToClientEvents,
  type StreamEndReason,
  type StreamEnded,
} from '../realtime/protocol';
import type { PublicStreamEvent } from '../threats/public-event';
import { assertSameType } from './define';
import { API_VERSION } from './openapi';
import { firehoseEventSchema } from './schemas';

/** What each refusal means (exhaustive: a code added to the protocol fails typecheck here). */
const REFUSALS: Record<ConnectErrorCode, string> = {
  invalid_token: 'missing, malformed, unknown or revoked token',
  token_expired: "the token's expiry has passed: create a new one",
  address_not_allowed: 'the token lists the networks it may be used from, and this connection comes from none of them',
  scope_required: 'the token lacks the `stream` scope',
  plan_required: 'the owner is not on the Firehose plan (subscribing enables existing tokens)',
  cursor_expired: '`since` is older than the retention window; `oldest` is the oldest cursor available (backfill with GET /api/v1/indicators)',
  invalid_cursor: '`since` is malformed',
  invalid_request: '`filters` (or another handshake field) is malformed',
  rate_limited: 'too many connections (the /public namespace: per client address); retry later',
  too_many_streams: "the token already holds its plan's concurrent streams (`limit`): close one or use another token",
  unavailable: 'the server could not check the connection just now (database or Redis unreachable): retry with backoff',
};

/** Why the server ended a stream (exhaustive, like REFUSALS). */
const END_REASONS: Record<StreamEndReason, string> = {
  token_revoked: 'the token was revoked (final)',
  token_expired: 'the token expired (final; seen within STREAM_RECHECK_SECONDS of its expiry)',
  plan_ended: 'the owner left the Firehose plan (final)',
  slow_consumer: `the client fell too far behind; the connection is cut (websocket close code ${SLOW_CONSUMER_CLOSE_CODE}), often without this notice: resume with since`,
  server_shutdown: 'the node is shutting down: reconnect (to another node) with since',
  unavailable: 'the server could not replay the log after the cursor: reconnect with since',
};

const describeAll = (entries: Record<string, string>) =>
  Object.entries(entries)
    .map(([code, text]) => `- \`${code}\`: ${text}`)
    .join('\n');

const connectErrorSchema = z
  .object({
    code: z.enum(CONNECT_ERROR_CODES).meta({ description: describeAll(REFUSALS) }),
    message: z.string(),
    oldest: z.string().nullable().optional().meta({ description: 'with cursor_expired: the oldest cursor still available (null when the log is empty)' }),
    limit: z.number().int().optional().meta({ description: 'with too_many_streams: the concurrent streams this token may hold' }),
  })
  .meta({ id: 'ConnectError', description: 'The `data` of a socket.io connect_error: why the handshake was refused.' });
assertSameType<z.output<typeof connectErrorSchema>, ConnectErrorData>(true);

const streamEndedSchema = z
  .object({
    reason: z.enum(STREAM_END_REASONS).meta({ description: describeAll(END_REASONS) }),
    message: z.string(),
    cursor: z.string().nullable().meta({ description: 'the last cursor delivered: resume after it' }),
  })
  .meta({ id: 'StreamEnded' });
assertSameType<z.output<typeof streamEndedSchema>, StreamEnded>(true);

const publicEventSchema = firehoseEventSchema
  .extend({ feed: z.object({ slug: z.string() }) })
  .meta({ id: 'PublicStreamEvent', description: 'A firehose event as the tokenless /public stream carries it: the feed without its owner.' });
assertSameType<z.output<typeof publicEventSchema>, PublicStreamEvent>(true);

const subscribeAckSchema = z
  .union([
    z.object({ data: z.object({ filters: streamFiltersSchema }) }),
    z.object({ error: z.object({ code: z.literal('invalid_filters'), message: z.string() }) }),
  ])
  .meta({ id: 'SubscribeAck' });

const introductionsAckSchema = z
  .union([
    z.object({
      data: z.object({
        instance: z.string().describe('the introducing instance’s id'),
        peers: z.array(z.object({ name: z.string(), url: z.string(), instance: z.string().nullable() })).max(100),
      }),
    }),
    z.object({ error: z.object({ code: z.enum(['scope_required', 'unavailable']), message: z.string() }) }),
  ])
  .meta({ id: 'IntroductionsAck' });

// The event names, checked against the protocol's typed events.
const EVENTS = {
  indicators: 'indicators',
  ended: 'stream:ended',
  subscribe: 'subscribe',
  introductions: INTRODUCTIONS_EVENT,
} as const satisfies {
  indicators: keyof ServerToClientEvents;
  ended: keyof ServerToClientEvents;
  subscribe: keyof ClientToServerEvents;
  introductions: keyof ClientToServerEvents;
};

type JsonSchema = Record<string, unknown>;

/** zod → JSON Schema (draft-07, AsyncAPI's default), with named parts hoisted into components. */
function toSchema(schema: z.ZodType, components: Record<string, JsonSchema>, io: 'input' | 'output' = 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!node || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.$ref = value.replace(/^#\/definitions\//, '#/components/schemas/');
      else if (key !== '$schema' && key !== 'definitions' && key !== 'id') out[key] = rewrite(value);
    }
    return out;
  };
  const definitions = (json.definitions ?? {}) as Record<string, JsonSchema>;
  for (const [name, definition] of Object.entries(definitions)) components[name] ??= rewrite(definition) as JsonSchema;
  return rewrite(json) as JsonSchema;
}

/** The whole document; `host` is where Sluice is served (a server variable, localhost:3000 by default). */
export function buildAsyncApiDocument() {
  const schemas: Record<string, JsonSchema> = {};
  const named = (id: string, schema: z.ZodType, io: 'input' | 'output' = 'output') => {
    const ref = `#/components/schemas/${id}`;
    const json = toSchema(schema, schemas, io);
    // A schema with a meta id comes back as a $ref to its hoisted self.
    if (json.$ref !== ref) schemas[id] = json;
    return { $ref: ref };
  };
  const auth = named('FirehoseAuth', firehoseAuthSchema, 'input');
  const filters = named('StreamFilters', streamFiltersSchema, 'input');
  const event = named('FirehoseEvent', firehoseEventSchema);
  const ended = named('StreamEnded', streamEndedSchema);
  const refusal = named('ConnectError', connectErrorSchema);
  const publicEvent = named('PublicStreamEvent', publicEventSchema);
  const ack = named('SubscribeAck', subscribeAckSchema);
  const introductionsAck = named('IntroductionsAck', introductionsAckSchema);
  const httpError = named(
    'HttpStreamError',
    z.object({ error: z.looseObject({ code: z.enum(CONNECT_ERROR_CODES), message: z.string(), oldest: z.string().nullable().optional(), limit: z.number().int().optional() }) }),
  );

  const message = (name: string, title: string, payload: unknown, description: string) => ({ name, title, summary: title, description, contentType: 'application/json', payload });
  const server = { $ref: '#/servers/sluice' };
  const httpServer = { $ref: '#/servers/sluiceHttp' };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Sluice streaming protocol',
      version: API_VERSION,
      description:
        'The firehose: every public indicator event the moment it is reported, in log order, with cursors to resume without gap or duplicate. ' +
        `Two transports share one log, handshake, filters, refusals and end reasons: socket.io v4 (namespace \`${FIREHOSE_NAMESPACE}\`, websocket transport) and plain HTTP ` +
        `(\`GET ${HTTP_STREAM_PATH}\`, Server-Sent Events or NDJSON). A tokenless, delayed, capped \`${PUBLIC_NAMESPACE}\` namespace feeds the public threats page. ` +
        'Delivery is at least once: de-duplicate by event `id`. Cursors are opaque; compare them only for equality. The REST API is described at /api/v1/openapi.json.',
      license: { name: 'MIT' },
    },
    defaultContentType: 'application/json',
    servers: {
      sluice: {
        host: '{host}',
        protocol: 'ws',
        description: 'socket.io v4 over websocket on the site’s host and port (wss behind TLS)',
        variables: { host: { default: 'localhost:3000', description: 'the Sluice host and port' } },
        security: [{ $ref: '#/components/securitySchemes/token' }],
      },
      sluiceHttp: {
        host: '{host}',
        protocol: 'http',
        description: 'the HTTP stream (https behind TLS)',
        variables: { host: { default: 'localhost:3000', description: 'the Sluice host and port' } },
        security: [{ $ref: '#/components/securitySchemes/token' }],
      },
    },
    channels: {
      firehose: {
        address: FIREHOSE_NAMESPACE,
        title: 'The firehose (socket.io namespace)',
        description:
          `Connect with \`auth\` = FirehoseAuth: \`token\` (or an \`Authorization: Bearer\` header), \`since\` (resume after this cursor: the log is replayed, then live), \`filters\`. ` +
          'A refused handshake is a connect_error whose `data` is ConnectError. The server announces a later disconnect with `stream:ended`.',
        servers: [server],
        messages: {
          indicators: message(EVENTS.indicators, 'A batch of events', { type: 'array', items: event }, 'Events in log order, batched (at most one frame per ~10 ms, sooner at 1,000 events / 256 KB; an event after a quiet spell goes at once).'),
          streamEnded: message(EVENTS.ended, 'The server ends the stream', ended, 'Sent just before the server disconnects.'),
          connectError: message('connect_error', 'The handshake was refused', refusal, 'socket.io `connect_error` with `err.data`.'),
          subscribe: message(EVENTS.subscribe, 'Change the filters live', filters, 'Emitted with an acknowledgement callback.'),
          subscribeAck: message('subscribe ack', 'The answer to subscribe', ack, 'The filters now in force, or invalid_filters.'),
          introductions: message(
            EVENTS.introductions,
            'Ask which peers this instance introduces',
            { type: 'object', additionalProperties: false },
            'Federation discovery (docs/federation.md): sent by a peer link (a token with the `peer` scope), with an acknowledgement callback and an empty object.',
          ),
          introductionsAck: message(
            'peer:introductions ack',
            'The peers this instance introduces',
            introductionsAck,
            'The links its operator flagged `introduce` (never the asker itself): suggestions for the asker’s operator, never linked automatically. scope_required for a token without the peer scope.',
          ),
        },
        'x-socketio-auth': auth,
      },
      public: {
        address: PUBLIC_NAMESPACE,
        title: 'The public stream (socket.io namespace)',
        description: 'No token, no filters, no resume; delayed and capped; a few connections per client address (rate_limited beyond). Anything a client sends is ignored.',
        servers: [server],
        messages: {
          indicators: message(EVENTS.indicators, 'A batch of public events', { type: 'array', items: publicEvent }, 'The feed is given by slug only.'),
          connectError: message('connect_error', 'The connection was refused', refusal, 'rate_limited: too many connections from this address.'),
        },
      },
      httpStream: {
        address: HTTP_STREAM_PATH,
        title: 'The firehose over HTTP',
        description:
          'GET with the same handshake in the query: `types`, `tags`, `feeds` (comma-separated), `minConfidence`, `since` (SSE: or Last-Event-ID), `format` (sse | ndjson), ' +
          '`access_token` (for EventSource). A refusal is an HTTP error before the stream starts (401 invalid_token, 403 scope_required / plan_required, 400 invalid_cursor / invalid_request, ' +
          '410 cursor_expired, 429 too_many_streams, 503 unavailable). SSE: each event is `id: <cursor>` + `data: <event>`, the end is `event: end`, heartbeats are comments every 15 s. ' +
          'NDJSON: one event per line, the end is `{"end": StreamEnded}`, heartbeats are empty lines.',
        servers: [httpServer],
        messages: {
          event: message('message', 'One event', event, 'SSE: `id: <cursor>` and `data: <event JSON>`; NDJSON: one line.'),
          end: message('end', 'The server ends the stream', ended, 'SSE `event: end`; NDJSON `{"end": …}`. Not sent to a slow consumer (cut at once).'),
          refusal: message('refusal', 'The stream was refused', httpError, 'An HTTP 4xx/5xx JSON answer instead of the stream.'),
        },
        bindings: { http: { method: 'GET', bindingVersion: '0.3.0' } },
      },
    },
    operations: {
      receiveIndicators: {
        action: 'receive',
        title: 'Receive events',
        channel: { $ref: '#/channels/firehose' },
        messages: [{ $ref: '#/channels/firehose/messages/indicators' }],
      },
      receiveStreamEnded: {
        action: 'receive',
        title: 'Learn why the stream ends',
        channel: { $ref: '#/channels/firehose' },
        messages: [{ $ref: '#/channels/firehose/messages/streamEnded' }],
      },
      receiveRefusal: {
        action: 'receive',
        title: 'Learn why the handshake was refused',
        channel: { $ref: '#/channels/firehose' },
        messages: [{ $ref: '#/channels/firehose/messages/connectError' }],
      },
      subscribe: {
        action: 'send',
        title: 'Change the filters',
        channel: { $ref: '#/channels/firehose' },
        messages: [{ $ref: '#/channels/firehose/messages/subscribe' }],
        reply: { channel: { $ref: '#/channels/firehose' }, messages: [{ $ref: '#/channels/firehose/messages/subscribeAck' }] },
      },
      askIntroductions: {
        action: 'send',
        title: 'Ask for introductions (peer links)',
        channel: { $ref: '#/channels/firehose' },
        messages: [{ $ref: '#/channels/firehose/messages/introductions' }],
        reply: { channel: { $ref: '#/channels/firehose' }, messages: [{ $ref: '#/channels/firehose/messages/introductionsAck' }] },
      },
      receivePublicIndicators: {
        action: 'receive',
        title: 'Receive public events',
        channel: { $ref: '#/channels/public' },
        messages: [{ $ref: '#/channels/public/messages/indicators' }, { $ref: '#/channels/public/messages/connectError' }],
      },
      receiveHttpStream: {
        action: 'receive',
        title: 'Read the HTTP stream',
        channel: { $ref: '#/channels/httpStream' },
        messages: [{ $ref: '#/channels/httpStream/messages/event' }, { $ref: '#/channels/httpStream/messages/end' }, { $ref: '#/channels/httpStream/messages/refusal' }],
      },
    },
    components: {
      schemas,
      securitySchemes: {
        token: {
          type: 'httpApiKey',
          name: 'Authorization',
          in: 'header',
          description: '`Bearer slc_…`: a token with the `stream` scope whose owner is on the Firehose plan. On socket.io also `auth.token`; on the HTTP stream also `?access_token=`.',
        },
      },
    },
  };
}
