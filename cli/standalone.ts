// The entry of the installable CLI package (packages/cli, built by scripts/build-cli.mjs into one
// file): the API client commands only — stream, submit, check, export, webhook. The operator
// commands (`sluice admin …`: users, tokens, trust, peers, jobs) need the database and stay in the repository (bin/sluice.mjs).
import { Command } from 'commander';
import { exitUsageErrorsWith2 } from './api.ts';
import * as client from './client.ts';
import * as exporter from './export.ts';
import * as webhook from './webhook.ts';

/** Set by the bundler from packages/cli/package.json. */
declare const SLUICE_CLI_VERSION: string;

const program = new Command()
  .name('sluice')
  .description('Sluice threat-intelligence firehose client: stream, submit, check and export indicators, manage webhooks.')
  .version(typeof SLUICE_CLI_VERSION === 'string' ? SLUICE_CLI_VERSION : '0.0.0-dev')
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

for (const commands of [client, exporter, webhook]) commands.register(program);
exitUsageErrorsWith2(program);
program.addHelpText('after', '\nEnvironment: SLUICE_URL (default http://localhost:3000), SLUICE_TOKEN. Exit codes: 0 done, 1 failure, 2 bad usage, 3 refused.');

await program.parseAsync(process.argv);
