// `sluice admin user trust`, `indicator retract`, `warninglist …`, `dispute …` (docs/trust.md):
// registered on the admin command by cli/admin.ts and run like every admin command.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { AdminCommand } from '../lib/accounts/admin-commands';
import { INDICATOR_TYPES } from '../lib/indicators/types';
import { AppError } from '../lib/errors';
import { parseWarningListText } from '../lib/trust/custom-lists';
import { TRUST_LEVELS } from '../lib/trust/policy';

const LIST_TYPES = ['cidr', 'hostname', 'string'] as const;

/** `warninglist add <file>`: a MISP JSON list, or text with one entry per line (then --type). */
function listFromFile(file: string, o: { id?: string; name?: string; type?: (typeof LIST_TYPES)[number] }): AdminCommand {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('invalid_list', `cannot read ${file}: ${(error as Error).message}`, 400);
  }
  const parsed = parseWarningListText(text);
  const type = o.type ?? parsed.type;
  if (!type) throw new AppError('invalid_list', `${file} is plain text: say what its entries are with --type ${LIST_TYPES.join('|')}`, 400);
  const id = o.id ?? path.basename(file).replace(/\.[^.]*$/, '').toLowerCase();
  return {
    type: 'warninglist',
    action: 'add',
    list: { id, name: o.name ?? parsed.name, type, entries: parsed.entries, ...(parsed.matchingAttributes ? { matchingAttributes: parsed.matchingAttributes } : {}) },
  };
}

type Action = <Options>(build: (options: Options) => AdminCommand) => (options: Options, cmd: Command) => Promise<void>;

export function registerTrustCommands(admin: Command, action: Action): void {
  const user = admin.commands.find((c) => c.name() === 'user') ?? admin.command('user');
  user
    .command('trust')
    .description("set a reporter's trust level: trusted (streams at once), normal, untrusted (held until corroborated)")
    .requiredOption('--email <email>', 'the user')
    .addOption(new Option('--level <level>', 'the trust level').choices(TRUST_LEVELS).makeOptionMandatory())
    .action(action<{ email: string; level: (typeof TRUST_LEVELS)[number] }>((o) => ({ type: 'user.trust', ...o })));
  user
    .command('retract')
    .description("withdraw everything a reporter contributed and mark it untrusted: values public only thanks to it leave /threats, exports and counts; subscribers get `retracted` events")
    .requiredOption('--email <email>', 'the reporter')
    .requiredOption('--reason <reason>', 'why (shown to subscribers)')
    .action(action<{ email: string; reason: string }>((o) => ({ type: 'user.retract', ...o })));

  admin
    .command('indicator')
    .description('withdraw public values')
    .command('retract')
    .description('retract a value: it leaves /threats, exports and counts; subscribers get a `retracted` event')
    .addOption(new Option('--type <type>', 'indicator type').choices(INDICATOR_TYPES).makeOptionMandatory())
    .requiredOption('--value <value>', 'the value')
    .requiredOption('--reason <reason>', 'why (shown to subscribers and on the indicator page)')
    .action(action<{ type: (typeof INDICATOR_TYPES)[number]; value: string; reason: string }>((o) => ({ type: 'indicator.retract', indicatorType: o.type, value: o.value, reason: o.reason })));

  const lists = admin.command('warninglist').description('warning lists (MISP): list with hit counts, add, remove, enable, disable, reload');
  lists.command('list').description('each list: type, entries, state, hits').action(action(() => ({ type: 'warninglist', action: 'list' })));
  lists.command('reload').description('re-read the list files on every node (within WARNING_LISTS_REFRESH_SECONDS)').action(action(() => ({ type: 'warninglist', action: 'reload' })));
  lists
    .command('enable')
    .argument('<id>', 'list id, as shown by list (its first column)')
    .description('enable a list')
    .action((name: string, _o: unknown, cmd: Command) => action(() => ({ type: 'warninglist', action: 'enable', name }))({}, cmd));
  lists
    .command('add')
    .argument('<file>', 'a MISP warning list (JSON), or text with one entry per line')
    .option('--id <id>', 'list id (default: the file name without extension)')
    .option('--name <name>', 'a description (default: the MISP name, else the id)')
    .addOption(new Option('--type <type>', 'what the entries are (needed for a text file)').choices(LIST_TYPES))
    .description('add a list on every node without a restart (stored in the database)')
    .action((file: string, o: { id?: string; name?: string; type?: (typeof LIST_TYPES)[number] }, cmd: Command) => action(() => listFromFile(file, o))({}, cmd));
  lists
    .command('remove')
    .argument('<id>', 'the id of a list an operator added (shipped lists: disable them)')
    .description('remove a list you added, on every node')
    .action((name: string, _o: unknown, cmd: Command) => action(() => ({ type: 'warninglist', action: 'remove', name }))({}, cmd));
  lists
    .command('disable')
    .argument('<id>', 'list id, as shown by list (its first column)')
    .description('disable a list')
    .action((name: string, _o: unknown, cmd: Command) => action(() => ({ type: 'warninglist', action: 'disable', name }))({}, cmd));

  const disputes = admin.command('dispute').description("subscribers' false-positive reports");
  disputes.command('list').description('open disputes, oldest first').action(action(() => ({ type: 'dispute', action: 'list' })));
  disputes
    .command('uphold')
    .description('uphold a dispute: retracts the value')
    .requiredOption('--id <id>', 'dispute id')
    .option('--note <note>', 'retraction reason (default: the dispute’s)')
    .action(action<{ id: string; note?: string }>((o) => ({ type: 'dispute', action: 'uphold', id: o.id, ...(o.note ? { note: o.note } : {}) })));
  disputes
    .command('reject')
    .description('reject a dispute')
    .requiredOption('--id <id>', 'dispute id')
    .action(action<{ id: string }>((o) => ({ type: 'dispute', action: 'reject', id: o.id })));
}
