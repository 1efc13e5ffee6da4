// The limits of a submission (one request's worth), in a module of their own with no imports: the
// packed CLI (cli/submit.ts) sizes its batches by them and bundles no zod.
export const INGEST_LIMITS = {
  /** Items per request (JSON batch or text lines). */
  maxItems: 1000,
  /** Request body size in bytes. */
  maxBodyBytes: 1024 * 1024,
  maxTags: 32,
  maxTagLength: 64,
  maxDescriptionLength: 1000,
  maxReferenceLength: 2048,
  /** How far in the future a reportedAt may be (clock skew), in ms. */
  maxClockSkewMs: 5 * 60_000,
} as const;
