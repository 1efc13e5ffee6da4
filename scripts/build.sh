#!/usr/bin/env bash
# Production build of the Next.js site (skipped when .next is newer than every source file,
# unless --force).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-deps.sh
if [ "${1:-}" != "--force" ] && [ -f .next/BUILD_ID ] \
  && [ -z "$(find app components lib public next.config.js postcss.config.mjs package-lock.json -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
  exit 0
fi
echo "sluice: building the web app (next build)..." >&2
npx next build >&2
