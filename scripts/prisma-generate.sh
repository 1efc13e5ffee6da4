#!/usr/bin/env bash
# Generates the Prisma client into lib/generated/prisma. `prisma generate` never runs the schema
# engine, but looks for one: point it at any existing file so it does not try to download it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$(command -v node)}"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
npx prisma generate >/dev/null
