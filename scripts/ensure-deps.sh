#!/usr/bin/env bash
# Makes a fresh clone runnable: installs npm packages when missing or out of date, and generates
# the Prisma client. Sourced by start.sh, build.sh and test.sh; safe to run repeatedly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NEXT_TELEMETRY_DISABLED=1

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "sluice: installing npm packages..." >&2
  # npm ci installs exactly package-lock.json. Should it refuse the lockfile (npm/cli#4828: npm
  # can prune other platforms' optional packages from it), say why and fall back to npm install,
  # which installs the locked versions but may rewrite package-lock.json.
  if ! npm ci --no-audit --no-fund --loglevel=error >&2; then
    echo "sluice: npm ci failed (above); falling back to npm install" >&2
    npm install --no-audit --no-fund --loglevel=error >&2
  fi
fi
if [ ! -f lib/generated/prisma/client.ts ] || [ prisma/schema.prisma -nt lib/generated/prisma/client.ts ]; then
  echo "sluice: generating the Prisma client..." >&2
  bash scripts/prisma-generate.sh
fi
