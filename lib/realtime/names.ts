// The realtime protocol's names and numbers, apart from its zod schemas (lib/realtime/protocol.ts
// re-exports them) so that the packed CLI (scripts/build-cli.mjs) bundles them without zod.

export const FIREHOSE_NAMESPACE = '/firehose';
export const PUBLIC_NAMESPACE = '/public';
/** The firehose over HTTP: Server-Sent Events or NDJSON (server/gateway/http-stream.ts). */
export const HTTP_STREAM_PATH = '/api/v1/stream';

/**
 * The websocket close code of a stream cut as a slow consumer (reason "slow_consumer"): readable
 * by any websocket client even when the `stream:ended` notice before it is not.
 */
export const SLOW_CONSUMER_CLOSE_CODE = 4008;
