// The realtime protocol shared by the gateway (server/gateway) and clients (the CLI, tests).
// Namespace /firehose: auth { token, since?, filters? }; namespace /public: no auth, read-only.
import { z } from 'zod';
import type { FirehoseEvent } from '../events';
import { displayText } from '../http/parse-input';
import { isCountryCode } from '../enrichment/countries';
import { INDICATOR_TYPES } from '../indicators/types';
import { UUID_RE } from '../federation/instance';

export { FIREHOSE_NAMESPACE, HTTP_STREAM_PATH, PUBLIC_NAMESPACE, SLOW_CONSUMER_CLOSE_CODE } from './names';

const tag = displayText('a tag', { min: 1, max: 64 }).toLowerCase();

/** At most this many AS numbers or countries in one filter. */
export const MAX_FILTER_VALUES = 50;
/** An AS number (32-bit, RFC 6793); 0 is reserved and never announced. */
export const asnSchema = z.number().int().min(1).max(4_294_967_295);
/** An ISO 3166-1 alpha-2 code (EU and XK too), any case; upper-cased. */
export const countryCodeSchema = z
  .string()
  .max(8)
  .trim()
  .toUpperCase()
  .refine(isCountryCode, { message: 'must be an ISO 3166-1 alpha-2 country code, e.g. DE' });

export const streamFiltersSchema = z
  .object({
    /** Indicator types to receive; empty or absent = all. */
    types: z.array(z.enum(INDICATOR_TYPES)).max(INDICATOR_TYPES.length).optional(),
    /** Receive events carrying at least one of these tags. */
    tags: z.array(tag).max(50).optional(),
    /** Feeds as "owner/slug" (or "slug" for any owner). */
    feeds: z.array(displayText('a feed', { min: 1, max: 200 }).toLowerCase()).max(50).optional(),
    /** Minimum confidence, 0–100. */
    minConfidence: z.number().int().min(0).max(100).optional(),
    /** Receive only IP events whose address is announced by one of these AS numbers (docs/enrichment.md). */
    asns: z.array(asnSchema).max(MAX_FILTER_VALUES).optional(),
    /** Receive only IP events whose address is in one of these countries (ISO 3166-1 alpha-2). */
    countries: z.array(countryCodeSchema).max(MAX_FILTER_VALUES).optional(),
  })
  .strict();

export type StreamFilters = z.infer<typeof streamFiltersSchema>;

export const firehoseAuthSchema = z.object({
  token: z.string().max(200).optional(),
  since: z.string().max(64).optional(),
  filters: streamFiltersSchema.optional(),
  /** Sent by a federation link (peer-scoped token): the connecting instance's id (a lower-case uuid), never sent its own events back. */
  peer: z.object({ instance: z.string().regex(UUID_RE, 'peer.instance must be an instance id (a lower-case uuid)') }).strict().optional(),
});

/**
 * Refusal codes sent as connect_error `data.code`. Retry later: rate_limited, too_many_streams
 * (the token holds its plan's concurrent streams: close one) and unavailable (the server could not
 * check this connection now). The others need a change on the client's side.
 */
export const CONNECT_ERROR_CODES = [
  'invalid_token',
  'token_expired',
  'address_not_allowed',
  'scope_required',
  'plan_required',
  'cursor_expired',
  'invalid_cursor',
  'invalid_request',
  'rate_limited',
  'too_many_streams',
  'unavailable',
] as const;
export type ConnectErrorCode = (typeof CONNECT_ERROR_CODES)[number];

export interface ConnectErrorData {
  code: ConnectErrorCode;
  message: string;
  /** With cursor_expired: the oldest cursor still available (null when the log is empty). */
  oldest?: string | null;
  /** With too_many_streams: the concurrent streams this token may hold. */
  limit?: number;
}

/**
 * Why the server ended a stream; sent as `stream:ended` just before it disconnects. Resume with
 * `since` after slow_consumer, server_shutdown and unavailable (the server could not serve the
 * replay, e.g. its log was unreachable); token_revoked, token_expired and plan_ended are final.
 */
export const STREAM_END_REASONS = ['token_revoked', 'token_expired', 'plan_ended', 'slow_consumer', 'server_shutdown', 'unavailable'] as const;
export type StreamEndReason = (typeof STREAM_END_REASONS)[number];

export interface StreamEnded {
  reason: StreamEndReason;
  message: string;
  /** The last cursor delivered to this socket: resume from it. */
  cursor: string | null;
}

export type Ack<T> = { data: T } | { error: { code: string; message: string } };

export interface ServerToClientEvents {
  indicators: (events: FirehoseEvent[]) => void;
  'stream:ended': (info: StreamEnded) => void;
}

/** Asked by a federation link (peer-scoped token only): the peers this instance introduces (docs/federation.md, "Discovery"). */
export const INTRODUCTIONS_EVENT = 'peer:introductions';

export interface IntroductionsAnswer {
  /** The introducing instance's id. */
  instance: string;
  peers: { name: string; url: string; instance: string | null }[];
}

export interface ClientToServerEvents {
  subscribe: (filters: StreamFilters, ack: (response: Ack<{ filters: StreamFilters }>) => void) => void;
  [INTRODUCTIONS_EVENT]: (request: Record<string, never>, ack: (response: Ack<IntroductionsAnswer>) => void) => void;
}
