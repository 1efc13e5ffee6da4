#!/usr/bin/env bash
# `npm test`: the whole suite. Installs what is missing (npm packages, Debian's Chromium), builds,
# then runs vitest (unit + integration) and Playwright (end-to-end in Chromium).
# With DATABASE_URL / REDIS_URL set, integration and e2e tests run on real PostgreSQL and Redis
# (each test file makes its own database and key prefix); without them, on the embedded engines.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "sluice: installing Debian's chromium for browser tests..." >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
fi

bash scripts/build.sh
# The Redis engine suites also run in embedded mode when this machine has a Redis.
if [ -z "${REDIS_URL:-}" ] && [ -z "${TEST_REDIS_URL:-}" ] && (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  export TEST_REDIS_URL=redis://127.0.0.1:6379
fi

echo "== vitest (database: ${DATABASE_URL:+postgres}${DATABASE_URL:-embedded}, redis: ${REDIS_URL:-embedded})" | sed -E 's#postgres(ql)?://[^ ,)]*#postgres#' >&2
npx vitest run "$@"
echo "== playwright (Chromium)" >&2
npx playwright test
