// `sluice webhook add | list | test` — register and inspect outbound webhooks (docs/webhooks.md).
import { Command, InvalidArgumentError } from 'commander';
import { INDICATOR_TYPES, type IndicatorType } from '../lib/indicators/types';
import { answer, apiClient, EXIT, fail, type Schemas } from './api.ts';
import { connection } from './client.ts';

type Webhook = Schemas['Webhook'];
type Filters = NonNullable<Webhook['filters']>;

const list = (value: string) => value.split(',').map((v) => v.trim()).filter(Boolean);

const confidence = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new InvalidArgumentError('--min-confidence must be an integer from 0 to 100');
  return n;
};

interface Common {
  url?: string;
  token?: string;
  json?: boolean;
}

function describe(hook: Webhook): string {
  const h = hook.health;
  const state = hook.state === 'paused' ? `PAUSED (${hook.pausedReason ?? 'user'})` : hook.entitlement !== 'ok' ? `waiting (${hook.entitlement})` : 'active';
  return [
    `${hook.id}  ${hook.url}`,
    `  state:        ${state}`,
    `  filters:      ${JSON.stringify(hook.filters)}`,
    `  delivered:    ${h.deliveredEvents} events, last success ${h.lastSuccessAt ?? 'never'}`,
    `  backlog:      ${h.backlog} log entries; dead letters: ${h.deadLetters}`,
    ...(h.lastError ? [`  last error:   ${h.lastError} (${h.lastErrorAt ?? ''})`] : []),
  ].join('\n');
}

async function add(target: string, options: Common & { types?: string[]; tags?: string[]; feeds?: string[]; minConfidence?: number }) {
  const { url, token } = connection(options);
  const filters: Filters = {};
  if (options.types?.length) {
    const bad = options.types.filter((t) => !(INDICATOR_TYPES as readonly string[]).includes(t));
    if (bad.length) fail(`unknown type ${bad.join(', ')} (use ${INDICATOR_TYPES.join(', ')})`, EXIT.usage);
    filters.types = options.types as IndicatorType[];
  }
  if (options.tags?.length) filters.tags = options.tags;
  if (options.feeds?.length) filters.feeds = options.feeds;
  if (options.minConfidence !== undefined) filters.minConfidence = options.minConfidence;
  const body = await answer(apiClient(url, token).POST('/api/v1/webhooks', { body: { url: target, ...(Object.keys(filters).length ? { filters } : {}) } }));
  if (options.json) return void process.stdout.write(JSON.stringify(body, null, 2) + '\n');
  process.stdout.write(`${describe(body.webhook)}\n  secret:       ${body.webhook.secret}\n`);
  process.stderr.write('sluice: keep the secret now: it is not shown again (it signs every delivery; see docs/webhooks.md)\n');
}

async function show(options: Common) {
  const { url, token } = connection(options);
  const body = await answer(apiClient(url, token).GET('/api/v1/webhooks'));
  if (options.json) return void process.stdout.write(JSON.stringify(body, null, 2) + '\n');
  if (!body.webhooks.length) return void process.stdout.write('no webhooks; add one with `sluice webhook add <https url>`\n');
  process.stdout.write(body.webhooks.map(describe).join('\n\n') + '\n');
}

async function test(id: string, options: Common & { wait: number }) {
  const { url, token } = connection(options);
  const api = apiClient(url, token);
  const params = { path: { id } };
  const asked = await answer(api.POST('/api/v1/webhooks/{id}/test', { params }));
  const requestedAt = asked.webhook.test.requestedAt;
  const deadline = Date.now() + options.wait * 1000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { webhook } = await answer(api.GET('/api/v1/webhooks/{id}', { params }));
    const t = webhook.test;
    if (t.doneAt && requestedAt && t.doneAt >= requestedAt) {
      if (options.json) return void process.stdout.write(JSON.stringify(t, null, 2) + '\n');
      if (t.status !== null && t.status >= 200 && t.status < 300 && !t.error) {
        process.stdout.write(`test delivery to ${webhook.url}: HTTP ${t.status} OK\n`);
        return;
      }
      process.stdout.write(`test delivery to ${webhook.url} failed: ${t.error ?? `HTTP ${t.status}`}\n`);
      process.exit(EXIT.failure);
    }
  }
  fail(`no worker sent the test within ${options.wait} s (is a node with the worker role running?)`);
}

export function register(program: Command): void {
  const common = (cmd: Command) =>
    cmd
      .option('--url <url>', 'Sluice base URL (env SLUICE_URL)', undefined)
      .option('--token <token>', 'API token slc_… (env SLUICE_TOKEN)')
      .option('--json', 'print the JSON answer');
  const webhook = program.command('webhook').description('outbound webhooks: signed batches of firehose events POSTed to your HTTPS endpoint');
  common(webhook.command('add'))
    .description('register an HTTPS endpoint; prints its signing secret once')
    .argument('<url>', 'https://… endpoint')
    .option('--types <list>', `indicator types: ${INDICATOR_TYPES.join(',')}`, list)
    .option('--tags <list>', 'only events with one of these tags', list)
    .option('--feeds <list>', 'only these feeds (owner/slug or slug)', list)
    .option('--min-confidence <n>', 'minimum confidence 0-100', confidence)
    .action((target: string, options) => add(target, options));
  common(webhook.command('list')).description('your endpoints and their delivery health').action((options: Common) => show(options));
  common(webhook.command('test'))
    .description('have a worker send a signed test request now, and print its outcome')
    .argument('<id>', 'webhook id')
    .option('--wait <seconds>', 'how long to wait for the outcome', (v) => Number(v), 30)
    .action((id: string, options) => test(id, options));
}
