#!/usr/bin/env bash
# `npm test`: installs what is missing, checks formatting, builds and runs
# every suite. Exits non-zero on the first failure.
#   1. native GoogleTest suite (ctest, preset "native")
#   2. the same suite under AddressSanitizer + UBSan (preset "asan")
#   3. the wasm module + dist/ build, then the Node suites (node --test):
#      tests/js (API), tests/vue (composables) + tsc on tests/types,
#      tests/sim (simulated peer networks), tests/package
#   4. headless Chromium suites (Debian's chromium via playwright-core:
#      persistence, peers, the demo, the <script> build), then the crash
#      trials (tests/browser-crash)
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
echo "== wasm + dist build, demo build"
bash scripts/build.sh
node scripts/build-demo.mjs
echo "== node --test tests/js"
node --test --test-timeout=300000 tests/js/
echo "== node --test tests/vue (composables) + tsc on the typed usage file"
node --test --test-timeout=300000 tests/vue/
node_modules/.bin/tsc -p tests/types/tsconfig.json
echo "== node --test tests/sim (simulated peer networks)"
node --test --test-timeout=300000 tests/sim/
echo "== node --test tests/package (npm pack + install + user script)"
node --test --test-timeout=300000 tests/package/
echo "== node --test tests/browser (headless Chromium)"
node --test --test-timeout=300000 tests/browser/
echo "== node --test tests/browser-crash (24 browser kills while writing)"
node --test --test-timeout=500000 tests/browser-crash/
echo "npm test: all suites passed"
