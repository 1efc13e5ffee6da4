// `sluice export --format stix|csv|txt` — everything a token can see, in one file: csv and txt from
// the search API (public data plus the token owner's own), stix from the STIX API (public data
// only, one bundle: STIX objects are shared as they are, whoever exports them). Pages are
// followed to the end and written as they arrive. Exit codes as in cli/client.ts.
import { createWriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { csvCell } from '../lib/csv';
import { INDICATOR_TYPES } from '../lib/indicators/types';

const EXIT = { ok: 0, failure: 1, usage: 2, refused: 3 } as const;
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

function fail(message: string, code: number = EXIT.failure): never {
  process.stderr.write(`sluice: ${message}\n`);
  process.exit(code);
}

interface Summary {
  type: string;
  value: string;
  tags: string[];
  confidence: number;
  sightings: number;
  firstSeen: string;
  lastSeen: string;
  feeds: { slug: string; owner: string }[];
}

const CSV_HEADER = ['type', 'value', 'tags', 'confidence', 'sightings', 'first_seen', 'last_seen', 'feeds'];

class Exporter {
  private readonly base: string;
  constructor(
    private readonly options: ExportOptions,
    private readonly token: string,
    private readonly out: Writable,
  ) {
    this.base = (options.url ?? process.env.SLUICE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  }

  private async get(path: string, params: Record<string, string | undefined>): Promise<Response> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${this.token}` } });
    } catch (error) {
      fail(`cannot reach ${this.base}: ${(error as Error).message}`);
    }
    if (res.ok) return res;
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    const why = body?.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${res.status}`;
    if (res.status === 429) {
      // Wait as told and try again: a long export may pass the plan's rate.
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
      return this.get(path, params);
    }
    fail(why, res.status === 401 || res.status === 403 ? EXIT.refused : res.status < 500 ? EXIT.usage : EXIT.failure);
  }

  private write(text: string): Promise<void> {
    return new Promise((resolve, reject) => (this.out.write(text, (e) => (e ? reject(e) : resolve()))));
  }

  private filters() {
    const { type, tag, feed, since } = this.options;
    return { type, tag, feed, since };
  }

  async run(): Promise<number> {
    return this.options.format === 'stix' ? this.stix() : this.rows(this.options.format);
  }

  private async rows(format: 'csv' | 'txt'): Promise<number> {
    let cursor: string | undefined;
    let n = 0;
    if (format === 'csv') await this.write(CSV_HEADER.join(',') + '\r\n');
    do {
      const page = (await (await this.get('/api/v1/indicators', { ...this.filters(), limit: '500', cursor })).json()) as { indicators: Summary[]; next: string | null };
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
      const res = await this.get('/api/v1/stix/indicators', { ...this.filters(), limit: '500', cursor });
      const bundle = (await res.json()) as { objects: { type: string; id: string }[] };
      const objects = bundle.objects.filter((o) => {
        if (o.type !== 'identity' && o.type !== 'marking-definition') return true;
        if (shared.has(o.id)) return false;
        shared.add(o.id);
        return true;
      });
      n += objects.filter((o) => o.type === 'indicator').length;
      if (objects.length) await this.write((first ? '\n' : ',\n') + objects.map((o) => JSON.stringify(o)).join(',\n'));
      first = false;
      cursor = res.headers.get('x-next-cursor') ?? undefined;
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
