// The trust policy of the ingest path (docs/trust.md): who streams at once, what is held until
// corroborated, and the numbers every event carries. Pure except for the lazily built default.
import path from 'node:path';
import type { IndicatorType } from '../indicators/types';
import { jobsConfigSchema } from '../jobs/config';
import { parseTrustConfig, type TrustConfig } from './config';
import { WarningLists } from './warning-lists';

export const TRUST_LEVELS = ['trusted', 'normal', 'untrusted'] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

export interface TrustPolicy {
  config: TrustConfig;
  lists: WarningLists;
  /** Lifetimes in days (EXPIRY_DAYS_IP / EXPIRY_DAYS_OTHER, lib/jobs/config). */
  lifetimes: { ipDays: number; otherDays: number };
}

let defaultPolicy: TrustPolicy | null = null;

/** The policy from the environment, built once per process (lists compiled on first match). */
export function defaultTrustPolicy(): TrustPolicy {
  if (!defaultPolicy) defaultPolicy = createTrustPolicy(process.env);
  return defaultPolicy;
}

export function createTrustPolicy(env: Record<string, string | undefined>, overrides: Partial<TrustConfig> = {}): TrustPolicy {
  const config = { ...parseTrustConfig(env), ...overrides };
  const jobs = jobsConfigSchema
    .pick({ EXPIRY_DAYS_IP: true, EXPIRY_DAYS_OTHER: true })
    .parse(Object.fromEntries(Object.entries(env).filter(([k, v]) => (k === 'EXPIRY_DAYS_IP' || k === 'EXPIRY_DAYS_OTHER') && v)));
  return {
    config,
    lists: new WarningLists(path.resolve(config.WARNING_LISTS_DIR), config.WARNING_LISTS_REFRESH_SECONDS * 1000),
    lifetimes: { ipDays: jobs.EXPIRY_DAYS_IP, otherDays: jobs.EXPIRY_DAYS_OTHER },
  };
}

export interface ReporterStanding {
  trustLevel: TrustLevel;
  createdAt: Date;
  plan: string;
  retractedReports: number;
  isSystem: boolean;
  /** False until the owner confirms their email address (lib/accounts/email-verification.ts); absent counts as verified. */
  emailVerified?: boolean;
}

/**
 * Whether a reporter's public sightings stream at once (values on no warning list). Never before the
 * owner verified their email address. Then trusted: always;
 * untrusted: never; normal: unless the account is younger than TRUST_NEW_ACCOUNT_HOURS on the free
 * plan, or has TRUST_MAX_RETRACTED or more retracted reports.
 */
export function isEstablished(r: ReporterStanding, config: TrustConfig, now: number): boolean {
  if (r.isSystem) return true;
  // An unverified address holds every public sighting, whatever else the account has going for it.
  if (r.emailVerified === false) return false;
  if (r.trustLevel === 'trusted') return true;
  if (r.trustLevel === 'untrusted') return false;
  if (r.retractedReports >= config.TRUST_MAX_RETRACTED) return false;
  if (r.plan !== 'free') return true;
  return now - r.createdAt.getTime() >= config.TRUST_NEW_ACCOUNT_HOURS * 3_600_000;
}

/**
 * An event's confidence: the report's own (0–100), raised by each further distinct reporter (each
 * halves the distance to 100), lowered by 15 per open dispute. 1 reporter, 50 → 50; 3 → 88.
 */
export function eventConfidence(base: number, reporters: number, openDisputes = 0): number {
  const extra = Math.max(0, reporters - 1);
  const raised = 100 - (100 - base) * 0.5 ** extra;
  return Math.max(0, Math.min(100, Math.round(raised - 15 * openDisputes)));
}

const DAY_MS = 86_400_000;

function lifetimeDays(type: IndicatorType, lifetimes: TrustPolicy['lifetimes']): number {
  return type === 'ipv4' || type === 'ipv6' ? lifetimes.ipDays : lifetimes.otherDays;
}

export function expiresAt(type: IndicatorType, lastSeen: string, lifetimes: TrustPolicy['lifetimes']): string {
  const last = Date.parse(lastSeen);
  return new Date((Number.isFinite(last) ? last : Date.now()) + lifetimeDays(type, lifetimes) * DAY_MS).toISOString();
}

/**
 * expiresAt, remembered per (lifetime, last-seen time) for one batch: a batch's values mostly share
 * a few last-seen times (items without reportedAt all have the batch's), and Dates are slow under
 * Next's patched global Date.
 */
export function batchExpiries(lifetimes: TrustPolicy['lifetimes']): (type: IndicatorType, lastSeen: string) => string {
  const memo = new Map<string, string>();
  return (type, lastSeen) => {
    const key = `${lifetimeDays(type, lifetimes)}|${lastSeen}`;
    let expiry = memo.get(key);
    if (expiry === undefined) memo.set(key, (expiry = expiresAt(type, lastSeen, lifetimes)));
    return expiry;
  };
}
