#!/usr/bin/env bash
# `npm test`: installs what is missing, checks formatting and lint, builds
# and runs every suite. Exits non-zero on the first failure.
#   0. clang-format (C++), ESLint (JavaScript, layer rules included)
#   1. native GoogleTest suite (ctest, preset "native")
#   2. the same suite under AddressSanitizer + UBSan (preset "asan")
#   3. the wasm module + dist/ build, tsc (--checkJs over js/, the published
#      types against the implementation), then the Node suites (node
#      --test): tests/js (unit tests per module and the API), tests/vue
#      (composables), tests/sim (simulated peer networks), tests/package
#   4. headless Chromium suites (Debian's chromium via playwright-core:
#      persistence, peers, the demo, the <script> build), then the crash
#      trials (tests/browser-crash)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)

bash scripts/bootstrap.sh
bash scripts/format.sh
echo "== eslint"
node_modules/.bin/eslint --max-warnings 0 .

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
echo "== tsc: js/ (checkJs), the published types against js/, the typed usage file"
node_modules/.bin/tsc -p tsconfig.json
node_modules/.bin/tsc -p tests/types/tsconfig.json
echo "== node --test tests/js (unit tests per module, API)"
node --test --test-timeout=300000 tests/js/
echo "== node --test tests/vue (composables)"
node --test --test-timeout=300000 tests/vue/
echo "== node --test tests/sim (simulated peer networks)"
node --test --test-timeout=300000 tests/sim/
echo "== node --test tests/package (npm pack + install + user script)"
node --test --test-timeout=300000 tests/package/
echo "== node --test tests/browser (headless Chromium)"
node --test --test-timeout=300000 tests/browser/
echo "== node --test tests/browser-crash (24 browser kills while writing)"
node --test --test-timeout=500000 tests/browser-crash/
echo "npm test: all suites passed"
