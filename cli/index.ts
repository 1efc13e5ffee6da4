// `sluice` — command-line client and operator tool. Subcommands live one per file in cli/.
import { Command } from 'commander';
import packageJson from '../package.json' with { type: 'json' };

const program = new Command()
  .name('sluice')
  .description('Sluice threat-intelligence firehose: stream, submit and check indicators; administer an instance.')
  .version(packageJson.version)
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

// Each module registers its subcommands; they are filled in by their features.
const modules = await Promise.all([import('./admin.ts'), import('./client.ts'), import('./jobs.ts'), import('./export.ts'), import('./webhook.ts')]);
for (const commands of modules) commands.register(program);

await program.parseAsync(process.argv);
