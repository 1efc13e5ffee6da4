// `sluice stream | submit | check` — API client commands for subscribers and reporters.
// Exit codes: 0 ok, 1 runtime failure, 2 usage, 3 authentication/entitlement refused.
import { Command, InvalidArgumentError, Option } from 'commander';
import { io } from 'socket.io-client';
import { csvCell } from '../lib/csv';
import { isCountryCode } from '../lib/enrichment/countries';
import type { FirehoseEvent } from '../lib/events';
import { INDICATOR_TYPES } from '../lib/indicators/types';
import { answer, apiClient, connection, EXIT, fail } from './api.ts';
import { submit, type SubmitOptions } from './submit.ts';
// Values from names.ts, types from protocol.ts: the packed CLI bundles no zod (scripts/build-cli.mjs).
import { FIREHOSE_NAMESPACE, SLOW_CONSUMER_CLOSE_CODE } from '../lib/realtime/names';
import type { ClientToServerEvents, ConnectErrorData, ServerToClientEvents, StreamEnded, StreamFilters } from '../lib/realtime/protocol';

export { connection, EXIT, fail };

const list = (value: string) => value.split(',').map((v) => v.trim()).filter(Boolean);

const CSV_COLUMNS = ['id', 'cursor', 'kind', 'type', 'value', 'tags', 'confidence', 'count', 'firstSeen', 'lastSeen', 'feed', 'reportedAt', 'asn', 'country'] as const;

function csvRow(e: FirehoseEvent): string {
  const cells = [e.id, e.cursor, e.kind, e.indicator.type, e.indicator.value, e.indicator.tags, e.indicator.confidence, e.indicator.count,
    e.indicator.firstSeen, e.indicator.lastSeen, `${e.feed.owner}/${e.feed.slug}`, e.reportedAt, e.indicator.asn ?? '', e.indicator.country ?? ''];
  return cells.map((cell) => csvCell(Array.isArray(cell) ? cell.join('|') : cell)).join(',');
}

/** Remembers the last N event ids: at-least-once delivery becomes exactly-once output. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = 100_000) {}
  seen(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return false;
  }
}

interface StreamOptions {
  url?: string;
  token?: string;
  types?: string[];
  tags?: string[];
  feeds?: string[];
  minConfidence?: number;
  asns?: number[];
  countries?: string[];
  since?: string;
  format: 'jsonl' | 'csv';
  limit?: number;
  quiet?: boolean;
  /** socketio (the default), or the HTTP stream as sse or ndjson (cli/stream-http.ts). */
  transport: 'socketio' | 'sse' | 'ndjson';
}

async function stream(options: StreamOptions): Promise<void> {
  const { url, token } = connection(options);
  const filters: StreamFilters = {};
  if (options.types?.length) {
    const bad = options.types.filter((t) => !(INDICATOR_TYPES as readonly string[]).includes(t));
    if (bad.length) fail(`unknown type ${bad.join(', ')} (use ${INDICATOR_TYPES.join(', ')})`, EXIT.usage);
    filters.types = options.types as StreamFilters['types'];
  }
  if (options.tags?.length) filters.tags = options.tags;
  if (options.feeds?.length) filters.feeds = options.feeds;
  if (options.minConfidence !== undefined) filters.minConfidence = options.minConfidence;
  if (options.asns?.length) filters.asns = options.asns;
  if (options.countries?.length) filters.countries = options.countries;

  let cursor = options.since ?? null;
  let delivered = 0;
  let windowCount = 0;
  const recent = new RecentIds();
  const out = process.stdout;
  if (options.format === 'csv') out.write(CSV_COLUMNS.join(',') + '\n');
  if (options.transport !== 'socketio') return streamHttp(options, { url, token, filters, cursor, recent });

  const socket = io(`${url}${FIREHOSE_NAMESPACE}`, {
    transports: ['websocket'],
    // Reconnect with backoff, resuming after the last cursor printed.
    reconnectionDelay: 500,
    reconnectionDelayMax: 10_000,
    randomizationFactor: 0.5,
    auth: (cb) => cb({ token, filters, ...(cursor ? { since: cursor } : {}) }),
  }) as import('socket.io-client').Socket<ServerToClientEvents, ClientToServerEvents>;

  const status = (message: string) => {
    if (!options.quiet) process.stderr.write(`sluice: ${message}\n`);
  };
  const rateTimer = setInterval(() => {
    if (!options.quiet && socket.connected) process.stderr.write(`sluice: ${windowCount / 5} events/s, ${delivered} total, cursor ${cursor ?? '-'}\n`);
    windowCount = 0;
  }, 5000);
  rateTimer.unref();

  let finished = false;
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    clearInterval(rateTimer);
    socket.disconnect();
    status(`${delivered} events; resume with --since ${cursor ?? '(none)'}`);
    out.write('', () => process.exit(code));
  };
  process.once('SIGINT', () => finish(EXIT.ok));
  process.once('SIGTERM', () => finish(EXIT.ok));

  // After a retryable refusal socket.io does not reconnect by itself: back off, then connect again.
  let retryDelayMs = 500;
  const retryLater = (why: string) => {
    const wait = Math.round(retryDelayMs * (0.5 + Math.random()));
    retryDelayMs = Math.min(retryDelayMs * 2, 30_000);
    status(`${why}; retrying in ${(wait / 1000).toFixed(1)} s`);
    setTimeout(() => {
      if (!finished) socket.connect();
    }, wait);
  };

  socket.on('connect', () => {
    retryDelayMs = 500;
    status(`streaming from ${url}${cursor ? ` after ${cursor}` : ''}`);
  });
  socket.on('indicators', (events) => {
    for (const event of events) {
      cursor = event.cursor;
      if (recent.seen(event.id)) continue;
      out.write(options.format === 'csv' ? csvRow(event) + '\n' : JSON.stringify(event) + '\n');
      delivered += 1;
      windowCount += 1;
      if (options.limit && delivered >= options.limit) return finish(EXIT.ok);
    }
  });
  socket.on('stream:ended', (info: StreamEnded) => {
    if (info.cursor) cursor = info.cursor;
    if (info.reason === 'token_revoked' || info.reason === 'token_expired' || info.reason === 'plan_ended') {
      status(`the server ended the stream: ${info.message}`);
      finish(EXIT.refused);
    } else {
      // socket.io does not reconnect after a server-side disconnect by itself.
      retryLater(`the server ended the stream (${info.reason}); resuming from ${cursor ?? 'now'}`);
    }
  });
  socket.on('disconnect', (reason, details) => {
    // A slow consumer's stream is cut with websocket close code 4008 (the notice may be lost).
    const code = (details as { context?: { code?: number } } | undefined)?.context?.code;
    if (code === SLOW_CONSUMER_CLOSE_CODE) status(`the server cut the stream (slow_consumer: this client fell too far behind); resuming from ${cursor ?? 'now'}`);
    else if (reason === 'transport close' || reason === 'ping timeout') status(`connection lost (${reason}); resuming from ${cursor ?? 'now'}`);
  });
  socket.on('connect_error', (error) => {
    const data = (error as Error & { data?: ConnectErrorData }).data;
    // No refusal data: the server was not reached or answered e.g. HTTP 503; socket.io retries with backoff.
    if (!data) return status(`cannot connect (${error.message}); retrying`);
    if (data.code === 'cursor_expired') {
      fail(`${data.message}. Oldest available cursor: ${data.oldest ?? '(log empty)'}`, EXIT.refused);
    }
    // The server's trouble or a passing limit, not this command's: wait and try again.
    if (data.code === 'unavailable' || data.code === 'rate_limited') return retryLater(`${data.code}: ${data.message}`);
    fail(`${data.code}: ${data.message}`, data.code === 'invalid_request' || data.code === 'invalid_cursor' ? EXIT.usage : EXIT.refused);
  });
  await new Promise<never>(() => undefined);
}

/** `--transport sse|ndjson`: the same output, de-duplication, status lines and exit codes over HTTP. */
async function streamHttp(
  options: StreamOptions,
  ctx: { url: string; token: string; filters: StreamFilters; cursor: string | null; recent: RecentIds },
): Promise<void> {
  const { streamOverHttp } = await import('./stream-http.ts');
  const out = process.stdout;
  let delivered = 0;
  let lastCursor = ctx.cursor;
  const status = (message: string) => {
    if (!options.quiet) process.stderr.write(`sluice: ${message}\n`);
  };
  let finished = false;
  const finish = (code: number, cursor: string | null) => {
    if (finished) return;
    finished = true;
    status(`${delivered} events; resume with --since ${cursor ?? lastCursor ?? '(none)'}`);
    out.write('', () => process.exit(code));
  };
  process.once('SIGINT', () => finish(EXIT.ok, lastCursor));
  process.once('SIGTERM', () => finish(EXIT.ok, lastCursor));
  await streamOverHttp({
    url: ctx.url,
    token: ctx.token,
    transport: options.transport as 'sse' | 'ndjson',
    filters: ctx.filters,
    since: ctx.cursor,
    exit: EXIT,
    status,
    finish,
    onEvent(event) {
      lastCursor = event.cursor;
      if (ctx.recent.seen(event.id)) return false;
      out.write(options.format === 'csv' ? csvRow(event) + '\n' : JSON.stringify(event) + '\n');
      delivered += 1;
      if (options.limit && delivered >= options.limit) {
        finish(EXIT.ok, lastCursor);
        return true;
      }
      return false;
    },
  });
  await new Promise<never>(() => undefined); // finish() exits the process
}

async function check(value: string, options: { url?: string; token?: string; json?: boolean }) {
  const { url, token } = connection(options);
  const body = await answer(apiClient(url, token).GET('/api/v1/check/{value}', { params: { path: { value } } }));
  if (options.json) return void process.stdout.write(JSON.stringify(body, null, 2) + '\n');
  // An IP's AS and country (docs/enrichment.md), known or not (absent from a server that predates them).
  const { asn, asOrganization, country }: { asn?: number; asOrganization?: string; country?: string } = body.indicator ?? {};
  const as = asn !== undefined ? `AS${asn}${asOrganization ? ` ${asOrganization}` : ''}` : null;
  const network = as || country ? [`  network:    ${[as, country].filter(Boolean).join(' · ')}`] : [];
  if (!body.known) {
    process.stdout.write([`${value}: not known to Sluice`, ...network].join('\n') + '\n');
    return;
  }
  process.stdout.write(
    [
      `${body.indicator.type} ${body.indicator.value}: KNOWN`,
      ...network,
      `  first seen: ${body.firstSeen}`,
      `  last seen:  ${body.lastSeen}`,
      `  sightings:  ${body.sightings}`,
      `  tags:       ${body.tags.join(', ') || '-'}`,
      `  feeds:      ${body.feeds.map((f) => f.slug).join(', ') || '-'}`,
    ].join('\n') + '\n',
  );
}

const integer = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
  return n;
};

const MAX_FILTER_VALUES = 50; // lib/realtime/protocol.ts (the packed CLI bundles no zod)

const asnList = (value: string) => {
  const values = list(value).map((v) => {
    const n = /^(?:as)?\d{1,10}$/i.test(v) ? Number(v.replace(/^as/i, '')) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 4_294_967_295) throw new InvalidArgumentError(`${JSON.stringify(v)} is not an AS number (e.g. 13335 or AS13335)`);
    return n;
  });
  if (values.length > MAX_FILTER_VALUES) throw new InvalidArgumentError(`at most ${MAX_FILTER_VALUES} AS numbers`);
  return values;
};

const countryList = (value: string) => {
  const values = list(value).map((v) => {
    const code = v.toUpperCase();
    if (!isCountryCode(code)) throw new InvalidArgumentError(`${JSON.stringify(v)} is not an ISO 3166-1 alpha-2 country code (e.g. DE)`);
    return code;
  });
  if (values.length > MAX_FILTER_VALUES) throw new InvalidArgumentError(`at most ${MAX_FILTER_VALUES} countries`);
  return values;
};

export function register(program: Command): void {
  const common = (cmd: Command) =>
    cmd
      .option('--url <url>', 'Sluice base URL (env SLUICE_URL)', undefined)
      .option('--token <token>', 'API token slc_… (env SLUICE_TOKEN)');

  common(program.command('stream'))
    .description('stream firehose events to stdout, one per line; resumes after disconnects')
    .option('--types <list>', `indicator types: ${INDICATOR_TYPES.join(',')}`, list)
    .option('--tags <list>', 'only events with one of these tags', list)
    .option('--feeds <list>', 'only these feeds (owner/slug or slug)', list)
    .option('--min-confidence <n>', 'minimum confidence 0-100', integer('--min-confidence', 0, 100))
    .option('--asns <list>', 'only IPs announced by these AS numbers, e.g. 13335,AS15169', asnList)
    .option('--countries <list>', 'only IPs in these countries (ISO 3166-1 alpha-2), e.g. DE,NL', countryList)
    .option('--since <cursor>', 'replay events after this cursor first')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .addOption(new Option('--transport <transport>', 'socket.io, or the HTTP stream as Server-Sent Events or NDJSON').choices(['socketio', 'sse', 'ndjson']).default('socketio'))
    .option('--limit <n>', 'exit after n events', integer('--limit', 1, Number.MAX_SAFE_INTEGER))
    .option('-q, --quiet', 'no status on stderr')
    .action((options: StreamOptions) => stream(options));

  common(program.command('submit'))
    .description('report indicators into one of your feeds, one per line (# comments ignored), sent in batches as they are read')
    .argument('<feed>', 'feed slug')
    .argument('[file]', 'file to read, or - for stdin', '-')
    .option('--tags <list>', 'tags for every indicator', list)
    .option('--confidence <n>', 'confidence 0-100 for every indicator', integer('--confidence', 0, 100))
    .option('--skip-lines <n>', 'skip the first n lines of the input (resume after a failure, as its message says)', integer('--skip-lines', 0, Number.MAX_SAFE_INTEGER))
    .action((feed: string, file: string, options: SubmitOptions) => submit(feed, file, options));

  common(program.command('check'))
    .description('look one indicator up')
    .argument('<value>', 'an IP, domain, URL, email or hash')
    .option('--json', 'print the full JSON answer')
    .action((value: string, options) => check(value, options));
}
