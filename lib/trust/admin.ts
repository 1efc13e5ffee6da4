// Operator commands for trust (`sluice admin user trust`, `indicator retract`, `warninglist …`),
// dispatched from lib/accounts/admin-commands.ts and run wherever admin commands run.
import { z } from 'zod';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import { INDICATOR_TYPES } from '../indicators/types';
import { defaultTrustPolicy, TRUST_LEVELS } from './policy';
import { sqlFromPrisma } from './prisma-sql';
import { listOpenDisputes, resolveDispute } from './disputes';
import { addWarningList, removeWarningList, type AddWarningListInput } from './custom-lists';
import { retractIndicator } from './retract';
import { retractReporter } from './retract-contributions';
import { listWarningLists, reloadWarningLists, setWarningListEnabled } from './warning-lists';

export const trustAdminCommandSchemas = [
  z.object({ type: z.literal('user.trust'), email: z.string(), level: z.enum(TRUST_LEVELS) }),
  z.object({ type: z.literal('indicator.retract'), indicatorType: z.enum(INDICATOR_TYPES), value: z.string().min(1), reason: z.string().min(1).max(500) }),
  z.object({ type: z.literal('user.retract'), email: z.string(), reason: z.string().min(1).max(500) }),
  z.object({
    type: z.literal('warninglist'),
    action: z.enum(['list', 'reload', 'enable', 'disable', 'add', 'remove']),
    name: z.string().optional(),
    /** For add: the list (lib/trust/custom-lists.ts validates it). */
    list: z.object({ id: z.string(), name: z.string().optional(), type: z.string(), entries: z.array(z.string()), matchingAttributes: z.array(z.string()).optional() }).optional(),
  }),
  z.object({ type: z.literal('dispute'), action: z.enum(['list', 'uphold', 'reject']), id: z.string().optional(), note: z.string().max(500).optional() }),
] as const;

export type TrustAdminCommand = z.output<(typeof trustAdminCommandSchemas)[number]>;

export async function runTrustAdminCommand(deps: { prisma: PrismaClient }, command: TrustAdminCommand): Promise<{ lines: string[] }> {
  const sql = sqlFromPrisma(deps.prisma);
  const policy = defaultTrustPolicy();
  switch (command.type) {
    case 'user.trust': {
      const email = command.email.trim().toLowerCase();
      const rows = await sql.query<{ email: string; previous: string }>(
        `UPDATE users u SET trust_level = $2 FROM users old WHERE u.id = old.id AND u.email = $1 RETURNING u.email, old.trust_level AS previous`,
        [email, command.level],
      );
      if (!rows.length) throw new AppError('user_not_found', `no user with email ${email}`, 404);
      return { lines: [`${rows[0].email}: ${rows[0].previous} → ${command.level}`] };
    }
    case 'user.retract': {
      const r = await retractReporter(sql, { email: command.email, reason: command.reason });
      return {
        lines: [
          `${r.email}: ${r.sightings} sightings of ${r.indicators} values withdrawn; ${r.unpublished.length} values no longer public (retracted events sent); trust ${r.previousTrust} → untrusted`,
        ],
      };
    }
    case 'indicator.retract': {
      const r = await retractIndicator(sql, { type: command.indicatorType, value: command.value, reason: command.reason });
      if (r.status === 'already_retracted') return { lines: [`${r.type} ${r.value} was already retracted at ${r.at}`] };
      return {
        lines: [
          `retracted ${r.type} ${r.value}: ${r.sightings} sightings from ${r.reporters} reporters withdrawn${r.eventId ? `; retracted event ${r.eventId} sent to the firehose` : ' (it was never public)'}`,
        ],
      };
    }
    case 'dispute': {
      if (command.action === 'list') {
        const open = await listOpenDisputes(sql);
        if (!open.length) return { lines: ['no open disputes'] };
        return {
          lines: open.map((d) => `#${d.id}  ${d.createdAt}  ${d.indicator.type} ${d.indicator.value}  (${d.disputes} open)  by ${d.reporter}: ${d.reason}`),
        };
      }
      if (!command.id) throw new AppError('invalid_command', `dispute ${command.action} needs --id`, 400);
      const r = await resolveDispute(sql, command.id.replace(/^#/, ''), command.action === 'uphold' ? 'upheld' : 'rejected', command.note);
      return {
        lines: [
          r.retraction
            ? `dispute #${command.id} upheld: ${r.dispute.indicator.type} ${r.dispute.indicator.value} ${r.retraction.status === 'retracted' ? 'retracted' : 'was already retracted'}`
            : `dispute #${command.id} rejected`,
        ],
      };
    }
    case 'warninglist': {
      if (command.action === 'reload') {
        const compiled = await reloadWarningLists(sql, policy.lists);
        return { lines: [`reloaded ${compiled.lists.length} warning lists from ${policy.lists.dir}; other nodes follow within ${policy.config.WARNING_LISTS_REFRESH_SECONDS} s`] };
      }
      if (command.action === 'add') {
        if (!command.list) throw new AppError('invalid_command', 'warninglist add needs a list', 400);
        const added = await addWarningList(sql, policy.lists, command.list as AddWarningListInput);
        return {
          lines: [
            `added ${added.id}: ${added.entries} entries${added.skipped ? ` (${added.skipped} not usable, ignored)` : ''}; other nodes follow within ${policy.config.WARNING_LISTS_REFRESH_SECONDS} s`,
          ],
        };
      }
      if (command.action === 'remove') {
        if (!command.name) throw new AppError('invalid_command', 'warninglist remove needs a list name', 400);
        const removed = await removeWarningList(sql, policy.lists, command.name);
        return { lines: [`removed ${removed.id}; other nodes follow within ${policy.config.WARNING_LISTS_REFRESH_SECONDS} s`] };
      }
      if (command.action === 'enable' || command.action === 'disable') {
        if (!command.name) throw new AppError('invalid_command', `warninglist ${command.action} needs a list name`, 400);
        await setWarningListEnabled(sql, policy.lists, command.name, command.action === 'enable');
        return { lines: [`${command.name}: ${command.action}d`] };
      }
      const lists = await listWarningLists(sql, policy.lists);
      return {
        lines: [
          'list                        type      entries  state     hits  last hit',
          ...lists.map(
            (l) =>
              `${l.id.padEnd(27)} ${l.type.padEnd(8)} ${String(l.entries).padStart(8)}  ${(l.enabled ? 'enabled' : 'disabled').padEnd(8)} ${String(l.hits).padStart(5)}  ${l.lastHitAt ?? '-'}${l.origin === 'operator' ? '  (added by an operator)' : ''}`,
          ),
        ],
      };
    }
  }
}
