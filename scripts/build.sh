#!/usr/bin/env bash
# Builds the package into dist/: the wasm module (emcmake, preset "wasm")
# and the JavaScript layer copied beside it. Incremental: make rebuilds only
# what changed, and the copy is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/wasm/CMakeCache.txt ]; then
  emcmake cmake --preset wasm >/dev/null
fi
cmake --build --preset wasm -j "$(nproc)"
# dist/ = js/ (sources and types) + dist/wasm (the module); stale copies of
# removed files must not linger, so the JS part is replaced whole.
find dist -mindepth 1 -maxdepth 1 ! -name wasm -exec rm -rf {} +
cp -R js/. dist/
mkdir -p dist/vue
cp vue-composable/*.js vue-composable/*.d.ts dist/vue/
rm -f dist/README.md
# dist/paging-storage.global.js: the <script> build (from the single-file
# wasm module in build/wasm and js/).
node scripts/build-global.mjs
echo "build: dist/ ready ($(du -sh dist | cut -f1))"
