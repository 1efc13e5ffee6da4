// `sluice stream --transport sse|ndjson`: the firehose over plain HTTP (GET /api/v1/stream,
// docs/http-stream.md) with what the socket.io transport does — filters, resume by cursor after any
// disconnect (?since=, and Last-Event-ID for SSE), backoff on `unavailable`/503/429, de-duplication
// by event id, and the same exit codes. Loaded only when an HTTP transport is asked for.
import type { FirehoseEvent } from '../lib/events';
import type { StreamEnded, StreamFilters } from '../lib/realtime/protocol';
import { apiError, plainApiClient, type SluiceApi } from './api.ts';

export interface HttpStreamContext {
  url: string;
  token: string;
  transport: 'sse' | 'ndjson';
  filters: StreamFilters;
  since: string | null;
  /** Called for each event in order (after the cursor is recorded); returns true to stop. */
  onEvent(event: FirehoseEvent): boolean;
  status(message: string): void;
  /** Ends the command with an exit code (and the last cursor). */
  finish(code: number, cursor: string | null): void;
  exit: { ok: number; failure: number; usage: number; refused: number };
}

/** GET /api/v1/stream's query (typed by the generated client): filters, resume cursor, format. */
export function streamQuery(transport: 'sse' | 'ndjson', filters: StreamFilters, since: string | null) {
  return {
    format: transport,
    ...(filters.types?.length ? { types: filters.types.join(',') } : {}),
    ...(filters.tags?.length ? { tags: filters.tags.join(',') } : {}),
    ...(filters.feeds?.length ? { feeds: filters.feeds.join(',') } : {}),
    ...(filters.minConfidence !== undefined ? { minConfidence: String(filters.minConfidence) } : {}),
    ...(filters.asns?.length ? { asns: filters.asns.join(',') } : {}),
    ...(filters.countries?.length ? { countries: filters.countries.join(',') } : {}),
    ...(since ? { since } : {}),
  };
}

type Outcome = { kind: 'retry'; why: string } | { kind: 'stop' };

/** Runs until stopped: connect, read, and on any break reconnect after the last cursor. */
export async function streamOverHttp(ctx: HttpStreamContext): Promise<void> {
  let cursor = ctx.since;
  let delayMs = 500;
  // No retries in the client: every outcome (503, refusals, lost connections) is judged below.
  const api = plainApiClient(ctx.url, ctx.token);
  for (;;) {
    const outcome = await connectOnce(api, ctx, () => cursor, (c) => {
      cursor = c;
      delayMs = 500; // events flow again: the next break starts its backoff afresh
    });
    if (outcome.kind === 'stop') return;
    const wait = Math.round(delayMs * (0.5 + Math.random()));
    delayMs = Math.min(delayMs * 2, 30_000);
    ctx.status(`${outcome.why}; resuming from ${cursor ?? 'now'} in ${(wait / 1000).toFixed(1)} s`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

async function connectOnce(api: SluiceApi, ctx: HttpStreamContext, getCursor: () => string | null, setCursor: (c: string) => void): Promise<Outcome> {
  const cursor = getCursor();
  let body: Response['body'] | undefined;
  try {
    const result = await api.GET('/api/v1/stream', {
      params: {
        query: streamQuery(ctx.transport, ctx.filters, cursor),
        ...(ctx.transport === 'sse' && cursor ? { header: { 'Last-Event-ID': cursor } } : {}),
      },
      headers: { accept: ctx.transport === 'sse' ? 'text/event-stream' : 'application/x-ndjson' },
      parseAs: 'stream',
    });
    if (!result.response.ok) return refusal(ctx, result.response, result.error, getCursor());
    body = result.data;
  } catch (error) {
    return { kind: 'retry', why: `cannot connect (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!body) return { kind: 'retry', why: 'the server answered without a stream' };
  ctx.status(`streaming (${ctx.transport}) from ${ctx.url}${cursor ? ` after ${cursor}` : ''}`);

  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let sse: { id?: string; event?: string; data: string[] } = { data: [] };
  const handleEnd = (end: StreamEnded): Outcome => {
    if (end.cursor) setCursor(end.cursor);
    if (end.reason === 'token_revoked' || end.reason === 'token_expired' || end.reason === 'plan_ended') {
      ctx.status(`the server ended the stream: ${end.message}`);
      ctx.finish(ctx.exit.refused, getCursor());
      return { kind: 'stop' };
    }
    return { kind: 'retry', why: `the server ended the stream (${end.reason})` };
  };
  const deliver = (event: FirehoseEvent): boolean => {
    setCursor(event.cursor);
    return ctx.onEvent(event);
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { kind: 'retry', why: 'the connection closed' };
      buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (ctx.transport === 'ndjson') {
          if (!line) continue; // heartbeat
          const parsed = JSON.parse(line) as FirehoseEvent | { end: StreamEnded };
          if ('end' in parsed) return stopReading(reader, handleEnd(parsed.end));
          if (deliver(parsed)) return stopReading(reader, { kind: 'stop' });
          continue;
        }
        // Server-Sent Events: fields until a blank line; comments (": heartbeat") are skipped.
        if (line === '') {
          const message = sse;
          sse = { data: [] };
          if (!message.data.length) continue;
          const data = message.data.join('\n');
          if (message.event === 'end') return stopReading(reader, handleEnd(JSON.parse(data) as StreamEnded));
          if (deliver(JSON.parse(data) as FirehoseEvent)) return stopReading(reader, { kind: 'stop' });
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') sse.data.push(val);
        else if (field === 'id') sse.id = val;
        else if (field === 'event') sse.event = val;
      }
    }
  } catch (error) {
    return { kind: 'retry', why: `connection lost (${error instanceof Error ? error.message : String(error)})` };
  }
}

async function stopReading(reader: ReadableStreamDefaultReader<string>, outcome: Outcome): Promise<Outcome> {
  await reader.cancel().catch(() => undefined);
  return outcome;
}

async function refusal(ctx: HttpStreamContext, res: Response, body: unknown, cursor: string | null): Promise<Outcome> {
  // Not JSON (a proxy's page): judged by the status alone.
  const error = apiError(body) ?? {};
  const code = error.code ?? `HTTP ${res.status}`;
  const message = error.message ?? res.statusText;
  if (res.status === 503 || res.status === 502 || res.status === 504 || code === 'unavailable' || code === 'rate_limited') {
    return { kind: 'retry', why: `${code}: ${message}` };
  }
  if (code === 'cursor_expired') {
    ctx.status(`${message}. Oldest available cursor: ${error.oldest ?? '(log empty)'}`);
  } else {
    ctx.status(`${code}: ${message}`);
  }
  ctx.finish(res.status === 400 ? ctx.exit.usage : res.status === 401 || res.status === 403 || res.status === 410 || res.status === 429 ? ctx.exit.refused : ctx.exit.failure, cursor);
  return { kind: 'stop' };
}
