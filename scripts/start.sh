#!/usr/bin/env bash
# `npm start`: installs what is missing, builds when sources changed, then runs one Sluice node.
# Without DATABASE_URL and REDIS_URL it runs on the embedded database under ./data and in-memory
# engines; with them, on real PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
export NODE_ENV="${NODE_ENV:-production}"
exec node --import tsx server/index.mts
