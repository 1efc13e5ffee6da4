// `sluice admin ...` — operator commands on the configured database.
import type { Command } from 'commander';

export function register(program: Command): void {
  program.command('admin').description('operator commands (users, tokens) on the configured database');
}
