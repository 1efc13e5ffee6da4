-- Durable control announcements (token revoked, plan changed): written in the same transaction as
-- the change, published to every gateway node by lib/control.ts, deleted once published. A Redis
-- outage delays them; it no longer loses them.
CREATE TABLE "control_outbox" (
    "id" BIGSERIAL NOT NULL,
    "message" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "control_outbox_pkey" PRIMARY KEY ("id")
);
