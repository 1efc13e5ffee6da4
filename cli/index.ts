// `sluice` — command-line client and operator tool. Subcommands live one per file in cli/.
import { Command } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { exitUsageErrorsWith2 } from './api.ts';

const program = new Command()
  .name('sluice')
  .description('Sluice threat-intelligence firehose: stream, submit and check indicators; administer an instance.')
  .version(packageJson.version)
  .showHelpAfterError()
  // A command's options come before its subcommand (`sluice admin --url <server> peer add --url
  // <remote>`): otherwise admin's --url would take the one of `peer add`. Inherited by every command.
  .enablePositionalOptions()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

// Each module registers its subcommands; they are filled in by their features.
const modules = await Promise.all([import('./admin.ts'), import('./client.ts'), import('./jobs.ts'), import('./export.ts'), import('./webhook.ts')]);
for (const commands of modules) commands.register(program);
// Bad usage exits 2 (README); `sluice admin` keeps its documented 1 for bad arguments.
exitUsageErrorsWith2(program, (command) => command.name() === 'admin' && command.parent === program);

await program.parseAsync(process.argv);
