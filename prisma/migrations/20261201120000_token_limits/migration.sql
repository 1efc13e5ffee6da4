-- API tokens may expire and may be limited to source networks (issue #17, docs/accounts.md). Both are
-- enforced at every use by verifyApiToken (lib/tokens.ts); NULL / empty means no limit.
ALTER TABLE "api_tokens" ADD COLUMN "expires_at" TIMESTAMPTZ(3);
ALTER TABLE "api_tokens" ADD COLUMN "allowed_networks" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
