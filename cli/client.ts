// `sluice stream | submit | check` — API client commands.
import type { Command } from 'commander';

export function register(_program: Command): void {}
