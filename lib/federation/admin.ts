// Operator commands for federation (`sluice admin peer …`, cli/peer.ts), dispatched from
// lib/accounts/admin-commands.ts and run wherever admin commands run.
import { z } from 'zod';
import type { Engines } from '../engines';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import { sqlFromPrisma } from '../trust/prisma-sql';
import { getInstanceId } from './instance';
import { acceptSuggestion, dismissSuggestion, findSuggestions } from './discovery';
import { addPeerLink, findPeerLinks, removePeerLink, setPeerLinkPaused, setPeerLinkRules, type PeerLinkRow } from './links';
import { findPeerStatus } from './status';

const rulesJson = z.string().max(10_000).optional();

export const federationAdminCommandSchemas = [
  z.object({
    type: z.literal('peer.add'),
    name: z.string(),
    url: z.string(),
    token: z.string().optional(),
    community: z.boolean().default(false),
    introduce: z.boolean().default(false),
    inboundToken: z.string().optional(),
    outbound: rulesJson,
    inbound: rulesJson,
  }),
  z.object({ type: z.literal('peer.list') }),
  z.object({ type: z.literal('peer.remove'), name: z.string() }),
  z.object({ type: z.literal('peer.pause'), name: z.string() }),
  z.object({ type: z.literal('peer.resume'), name: z.string() }),
  z.object({
    type: z.literal('peer.set'),
    name: z.string(),
    token: z.string().optional(),
    url: z.string().optional(),
    community: z.boolean().optional(),
    introduce: z.boolean().optional(),
    outbound: rulesJson,
    inbound: rulesJson,
  }),
  // Discovery (lib/federation/discovery.ts): suggested peers wait for an operator's yes.
  z.object({ type: z.literal('peer.suggestions') }),
  z.object({
    type: z.literal('peer.accept'),
    url: z.string().max(2000),
    token: z.string().max(200),
    name: z.string().max(100).optional(),
    community: z.boolean().default(false),
  }),
  z.object({ type: z.literal('peer.dismiss'), url: z.string().max(2000) }),
] as const;

export type FederationAdminCommand = z.output<(typeof federationAdminCommandSchemas)[number]>;

function parseJson(raw: string | undefined, what: string): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError('invalid_rules', `${what} rules must be JSON, e.g. '{"excludeFeeds":["honeypot"],"minConfidence":60}'`);
  }
}

const describe = (l: PeerLinkRow) =>
  `${l.name}  ${l.url}  ${l.paused ? 'paused' : l.token ? 'active' : 'serve-only (no token for the remote)'}${l.community ? '  community' : ''}${l.introduce ? '  introduced to other peers' : ''}` +
  `  out ${JSON.stringify(l.outbound)}  in ${JSON.stringify(l.inbound)}${l.inbound_prefix ? `  their token here: ${l.inbound_prefix}…` : ''}`;

export async function runFederationAdminCommand(
  deps: { prisma: PrismaClient; engines: Engines },
  command: FederationAdminCommand,
): Promise<{ lines: string[]; token?: string }> {
  const sql = sqlFromPrisma(deps.prisma);
  switch (command.type) {
    case 'peer.add': {
      const { link, inboundToken } = await addPeerLink(
        { prisma: deps.prisma, sql },
        { ...command, outbound: parseJson(command.outbound, 'outbound'), inbound: parseJson(command.inbound, 'inbound') },
      );
      const instance = await getInstanceId(sql);
      return {
        lines: [
          `added peer link ${describe(link)}`,
          `events from ${link.name} arrive in the feed peer:${link.name}; this instance is ${instance}`,
          ...(inboundToken ? [`the peer token for ${link.name} to stream from here (give it to their operator: sluice admin peer add --token …) is shown once, below:`] : []),
        ],
        ...(inboundToken ? { token: inboundToken } : {}),
      };
    }
    case 'peer.list': {
      const [links, status] = await Promise.all([findPeerLinks(sql), findPeerStatus(sql)]);
      if (!links.length) return { lines: ['no peer links (sluice admin peer add --name N --url URL --token T)'] };
      const byName = new Map(status.map((s) => [s.name, s]));
      return {
        lines: links.map((l) => {
          const s = byName.get(l.name);
          return `${describe(l)}  ${s ? `state ${s.state}, in/min ${s.inPerMinute}, out/min ${s.outPerMinute}${s.lastEventAt ? `, last event ${s.lastEventAt}` : ''}${s.lastError ? `, last error: ${s.lastError}` : ''}` : ''}`;
        }),
      };
    }
    case 'peer.remove': {
      const { revoked } = await removePeerLink({ prisma: deps.prisma, sql, engines: deps.engines }, command.name);
      return { lines: [`removed peer link ${command.name}${revoked ? `; its peer token ${revoked}… is revoked` : ''} (the feed peer:${command.name} keeps what it received)`] };
    }
    case 'peer.pause':
    case 'peer.resume': {
      const link = await setPeerLinkPaused(sql, command.name, command.type === 'peer.pause');
      return { lines: [`${link.name}: ${link.paused ? 'paused (its runner disconnects within a few seconds; the cursor is kept)' : 'resumed from its stored cursor'}`] };
    }
    case 'peer.set': {
      const link = await setPeerLinkRules(sql, command.name, {
        ...command,
        outbound: parseJson(command.outbound, 'outbound'),
        inbound: parseJson(command.inbound, 'inbound'),
      });
      return { lines: [`updated ${describe(link)}`] };
    }
    case 'peer.suggestions': {
      const suggestions = await findSuggestions(sql);
      if (!suggestions.length) return { lines: ['no suggested peers (peers introduce the links they flag with --introduce; FEDERATION_MDNS=true finds instances on the local network)'] };
      return {
        lines: suggestions.map(
          (s) => `${s.name}  ${s.url}  introduced by ${s.introducedBy.join(', ')}${s.instance ? `  instance ${s.instance}` : ''}  (link: sluice admin peer accept --url ${s.url} --token <a peer token issued by ${s.name}>)`,
        ),
      };
    }
    case 'peer.accept': {
      const { link, inboundToken } = await acceptSuggestion({ prisma: deps.prisma, sql }, command);
      return {
        lines: [
          `accepted the suggested peer: added peer link ${describe(link)}`,
          ...(inboundToken ? [`the peer token for ${link.name} to stream from here (give it to their operator: sluice admin peer set --name … --token …) is shown once, below:`] : []),
        ],
        ...(inboundToken ? { token: inboundToken } : {}),
      };
    }
    case 'peer.dismiss': {
      const dismissed = await dismissSuggestion(sql, command.url);
      return { lines: [`dismissed the suggested peer ${dismissed.name} (${dismissed.url}); it will not be suggested again`] };
    }
  }
}
