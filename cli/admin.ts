// `sluice admin ...` — operator commands on the configured database. When no Redis carries control
// messages and a running Sluice serves this database (always the case for a live embedded PGlite,
// which only one process may open), the command goes to that server over loopback instead.
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ADMIN_HEADER, ADMIN_PATH, deriveAdminKey, readAdminHandle, readSessionSecret } from '../lib/accounts/admin-channel';
import { runAdminCommand, type AdminCommand, type AdminResult } from '../lib/accounts/admin-commands';
import { ConfigError, parseConfig, publicBaseUrl, type Config } from '../lib/config';
import { isAppError } from '../lib/errors';
import { PLAN_IDS } from '../lib/plans';
import { TOKEN_SCOPES, type TokenScope } from '../lib/tokens';
import { registerPeerCommands } from './peer';
import { registerTrustCommands } from './trust';

class CliError extends Error {
  /** 404 when the running server that ran the command answered "not found" (exit code 3). */
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

function parseScopes(value: string): TokenScope[] {
  const scopes = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = scopes.filter((s) => !(TOKEN_SCOPES as readonly string[]).includes(s));
  if (!scopes.length || bad.length) {
    throw new InvalidArgumentError(`scopes are a comma-separated list of ${TOKEN_SCOPES.join(', ')}${bad.length ? ` (unknown: ${bad.join(', ')})` : ''}`);
  }
  return [...new Set(scopes)] as TokenScope[];
}

type Route = { kind: 'server'; url: string; key: string } | { kind: 'direct' };

async function post(url: string, key: string, command: AdminCommand | { type: 'ping' }) {
  const res = await fetch(new URL(ADMIN_PATH, url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', [ADMIN_HEADER]: key },
    body: JSON.stringify(command),
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await res.json().catch(() => null)) as
    | { result?: AdminResult; instance?: { database: string; location: string }; error?: { code: string; message: string } }
    | null;
  return { status: res.status, body };
}

/** Decides where the command runs: a running server that owns this database, or here. */
async function chooseRoute(config: Config, explicitUrl: string | undefined): Promise<Route> {
  if (config.REDIS_URL && !explicitUrl) return { kind: 'direct' }; // Redis carries control messages to every node
  const embedded = !config.DATABASE_URL;
  const secret = await readSessionSecret({ NEXTAUTH_SECRET: config.NEXTAUTH_SECRET, DATA_DIR: config.DATA_DIR });
  const handle = await readAdminHandle(config.DATA_DIR);
  const candidates = explicitUrl ? [explicitUrl] : [...new Set([handle?.url, `http://127.0.0.1:${config.PORT || 3000}`].filter((u): u is string => !!u))];
  const ours = embedded ? path.resolve(config.DATA_DIR, 'pglite') : null;
  for (const url of candidates) {
    let answer;
    try {
      answer = await post(url, secret ? deriveAdminKey(secret) : 'none', { type: 'ping' });
    } catch {
      if (explicitUrl) throw new CliError(`cannot reach Sluice at ${url}`);
      continue; // nothing listens there
    }
    if (answer.status === 401 && embedded) {
      throw new CliError(
        `a Sluice server at ${url} refused the admin key: run this command with the server's NEXTAUTH_SECRET and DATA_DIR (the embedded database cannot be opened while the server runs)`,
      );
    }
    if (answer.status !== 200 || !answer.body?.instance) {
      if (explicitUrl) throw new CliError(`${url} did not accept the admin command (HTTP ${answer.status})`);
      continue;
    }
    const { instance } = answer.body;
    const same = embedded ? instance.database === 'embedded' && instance.location === ours : instance.database === 'postgres';
    if (same || explicitUrl) return { kind: 'server', url, key: deriveAdminKey(secret!) };
  }
  return { kind: 'direct' };
}

async function execute(command: AdminCommand, url: string | undefined): Promise<AdminResult> {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  const [{ openDatabase }, { createEngines }, { EmbeddedDatabaseBusyError }, { createMailer }, { default: pino }] = await Promise.all([
    import('../lib/db'),
    import('../lib/engines'),
    import('../lib/db/embedded-lock'),
    import('../lib/mail/create-mailer'),
    import('pino'),
  ]);
  // A server that is still starting owns the embedded database before it listens: wait for it.
  const deadline = Date.now() + 30_000;
  let db;
  for (;;) {
    const route = await chooseRoute(config, url);
    if (route.kind === 'server') {
      const { status, body } = await post(route.url, route.key, command);
      if (status !== 200 || !body?.result) throw new CliError(body?.error?.message ?? `the server answered HTTP ${status}`, status);
      return body.result;
    }
    try {
      db = await openDatabase(config, { migrate: true });
      break;
    } catch (error) {
      if (!(error instanceof EmbeddedDatabaseBusyError) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  const engines = createEngines(config);
  // Notices (a new token) go out as the server's would: SMTP_URL, else the local outbox. Errors go
  // to stderr: stdout carries the command's answer (and a token).
  const logger = pino({ level: 'error' }, pino.destination(2));
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, prisma: db.prisma, logger });
  const notices = { prisma: db.prisma, mail: { mailer, logger }, baseUrl: publicBaseUrl(config).replace(/\/+$/, '') };
  try {
    return await runAdminCommand({ prisma: db.prisma, engines, notices }, command);
  } finally {
    mailer.close();
    await engines.close().catch(() => undefined);
    await db.close().catch(() => undefined);
  }
}

/**
 * `sluice admin --url <url> …`: the option of `admin` itself, written before the subcommand (admin's
 * options are positional), never a subcommand's own `--url` such as `peer add --url` (the remote).
 */
function adminUrl(cmd: Command): string | undefined {
  // `admin` is the program's child: climb to the command whose parent is the program.
  let admin = cmd;
  while (admin.parent?.parent) admin = admin.parent;
  return (admin.opts() as { url?: string }).url;
}

function action<Options>(build: (options: Options) => AdminCommand) {
  return async (options: Options, cmd: Command) => {
    const url = adminUrl(cmd);
    try {
      const result = await execute(build(options), url);
      for (const line of result.lines) process.stdout.write(`${line}\n`);
      if (result.token) process.stdout.write(`${result.token}\n`);
    } catch (error) {
      const message = isAppError(error) || error instanceof CliError ? error.message : error instanceof Error ? error.message : String(error);
      process.stderr.write(`sluice admin: ${message}\n`);
      const notFound = (isAppError(error) || error instanceof CliError) && error.status === 404;
      process.exitCode = notFound ? 3 : 1;
    }
  };
}

export function register(program: Command): void {
  const admin = program
    .command('admin')
    .description('operator commands (users, tokens, trust, peers, jobs) on the configured database (DATABASE_URL, or the embedded one in DATA_DIR)')
    .option('--url <url>', 'send the command to this running Sluice, written before the subcommand (default: found through DATA_DIR/admin.json or PORT)')
    .addHelpText(
      'after',
      `
Runs on the database Sluice is configured for (same environment variables as the server). While an
embedded Sluice is running, the command is sent to it over loopback, authenticated by the instance's
secret (NEXTAUTH_SECRET or DATA_DIR/secret). Plan changes and revocations reach live streams.

Exit codes: 0 done, 1 error (bad arguments, taken email, weak password, ...), 3 not found.

Examples:
  sluice admin user create --email ops@example.com --password 'correct horse battery' --plan firehose
  sluice admin user plan --email ops@example.com --plan free
  sluice admin user delete --email leaver@example.com
  sluice admin user suspend --email abuser@example.com --reason 'scraping with shared tokens'
  sluice admin user unsuspend --email abuser@example.com
  sluice admin token create --email ops@example.com --name laptop --scopes stream,read
  sluice admin token create --email ops@example.com --name siem --scopes stream --expires-in 90d --allow 10.0.0.0/8,2001:db8::/32
  sluice admin token revoke --prefix slc_AbCd1234`,
    );

  const user = admin.command('user').description('create users and set their plan');
  user
    .command('create')
    .description('create a user (email + password), optionally on a plan')
    .requiredOption('--email <email>', 'email address (normalised: trimmed, lower-case)')
    .requiredOption('--password <password>', `password (at least 10 characters, not a common one)`)
    .addOption(new Option('--plan <plan>', 'plan to start on').choices(PLAN_IDS).default('free'))
    .option('--admin', 'an operator: may open the admin page (/admin)', false)
    .action(action<{ email: string; password: string; plan: 'free' | 'firehose'; admin: boolean }>((o) => ({ type: 'user.create', ...o })));
  user
    .command('plan')
    .description("set a user's plan (operator override; with Stripe, the next webhook re-syncs from Stripe)")
    .requiredOption('--email <email>', 'the user')
    .addOption(new Option('--plan <plan>', 'the new plan').choices(PLAN_IDS).makeOptionMandatory())
    .action(action<{ email: string; plan: 'free' | 'firehose' }>((o) => ({ type: 'user.plan', ...o })));
  user
    .command('delete')
    .description('delete a user with their tokens, feeds and sightings (live streams end; public counters are recomputed)')
    .requiredOption('--email <email>', 'the user')
    .action(action<{ email: string }>((o) => ({ type: 'user.delete', ...o })));

  user
    .command('suspend')
    .description('suspend a user: no sign-in, signed out everywhere, tokens refused and live streams ended (reversible: unsuspend)')
    .requiredOption('--email <email>', 'the user')
    .option('--reason <text>', 'why (kept in the audit log)')
    .action(action<{ email: string; reason?: string }>((o) => ({ type: 'user.suspend', email: o.email, ...(o.reason ? { reason: o.reason } : {}) })));
  user
    .command('unsuspend')
    .description("lift a user's suspension: they may sign in again and their tokens work again")
    .requiredOption('--email <email>', 'the user')
    .action(action<{ email: string }>((o) => ({ type: 'user.unsuspend', ...o })));
  user
    .command('signout')
    .description('end every session of a user on every device (they must sign in again)')
    .requiredOption('--email <email>', 'the user')
    .action(action<{ email: string }>((o) => ({ type: 'user.signout', ...o })));
  user
    .command('two-factor-off')
    .description('turn two-factor sign-in off for a user who lost their device and recovery codes (check who asks first)')
    .requiredOption('--email <email>', 'the user')
    .action(action<{ email: string }>((o) => ({ type: 'user.two-factor-off', ...o })));

  const token = admin.command('token').description('create and revoke API tokens');
  token
    .command('create')
    .description('create an API token; the token is printed once, alone on the last line')
    .requiredOption('--email <email>', 'owner of the token')
    .requiredOption('--name <name>', 'a name to recognise it by')
    .requiredOption('--scopes <scopes>', `comma-separated: ${TOKEN_SCOPES.join(',')}`, parseScopes)
    .option('--expires-in <duration>', 'refuse the token after this long: 30d, 12h, 2w, 90m, 45s (default: never expires)')
    .option('--allow <networks>', 'comma-separated CIDR networks or addresses it may be used from, e.g. 10.0.0.0/8,2001:db8::/32 (at most 20; default: anywhere)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .action(
      action<{ email: string; name: string; scopes: TokenScope[]; expiresIn?: string; allow?: string[] }>((o) => ({
        type: 'token.create',
        email: o.email,
        name: o.name,
        scopes: o.scopes,
        ...(o.expiresIn !== undefined ? { expiresIn: o.expiresIn } : {}),
        ...(o.allow !== undefined ? { allow: o.allow } : {}),
      })),
    );
  token
    .command('revoke')
    .description('revoke a token by its display prefix (slc_ + 8 characters); its live streams end')
    .requiredOption('--prefix <prefix>', 'the prefix shown on the dashboard, e.g. slc_AbCd1234')
    .action(action<{ prefix: string }>((o) => ({ type: 'token.revoke', prefix: o.prefix })));
  registerTrustCommands(admin, action); // user trust, indicator retract, warninglist, dispute
  registerPeerCommands(admin, action); // peer add|list|remove|pause|resume|set (docs/federation.md)
}
