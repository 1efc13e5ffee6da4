// Every error code the REST API answers, with its HTTP status and meaning: the catalogue the OpenAPI
// document is generated from (each route lists the codes it may return; the common ones are added
// from the route's kind). The body is always `{ "error": { "code", "message", ... } }`.
export const API_ERRORS = {
  bad_request: { status: 400, description: 'a path or query value is not valid percent-encoded UTF-8 or contains a NUL; or the request is malformed' },
  invalid_request: { status: 400, description: 'a path segment or the body has a wrong shape or field (the message names the field)' },
  invalid_query: { status: 400, description: 'a query parameter is invalid (the message names it)' },
  invalid_json: { status: 400, description: 'the body is not valid JSON (or is empty)' },
  invalid_utf8: { status: 400, description: 'the body is not valid UTF-8' },
  invalid_cursor: { status: 400, description: 'the cursor is not one this API returned' },
  invalid_type: { status: 400, description: 'the indicator type in the path is not one of the indicator types' },
  invalid_url: { status: 400, description: 'the webhook url is not an absolute URL, is too long or carries credentials' },
  https_required: { status: 400, description: 'webhook URLs must use https' },
  url_not_allowed: { status: 400, description: 'the webhook URL points at a private, loopback, link-local or otherwise non-public address' },
  url_unresolvable: { status: 400, description: 'the webhook host does not resolve' },
  invalid_idempotency_key: { status: 400, description: 'Idempotency-Key is not 1–255 printable ASCII characters' },
  invalid_networks: { status: 400, description: 'an allowed network of a token is not a CIDR network or IP address, or there are more than 20' },
  invalid_expiry: { status: 400, description: 'a token expiry is not a date in the future (at most ten years ahead) or not a duration' },
  invalid_token: { status: 401, description: 'missing, malformed, unknown or revoked API token' },
  token_expired: { status: 401, description: "the API token's expiry has passed (create a new one)" },
  scope_required: { status: 403, description: 'the token lacks the scope this route needs (`error.details.scope`)' },
  address_not_allowed: { status: 403, description: 'the API token may only be used from the networks it lists, and this request comes from elsewhere' },
  plan_required: { status: 403, description: "the token owner's plan does not include this (streaming needs the Firehose plan)" },
  system_feed: { status: 403, description: 'system feeds are managed by Sluice and cannot be changed or deleted' },
  not_found: { status: 404, description: 'no such API route' },
  feed_not_found: { status: 404, description: 'you have no such feed (also for anyone else’s feed)' },
  export_not_found: { status: 404, description: 'no export of this name (GET /api/v1/exports lists them)' },
  indicator_not_found: { status: 404, description: 'the value is not on the public feed' },
  method_not_allowed: { status: 405, description: 'this method is not allowed on this route' },
  webhook_limit: { status: [409, 403], description: "the plan's webhooks are all used (409), or the plan has none (403); `error.details.limit`" },
  feed_exists: { status: 409, description: 'you already have a feed with this slug' },
  idempotency_key_in_progress: { status: 409, description: 'a request with this Idempotency-Key is still being processed (Retry-After: 1)' },
  cursor_expired: { status: 410, description: 'the stream cursor is older than the retention window (`error.oldest` is the oldest available)' },
  body_too_large: { status: 413, description: 'the body is larger than the route accepts (`error.details.maxBytes`)' },
  too_many_items: { status: 413, description: 'more than 1,000 indicators in one submission' },
  unsupported_media_type: { status: 415, description: 'the Content-Type is not one the route accepts' },
  invalid_indicator: { status: 422, description: 'the value is not an indicator (or not one of the given type)' },
  idempotency_key_reused: { status: 422, description: 'the Idempotency-Key was used for a different request' },
  rate_limited: { status: 429, description: "too many requests for the token's plan (Retry-After)" },
  submission_limit: { status: 429, description: "the plan's indicators per hour are used up (Retry-After)" },
  daily_limit: { status: 429, description: "the account's requests for the UTC day are used up, burst included (Retry-After: the seconds until midnight UTC)" },
  too_many_streams: { status: 429, description: "the token holds its plan's concurrent streams (`error.limit`)" },
  request_too_large: { status: 431, description: 'the request line and headers are larger than 16 KB' },
  internal: { status: 500, description: 'a bug: the request id (`error.requestId`) identifies it in the server logs' },
  unavailable: { status: 503, description: 'a service Sluice depends on is down; retry after Retry-After seconds' },
} as const satisfies Record<string, { status: number | readonly number[]; description: string }>;

/** The statuses an error code comes with. */
export const errorStatuses = (code: ApiErrorCode): readonly number[] => {
  const status: number | readonly number[] = API_ERRORS[code].status;
  return typeof status === 'number' ? [status] : status;
};

export type ApiErrorCode = keyof typeof API_ERRORS;

/** Codes any route may answer before its handler runs (the HTTP edge and the token wrapper). */
export const EDGE_ERRORS = ['bad_request', 'invalid_request', 'request_too_large', 'internal', 'unavailable'] as const satisfies readonly ApiErrorCode[];
/** Codes of a route that needs a token (app/api/_lib/with-api-token.ts). */
export const TOKEN_ERRORS = ['invalid_token', 'token_expired', 'address_not_allowed', 'scope_required', 'rate_limited', 'daily_limit'] as const satisfies readonly ApiErrorCode[];
