// `sluice admin peer add|list|remove|pause|resume|set|suggestions|accept|dismiss` (docs/federation.md): peer links to other
// Sluice instances, registered on the admin command by cli/admin.ts and run like every admin command.
import type { Command } from 'commander';
import type { AdminCommand } from '../lib/accounts/admin-commands';

type Action = <Options>(build: (options: Options) => AdminCommand) => (options: Options, cmd: Command) => Promise<void>;

const RULES_HELP = `JSON sharing rules, e.g. '{"excludeFeeds":["honeypot"],"types":["ipv4","domain"],"minConfidence":60}'
  (keys: feeds, excludeFeeds, tlps ["CLEAR"] or ["CLEAR","GREEN"] (community links only), types, tags, minConfidence, forward)`;

export function registerPeerCommands(admin: Command, action: Action): void {
  const peer = admin.command('peer').description('links to other Sluice instances: add, list, remove, pause, resume, set; suggested peers: suggestions, accept, dismiss');
  peer
    .command('add')
    .description('link to a remote instance; prints the peer token for the remote to stream from here (once)')
    .requiredOption('--name <name>', 'a short name for the remote (events arrive in the feed peer:<name>)')
    .requiredOption('--url <url>', "the remote instance's URL, e.g. https://sluice.example.org")
    .option('--token <token>', "a peer token issued by the remote (sluice admin token create --scopes peer there); without it the link only serves the remote")
    .option('--community', 'a community link: GREEN may be shared when a rule allows it', false)
    .option('--introduce', "introduce this remote to this instance's other peers as a suggested peer (discovery)", false)
    .option('--inbound-token <prefix>', 'bind an existing local peer token (its prefix) instead of creating one')
    .option('--out <json>', `what this instance sends: ${RULES_HELP}`)
    .option('--in <json>', 'what this instance accepts from the remote: same keys')
    .action(
      action<{ name: string; url: string; token?: string; community: boolean; introduce: boolean; inboundToken?: string; out?: string; in?: string }>((o) => ({
        type: 'peer.add',
        name: o.name,
        url: o.url,
        community: o.community,
        introduce: o.introduce,
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
    .option('--introduce', "introduce this remote to this instance's other peers (discovery)")
    .option('--no-introduce', 'stop introducing it')
    .option('--out <json>', `outbound rules: ${RULES_HELP}`)
    .option('--in <json>', 'inbound rules')
    .action(
      action<{ name: string; token?: string; url?: string; community?: boolean; introduce?: boolean; out?: string; in?: string }>((o) => ({
        type: 'peer.set',
        name: o.name,
        ...(o.token ? { token: o.token } : {}),
        ...(o.url ? { url: o.url } : {}),
        ...(o.community !== undefined ? { community: o.community } : {}),
        ...(o.introduce !== undefined ? { introduce: o.introduce } : {}),
        ...(o.out ? { outbound: o.out } : {}),
        ...(o.in ? { inbound: o.in } : {}),
      })),
    );
  peer
    .command('suggestions')
    .description('peers introduced by other peers (or found by mDNS) that are not linked yet; each needs your yes (accept)')
    .action(action(() => ({ type: 'peer.suggestions' })));
  peer
    .command('accept')
    .description('link to a suggested peer with a peer token its operator issued for you; prints the token for them (once)')
    .requiredOption('--url <url>', 'the suggested peer (as listed by peer suggestions)')
    .requiredOption('--token <token>', 'a peer token issued by that instance (sluice admin peer add --name <you> --url <your URL> there)')
    .option('--name <name>', 'a name for the link (default: the suggested one)')
    .option('--community', 'a community link', false)
    .action(
      action<{ url: string; token: string; name?: string; community: boolean }>((o) => ({
        type: 'peer.accept',
        url: o.url,
        token: o.token,
        community: o.community,
        ...(o.name ? { name: o.name } : {}),
      })),
    );
  peer
    .command('dismiss')
    .description('never suggest this peer again')
    .requiredOption('--url <url>', 'the suggested peer')
    .action(action<{ url: string }>((o) => ({ type: 'peer.dismiss', url: o.url })));
}
