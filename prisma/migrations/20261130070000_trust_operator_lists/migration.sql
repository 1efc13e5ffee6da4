-- Warning lists added by operators (`sluice admin warninglist add`, /admin; docs/trust.md): stored in
-- the database so every node compiles the same lists without a file on its disk.
CREATE TABLE "warning_list_custom" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "entries" TEXT[] NOT NULL,
    "matching_attributes" TEXT[] NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "warning_list_custom_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "warning_list_custom_type_check" CHECK ("type" IN ('cidr', 'hostname', 'string'))
);
