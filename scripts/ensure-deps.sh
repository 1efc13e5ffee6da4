#!/usr/bin/env bash
# Makes a fresh clone runnable: installs npm packages when missing or out of date, and generates
# the Prisma client. Sourced by start.sh, build.sh and test.sh; safe to run repeatedly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NEXT_TELEMETRY_DISABLED=1

# Whether node_modules matches package-lock.json is decided by the lockfile's content (a hash stamped
# after each install), not by modification times: a fresh checkout or a `git worktree add` gives the
# lockfile a new mtime although nothing changed, and reinstalling then is slow (and, in a worktree whose
# node_modules is hard-linked to another, used to write through the shared files).
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.sluice-lock.sha256
needs_install=0
if [ ! -d node_modules ]; then
  needs_install=1
elif [ -f "$stamp" ]; then
  [ "$(cat "$stamp")" = "$lock_hash" ] || needs_install=1
elif [ package-lock.json -nt node_modules/.package-lock.json ]; then
  needs_install=1 # installed before stamps existed: the old rule decides once
fi
if [ "$needs_install" = 1 ]; then
  echo "sluice: installing npm packages..." >&2
  # npm ci installs exactly package-lock.json. Should it refuse the lockfile (npm/cli#4828: npm
  # can prune other platforms' optional packages from it), say why and fall back to npm install,
  # which installs the locked versions but may rewrite package-lock.json.
  if ! npm ci --no-audit --no-fund --loglevel=error >&2; then
    echo "sluice: npm ci failed (above); falling back to npm install" >&2
    npm install --no-audit --no-fund --loglevel=error >&2
  fi
fi
# Hashed again: the npm install fallback may have rewritten the lockfile.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ] || echo "$lock_hash" >"$stamp"
if [ ! -f lib/generated/prisma/client.ts ] || [ prisma/schema.prisma -nt lib/generated/prisma/client.ts ]; then
  echo "sluice: generating the Prisma client..." >&2
  bash scripts/prisma-generate.sh
fi
