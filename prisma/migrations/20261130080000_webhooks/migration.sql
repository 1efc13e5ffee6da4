-- Outbound webhooks (docs/webhooks.md): a user's HTTPS endpoints with stream filters, each with a
-- durable cursor in the firehose log, its retry state, its delivery health and a lease (exactly one
-- worker node delivers an endpoint at a time), and the batches that exhausted their retries.
CREATE TABLE "webhooks" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    -- The token that registered it: deliveries follow its stream entitlement (revoked, plan ended).
    "token_id" UUID,
    "url" TEXT NOT NULL,
    "filters" JSONB NOT NULL DEFAULT '{}',
    -- The signing secret, AES-256-GCM encrypted (lib/webhooks/secret.ts); never stored in clear.
    "secret_ciphertext" TEXT NOT NULL,
    "secret_hint" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'active',
    "paused_reason" TEXT,
    "cursor" TEXT,
    "cursor_generation" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "consecutive_dead_letters" INTEGER NOT NULL DEFAULT 0,
    "delivered_events" BIGINT NOT NULL DEFAULT 0,
    "last_success_at" TIMESTAMPTZ(3),
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "last_status" INTEGER,
    "test_requested_at" TIMESTAMPTZ(3),
    "test_done_at" TIMESTAMPTZ(3),
    "test_status" INTEGER,
    "test_error" TEXT,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhooks_state_check" CHECK ("state" IN ('active', 'paused'))
);
CREATE INDEX "webhooks_user_id_idx" ON "webhooks"("user_id");
CREATE INDEX "webhooks_lease_until_idx" ON "webhooks"("lease_until");
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "api_tokens"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "webhook_dead_letters" (
    "id" BIGSERIAL NOT NULL,
    "webhook_id" UUID NOT NULL,
    -- The endpoint's cursor before the batch: replaying from it delivers the batch again.
    "from_cursor" TEXT,
    "first_cursor" TEXT NOT NULL,
    "last_cursor" TEXT NOT NULL,
    "event_count" INTEGER NOT NULL,
    "payload" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "last_error" TEXT NOT NULL,
    "last_status" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_dead_letters_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_dead_letters_webhook_id_id_idx" ON "webhook_dead_letters"("webhook_id", "id");
ALTER TABLE "webhook_dead_letters" ADD CONSTRAINT "webhook_dead_letters_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
