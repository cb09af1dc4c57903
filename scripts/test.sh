#!/usr/bin/env bash
# `npm test`: installs what is missing, checks formatting, builds and runs
# every suite. Exits non-zero on the first failure.
#   1. native GoogleTest suite (ctest, preset "native")
#   2. the same suite under AddressSanitizer + UBSan (preset "asan")
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)

bash scripts/bootstrap.sh
bash scripts/format.sh

for preset in native asan; do
  echo "== $preset: configure + build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$JOBS"
  echo "== $preset: ctest"
  ctest --preset "$preset" -j "$JOBS"
done
echo "npm test: all suites passed"
