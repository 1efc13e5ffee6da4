// The firehose over plain HTTP: GET /api/v1/stream answers Server-Sent Events (text/event-stream,
// `id:` = cursor, resume with Last-Event-ID or ?since=) or NDJSON (application/x-ndjson, one event
// per line, resume with ?since=). Same log, cursors, filters, entitlement and refusals as the
// socket.io gateway, and the same fan-out economics: clients with one filter form a group, each
// batch from the node's one dispatcher is filtered and encoded once per group and format, and
// written to every client of the group. A client holding more than the byte bound is cut off
// (slow_consumer) and resumes from its cursor.
// Longer than 300 lines because SSE and NDJSON share every step (handshake, replay, groups,
// ending); one class keeps the two formats from drifting apart.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ControlMessage } from '../../lib/control';
import { isAppError } from '../../lib/errors';
import type { FirehoseEvent } from '../../lib/events';
import type { Logger } from '../../lib/logger';
import type { ConnectErrorData, StreamEndReason } from '../../lib/realtime/protocol';
import { gatewayMetrics } from '../metrics';
import { endingFor, endingForVerdict, type ControlWatch } from './control';
import type { Dispatcher } from './dispatcher';
import type { CompiledFilter } from './filters';
import { admit, type HandshakeDeps } from './handshake';
import { replayThenJoin } from './replay';
import type { SocketData } from './types';
import type { StreamUsage, UsageRecorder } from '../../lib/usage';

const NO_USAGE: StreamUsage = { delivered: () => undefined, close: () => undefined };
import { findStreamVerdicts, type StreamVerdict } from '../../lib/realtime/stream-grants';

export type HttpStreamFormat = 'sse' | 'ndjson';

/** HTTP status of each refusal code, before the stream starts. */
const STATUS: Record<ConnectErrorData['code'], number> = {
  invalid_token: 401,
  token_expired: 401,
  address_not_allowed: 403,
  scope_required: 403,
  plan_required: 403,
  cursor_expired: 410,
  invalid_cursor: 400,
  invalid_request: 400,
  rate_limited: 429,
  too_many_streams: 429,
  unavailable: 503,
};

export interface HttpStreamOptions {
  /** Bytes a client may have waiting before it is cut off. @default 4 MiB */
  maxBufferedBytes: number;
  /** Interval of heartbeats (an SSE comment, an empty NDJSON line). @default 15000 */
  heartbeatMs?: number;
  /** Counts each stream's connection time and events (lib/usage). */
  usage?: Pick<UsageRecorder, 'openStream'>;
}

interface HttpClient {
  id: string;
  format: HttpStreamFormat;
  res: ServerResponse;
  data: SocketData;
  group: string | null;
  usage: StreamUsage;
}

interface Group {
  filter: CompiledFilter;
  clients: Set<HttpClient>;
}

const list = (params: URLSearchParams, name: string): string[] | undefined => {
  const values = params.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return values.length ? values : undefined;
};

/** The handshake payload of an HTTP stream request, in the socket.io `auth` shape. */
export function httpStreamAuth(req: Pick<IncomingMessage, 'url' | 'headers'>): Record<string, unknown> {
  const params = new URL(req.url ?? '/', 'http://stream.invalid').searchParams;
  const filters: Record<string, unknown> = {};
  for (const name of ['types', 'tags', 'feeds', 'countries'] as const) {
    const values = list(params, name);
    if (values) filters[name] = values;
  }
  // "13335" or "AS13335"; anything else stays a string and the filter schema refuses it.
  const asns = list(params, 'asns')?.map((v) => (/^(?:as)?\d{1,10}$/i.test(v) ? Number(v.replace(/^as/i, '')) : v));
  if (asns) filters.asns = asns;
  const minConfidence = params.get('minConfidence');
  if (minConfidence !== null) filters.minConfidence = /^\d{1,3}$/.test(minConfidence) ? Number(minConfidence) : minConfidence;
  const lastEventId = req.headers['last-event-id'];
  const since = params.get('since') ?? (typeof lastEventId === 'string' && lastEventId ? lastEventId : null);
  // EventSource cannot send headers: `access_token` in the query is accepted for it.
  const token = params.get('access_token');
  return { ...(token ? { token } : {}), ...(since ? { since } : {}), ...(Object.keys(filters).length ? { filters } : {}) };
}

/**
 * SSE unless the client asks for NDJSON (Accept or ?format=ndjson); EventSource asks for SSE. An
 * explicit `format` that is neither is null: refused, not silently answered in another format.
 */
export function httpStreamFormat(req: Pick<IncomingMessage, 'url' | 'headers'>): HttpStreamFormat | null {
  const format = new URL(req.url ?? '/', 'http://stream.invalid').searchParams.get('format');
  if (format === 'ndjson' || format === 'sse') return format;
  if (format !== null) return null;
  const accept = req.headers.accept ?? '';
  if (/application\/(x-)?ndjson/i.test(accept) && !/text\/event-stream/i.test(accept)) return 'ndjson';
  return 'sse';
}

const encodeEvent = (format: HttpStreamFormat, event: FirehoseEvent, json: string) =>
  format === 'sse' ? `id: ${event.cursor}\ndata: ${json}\n\n` : `${json}\n`;

function encodeEnd(format: HttpStreamFormat, ended: { reason: StreamEndReason; message: string; cursor: string | null }): string {
  const json = JSON.stringify(ended);
  return format === 'sse' ? `event: end\ndata: ${json}\n\n` : `${JSON.stringify({ end: ended })}\n`;
}

/** Bytes queued for this response: Node's buffers plus what the socket holds unsent. */
function queuedBytes(res: ServerResponse): number {
  return res.writableLength + (res.socket?.writableLength ?? 0);
}

export class HttpStreams {
  private readonly clients = new Set<HttpClient>();
  private readonly groups = new Map<string, Group>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly handshake: HandshakeDeps,
    private readonly watch: ControlWatch,
    private readonly logger: Logger,
    private readonly options: HttpStreamOptions,
  ) {
    this.unsubscribe = dispatcher.onBatch((batch) => this.fanOut(batch));
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) if (!client.data.ending) this.write(client, client.format === 'sse' ? ': heartbeat\n\n' : '\n');
    }, options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Open streams, for the periodic re-check against the database. */
  open(): { tokenId: string; end(verdict: StreamVerdict): void; slot: { tokenId: string; member: string } | null }[] {
    return [...this.clients]
      .filter((c) => !c.data.ending)
      .map((client) => ({
        tokenId: client.data.auth.tokenId,
        end: (verdict: StreamVerdict) => {
          const ending = endingForVerdict(verdict);
          if (ending) this.end(client, ending.reason, ending.message);
        },
        slot: client.data.holdsSlot ? { tokenId: client.data.auth.tokenId, member: client.id } : null,
      }));
  }

  /** GET /api/v1/stream. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') {
      return this.refuse(res, 405, 'method_not_allowed', 'GET /api/v1/stream', { allow: 'GET' });
    }
    const format = httpStreamFormat(req);
    if (!format) return this.refuse(res, 400, 'invalid_request', 'invalid query parameter: format must be sse or ndjson');
    const id = randomUUID();
    let data: SocketData;
    try {
      data = await admit({ id, handshake: { auth: httpStreamAuth(req), headers: req.headers, address: req.socket.remoteAddress ?? '' } } as never, this.handshake, 'query');
    } catch (error) {
      const refusal = (error as { data?: ConnectErrorData }).data ?? (isAppError(error) ? ({ code: error.code, message: error.message } as ConnectErrorData) : null);
      if (refusal) {
        const { code, message, ...extra } = refusal;
        return this.refuse(res, STATUS[code] ?? 400, code, message, code === 'unavailable' || code === 'too_many_streams' ? { 'retry-after': '5' } : {}, extra);
      }
      this.logger.error({ err: error }, 'HTTP stream handshake failed');
      return this.refuse(res, 503, 'unavailable', 'the server cannot check this stream right now; retry shortly', { 'retry-after': '5' });
    }
    if (res.destroyed || req.destroyed) {
      if (data.holdsSlot) await this.handshake.slots.release(data.auth.tokenId, id).catch(() => undefined);
      return;
    }
    const client: HttpClient = { id, format, res, data, group: null, usage: this.options.usage?.openStream({ userId: data.auth.user.id, tokenId: data.auth.tokenId }) ?? NO_USAGE };
    this.clients.add(client);
    gatewayMetrics.connectedSockets.inc();
    res.writeHead(200, {
      'content-type': format === 'sse' ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no', // proxies must not buffer a stream
    });
    res.socket?.setNoDelay(true);
    res.flushHeaders(); // a client sees the 200 at once, not with the first event
    if (format === 'sse') this.write(client, 'retry: 2000\n: connected\n\n');
    res.once('close', () => this.forget(client));

    if (this.watch.changedSince(data.controlMark, data.auth)) {
      // A revocation announced while this stream was admitted: the database decides.
      const verdicts = await findStreamVerdicts(this.handshake.prisma, [data.auth.tokenId]).catch(() => null);
      const ending = endingForVerdict(verdicts?.get(data.auth.tokenId) ?? null);
      if (ending) return this.end(client, ending.reason, ending.message);
    }
    if (!data.since) return this.join(client);
    await replayThenJoin(
      {
        isOpen: () => !client.data.ending && !res.destroyed,
        matches: (event) => client.data.filter.matches(event),
        bufferedBytes: () => queuedBytes(res),
        send: (frame) => {
          let text = '';
          for (const event of frame) text += encodeEvent(format, event, JSON.stringify(event));
          this.write(client, text);
          client.data.lastCursor = frame[frame.length - 1].cursor;
          gatewayMetrics.eventsDelivered.inc(frame.length);
          client.usage.delivered(frame.length);
        },
        advance: (cursor) => {
          client.data.lastCursor = cursor;
        },
        joinLive: () => this.join(client),
      },
      data.since,
      { log: this.handshake.log, seam: () => this.dispatcher.lastDispatched, logger: this.logger, pauseAboveBytes: this.options.maxBufferedBytes / 2 },
    ).catch((error: unknown) => {
      this.logger.error({ err: error, tokenPrefix: data.auth.prefix }, 'HTTP stream replay failed');
      this.end(client, 'unavailable', 'the server could not replay the log after your cursor; reconnect with since=<last cursor>');
    });
  }

  /** Ends the streams a control message concerns (token revoked, plan ended). */
  onControl(message: ControlMessage): void {
    for (const client of this.clients) {
      const ending = endingFor(message, client.data);
      if (ending) this.end(client, ending.reason, ending.message);
    }
  }

  /** Ends every stream (server shutdown). */
  close(reason: StreamEndReason = 'server_shutdown', message = 'the server is shutting down; reconnect to another node'): void {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const client of this.clients) this.end(client, reason, message);
  }

  private refuse(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify({ error: { code, message, ...extra } }));
  }

  private join(client: HttpClient) {
    if (client.data.ending || client.res.destroyed) return;
    const { filter } = client.data;
    let group = this.groups.get(filter.key);
    if (!group) this.groups.set(filter.key, (group = { filter, clients: new Set() }));
    group.clients.add(client);
    client.group = filter.key;
  }

  private leave(client: HttpClient) {
    if (client.group === null) return;
    const group = this.groups.get(client.group);
    client.group = null;
    if (!group) return;
    group.clients.delete(client);
    if (!group.clients.size) this.groups.delete(group.filter.key);
  }

  private forget(client: HttpClient) {
    if (!this.clients.delete(client)) return;
    gatewayMetrics.connectedSockets.dec();
    client.usage.close();
    this.leave(client);
    client.data.ending = true;
    if (client.data.holdsSlot) {
      this.handshake.slots.release(client.data.auth.tokenId, client.id).catch((error: unknown) => this.logger.warn({ err: error }, 'could not release a stream slot'));
    }
  }

  private write(client: HttpClient, text: string) {
    if (text && !client.res.destroyed && !client.res.writableEnded) client.res.write(text);
  }

  /** One batch to every group: filtered once per group, each event encoded once per batch. */
  private fanOut(batch: FirehoseEvent[]) {
    if (!this.groups.size) return;
    const json = new Map<FirehoseEvent, string>();
    const encoded = (event: FirehoseEvent) => {
      let text = json.get(event);
      if (text === undefined) json.set(event, (text = JSON.stringify(event)));
      return text;
    };
    for (const group of this.groups.values()) {
      const frame = group.filter.matchesAll ? batch : batch.filter((e) => group.filter.matches(e));
      if (!frame.length) continue;
      const texts: Partial<Record<HttpStreamFormat, string>> = {};
      const cursor = frame[frame.length - 1].cursor;
      for (const client of group.clients) {
        // Before writing: a client still holding more than the bound is a slow consumer.
        if (queuedBytes(client.res) > this.options.maxBufferedBytes) {
          this.end(client, 'slow_consumer', `more than ${this.options.maxBufferedBytes} bytes were waiting for this client; reconnect with since=<last cursor>`);
          continue;
        }
        const text = (texts[client.format] ??= frame.map((event) => encodeEvent(client.format, event, encoded(event))).join(''));
        this.write(client, text);
        client.data.lastCursor = cursor;
        gatewayMetrics.eventsDelivered.inc(frame.length);
        client.usage.delivered(frame.length);
      }
    }
  }

  /** Ends a stream: a final `end` event with the reason and the cursor to resume from, then close. */
  end(client: HttpClient, reason: StreamEndReason, message: string): void {
    if (client.data.ending) return;
    client.data.ending = true;
    this.leave(client);
    if (reason === 'slow_consumer') gatewayMetrics.slowConsumerDisconnects.inc();
    this.logger.info({ tokenPrefix: client.data.auth.prefix, reason, transport: client.format }, 'ending HTTP stream');
    const { res } = client;
    if (reason === 'slow_consumer') {
      // It is not reading: the end event would wait behind its backlog. Cut the connection; the
      // client resumes from the last `id:` it processed.
      res.destroy();
      return;
    }
    res.end(encodeEnd(client.format, { reason, message, cursor: client.data.lastCursor }));
  }
}
