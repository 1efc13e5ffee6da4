// The typed REST client of the CLI: openapi-fetch over the types `npm run generate` derives from
// the OpenAPI document (cli/generated/openapi.ts). Paths, parameters, bodies and answers are
// checked at build time: change a route's contract, regenerate, and `npm run typecheck` fails
// wherever the CLI no longer matches. Exit codes: 0 ok, 1 failure, 2 usage, 3 refused.
import type { Command } from 'commander';
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/openapi';

export const EXIT = { ok: 0, failure: 1, usage: 2, refused: 3 } as const;

export type Schemas = components['schemas'];
export type SluiceApi = Client<paths>;

export function fail(message: string, code: number = EXIT.failure): never {
  process.stderr.write(`sluice: ${message}\n`);
  process.exit(code);
}

/**
 * Commander's own usage errors (an unknown command or option, a missing or invalid argument) exit
 * with EXIT.usage, like the CLI's own checks; commander alone exits 1. Help and --version exit 0.
 * Applied to `command` and every subcommand, except those `skip` names (with their subcommands).
 */
export function exitUsageErrorsWith2(command: Command, skip: (command: Command) => boolean = () => false): void {
  if (skip(command)) return;
  command.exitOverride((error) => process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage));
  for (const sub of command.commands) exitUsageErrorsWith2(sub, skip);
}

export function connection(options: { url?: string; token?: string }): { url: string; token: string } {
  const url = (options.url ?? process.env.SLUICE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const token = options.token ?? process.env.SLUICE_TOKEN;
  if (!token) fail('an API token is required: --token slc_… or SLUICE_TOKEN', EXIT.usage);
  try {
    new URL(url);
  } catch {
    fail(`--url must be a URL like https://sluice.example.com (got ${JSON.stringify(url)})`, EXIT.usage);
  }
  return { url, token };
}

/** Attempts at a request the server answers 503 (a dependency down): it was not processed, so retrying is safe. */
const UNAVAILABLE_ATTEMPTS = 6;

interface ClientOptions {
  /** Also wait out 429 answers (as Retry-After says) and try again: a long export may pass the plan's rate. */
  waitOnRateLimit?: boolean;
}

/**
 * A client whose requests retry HTTP 503 (honouring Retry-After) and end the command with
 * "cannot reach" when the server cannot be reached at all.
 */
export function apiClient(url: string, token: string, options: ClientOptions = {}): SluiceApi {
  return createClient<paths>({ baseUrl: url, headers: { authorization: `Bearer ${token}` }, fetch: retrying(url, options) });
}

/** A client with no retries of its own, for callers that handle every outcome (the HTTP stream). */
export function plainApiClient(url: string, token: string): SluiceApi {
  return createClient<paths>({ baseUrl: url, headers: { authorization: `Bearer ${token}` } });
}

function retrying(url: string, options: ClientOptions) {
  return async (request: Request): Promise<Response> => {
    for (let attempt = 1; ; attempt += 1) {
      let res: Response;
      try {
        res = await fetch(request.clone());
      } catch (error) {
        fail(`cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (res.status === 429 && options.waitOnRateLimit) {
        await res.body?.cancel().catch(() => undefined);
        await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
        continue;
      }
      if (res.status !== 503 || attempt >= UNAVAILABLE_ATTEMPTS) return res;
      const retryAfter = Number(res.headers.get('retry-after'));
      const waitMs = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 30) * 1000 : Math.min(500 * 2 ** attempt, 15_000);
      await res.body?.cancel().catch(() => undefined);
      process.stderr.write(`sluice: the server is unavailable (HTTP 503); retrying in ${(waitMs / 1000).toFixed(1)} s\n`);
      await sleep(waitMs);
    }
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `{ error: { code, message } }` of an answer, when it has one. */
export function apiError(body: unknown): { code?: string; message?: string; oldest?: string | null } | undefined {
  const error = (body as { error?: unknown } | null | undefined)?.error;
  return error && typeof error === 'object' ? (error as { code?: string; message?: string }) : undefined;
}

/** The answer's data, or the end of the command with the server's error and the matching exit code. */
export async function answer<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await pending;
  } catch (error) {
    // Not the server's refusal (those are answers) but e.g. a 2xx that is not JSON: another server's page at this URL.
    fail(`request failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { response } = result;
  if (!response.ok) {
    const err = apiError(result.error);
    const message = err ? `${err.code}: ${err.message}` : `HTTP ${response.status}`;
    fail(message, response.status === 401 || response.status === 403 ? EXIT.refused : response.status < 500 ? EXIT.usage : EXIT.failure);
  }
  return result.data as T;
}
