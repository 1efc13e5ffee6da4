// `sluice admin peer add|list|remove|pause|resume|set` (docs/federation.md): peer links to other
// Sluice instances, registered on the admin command by cli/admin.ts and run like every admin command.
import type { Command } from 'commander';
import type { AdminCommand } from '../lib/accounts/admin-commands';

type Action = <Options>(build: (options: Options) => AdminCommand) => (options: Options, cmd: Command) => Promise<void>;

const RULES_HELP = `JSON sharing rules, e.g. '{"excludeFeeds":["honeypot"],"types":["ipv4","domain"],"minConfidence":60}'
  (keys: feeds, excludeFeeds, tlps ["CLEAR"] or ["CLEAR","GREEN"] (community links only), types, tags, minConfidence, forward)`;

export function registerPeerCommands(admin: Command, action: Action): void {
  const peer = admin.command('peer').description('links to other Sluice instances: add, list, remove, pause, resume, set');
  peer
    .command('add')
    .description('link to a remote instance; prints the peer token for the remote to stream from here (once)')
    .requiredOption('--name <name>', 'a short name for the remote (events arrive in the feed peer:<name>)')
    .requiredOption('--url <url>', "the remote instance's URL, e.g. https://sluice.example.org")
    .option('--token <token>', "a peer token issued by the remote (sluice admin token create --scopes peer there); without it the link only serves the remote")
    .option('--community', 'a community link: GREEN may be shared when a rule allows it', false)
    .option('--inbound-token <prefix>', 'bind an existing local peer token (its prefix) instead of creating one')
    .option('--out <json>', `what this instance sends: ${RULES_HELP}`)
    .option('--in <json>', 'what this instance accepts from the remote: same keys')
    .action(
      action<{ name: string; url: string; token?: string; community: boolean; inboundToken?: string; out?: string; in?: string }>((o) => ({
        type: 'peer.add',
        name: o.name,
        url: o.url,
        community: o.community,
        ...(o.token ? { token: o.token } : {}),
        ...(o.inboundToken ? { inboundToken: o.inboundToken } : {}),
        ...(o.out ? { outbound: o.out } : {}),
        ...(o.in ? { inbound: o.in } : {}),
      })),
    );
  peer.command('list').description('each link: URL, state, rules, events in/out per minute, last error').action(action(() => ({ type: 'peer.list' })));
  for (const verb of ['remove', 'pause', 'resume'] as const) {
    peer
      .command(verb)
      .description(
        verb === 'remove'
          ? 'remove a link (the peer token made for it is revoked; the feed keeps what arrived)'
          : verb === 'pause'
            ? 'stop a link both ways, keeping its cursor'
            : 'resume a paused link from its stored cursor',
      )
      .requiredOption('--name <name>', 'the link')
      .action(action<{ name: string }>((o) => ({ type: `peer.${verb}`, name: o.name })));
  }
  peer
    .command('set')
    .description("change a link's token, URL, community flag or rules")
    .requiredOption('--name <name>', 'the link')
    .option('--token <token>', 'a new peer token issued by the remote')
    .option('--url <url>', 'a new URL')
    .option('--community', 'mark the link community')
    .option('--no-community', 'unmark it')
    .option('--out <json>', `outbound rules: ${RULES_HELP}`)
    .option('--in <json>', 'inbound rules')
    .action(
      action<{ name: string; token?: string; url?: string; community?: boolean; out?: string; in?: string }>((o) => ({
        type: 'peer.set',
        name: o.name,
        ...(o.token ? { token: o.token } : {}),
        ...(o.url ? { url: o.url } : {}),
        ...(o.community !== undefined ? { community: o.community } : {}),
        ...(o.out ? { outbound: o.out } : {}),
        ...(o.in ? { inbound: o.in } : {}),
      })),
    );
}
