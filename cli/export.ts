// `sluice export --format stix|csv|txt` — everything a token can see, in one file: csv and txt from
// the search API (public data plus the token owner's own), stix from the STIX API (public data
// only, one bundle: STIX objects are shared as they are, whoever exports them). Pages are
// followed to the end and written as they arrive. Exit codes as in cli/client.ts.
import { createWriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { csvCell } from '../lib/csv';
import { INDICATOR_TYPES, type IndicatorType } from '../lib/indicators/types';
import { answer, apiClient, EXIT, fail, type SluiceApi } from './api.ts';

const FORMATS = ['stix', 'csv', 'txt'] as const;
type Format = (typeof FORMATS)[number];

interface ExportOptions {
  url?: string;
  token?: string;
  format: Format;
  type?: string;
  tag?: string;
  feed?: string;
  since?: string;
  output?: string;
}

const CSV_HEADER = ['type', 'value', 'tags', 'confidence', 'sightings', 'first_seen', 'last_seen', 'feeds'];

class Exporter {
  private readonly api: SluiceApi;
  constructor(
    private readonly options: ExportOptions,
    token: string,
    private readonly out: Writable,
  ) {
    const base = (options.url ?? process.env.SLUICE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
    // Waits out 429 as told: a long export may pass the plan's rate.
    this.api = apiClient(base, token, { waitOnRateLimit: true });
  }

  private write(text: string): Promise<void> {
    return new Promise((resolve, reject) => (this.out.write(text, (e) => (e ? reject(e) : resolve()))));
  }

  private filters(cursor: string | undefined) {
    const { type, tag, feed, since } = this.options;
    return { type: type as IndicatorType | undefined, tag, feed, since, limit: 500, cursor };
  }

  async run(): Promise<number> {
    return this.options.format === 'stix' ? this.stix() : this.rows(this.options.format);
  }

  private async rows(format: 'csv' | 'txt'): Promise<number> {
    let cursor: string | undefined;
    let n = 0;
    if (format === 'csv') await this.write(CSV_HEADER.join(',') + '\r\n');
    do {
      const page = await answer(this.api.GET('/api/v1/indicators', { params: { query: this.filters(cursor) } }));
      const lines = page.indicators.map((i) =>
        format === 'txt'
          ? i.value
          : [i.type, i.value, i.tags.join(' '), i.confidence, i.sightings, i.firstSeen, i.lastSeen, i.feeds.map((f) => `${f.owner}/${f.slug}`).join(' ')].map(csvCell).join(','),
      );
      if (lines.length) await this.write(lines.join(format === 'csv' ? '\r\n' : '\n') + (format === 'csv' ? '\r\n' : '\n'));
      n += lines.length;
      cursor = page.next ?? undefined;
    } while (cursor);
    return n;
  }

  /** One bundle: the marking and identity once, then every page's indicators and sightings. */
  private async stix(): Promise<number> {
    let cursor: string | undefined;
    let n = 0;
    let first = true;
    const shared = new Set<string>();
    await this.write(`{"type":"bundle","id":"bundle--${randomUUID()}","objects":[`);
    do {
      const pending = this.api.GET('/api/v1/stix/indicators', { params: { query: this.filters(cursor) } });
      const bundle = await answer(pending);
      const next = (await pending).response.headers.get('x-next-cursor');
      const objects = bundle.objects.filter((o) => {
        if (o.type !== 'identity' && o.type !== 'marking-definition') return true;
        if (shared.has(o.id)) return false;
        shared.add(o.id);
        return true;
      });
      n += objects.filter((o) => o.type === 'indicator').length;
      if (objects.length) await this.write((first ? '\n' : ',\n') + objects.map((o) => JSON.stringify(o)).join(',\n'));
      first = false;
      cursor = next ?? undefined;
    } while (cursor);
    await this.write('\n]}\n');
    return n;
  }
}

async function exportCommand(options: ExportOptions): Promise<void> {
  const token = options.token ?? process.env.SLUICE_TOKEN;
  if (!token) fail('an API token is required: --token slc_… or SLUICE_TOKEN', EXIT.usage);
  if (options.type && !(INDICATOR_TYPES as readonly string[]).includes(options.type)) fail(`unknown type ${options.type} (use ${INDICATOR_TYPES.join(', ')})`, EXIT.usage);
  const out: Writable = options.output ? createWriteStream(options.output) : process.stdout;
  const n = await new Exporter(options, token, out).run();
  if (options.output) await new Promise<void>((resolve, reject) => (out as ReturnType<typeof createWriteStream>).end((e?: Error | null) => (e ? reject(e) : resolve())));
  process.stderr.write(`sluice: exported ${n} indicator${n === 1 ? '' : 's'} as ${options.format}${options.output ? ` to ${options.output}` : ''}\n`);
}

export function register(program: Command): void {
  program
    .command('export')
    .description('export the indicators your token can see: stix (a STIX 2.1 bundle of public data), csv or txt (one value per line)')
    .addOption(new Option('--format <format>', 'stix, csv or txt').choices(FORMATS).makeOptionMandatory())
    .option('--type <type>', `only this type: ${INDICATOR_TYPES.join(', ')}`)
    .option('--tag <tag>', 'only indicators with this tag')
    .option('--feed <feed>', 'only this feed: your slug, or owner-id/slug of a public feed')
    .option('--since <date>', 'only indicators seen since (ISO 8601)')
    .option('-o, --output <file>', 'write to this file (default: standard output)')
    .option('--url <url>', 'Sluice base URL (env SLUICE_URL)')
    .option('--token <token>', 'API token slc_… with the read scope (env SLUICE_TOKEN)')
    .action((options: ExportOptions) => exportCommand(options));
}
