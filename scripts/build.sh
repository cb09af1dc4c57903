#!/usr/bin/env bash
# Builds what the package needs beside its JavaScript sources (js/ and
# vue-composable/ ship as they are): the wasm module (emcmake, preset
# "wasm") into dist/wasm/, and the <script> build
# dist/paging-storage.global.js. Incremental: make rebuilds only what
# changed. Run by `npm pack` (prepack), `npm start` and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
# EMCMAKE: the emcmake to use (tests point it elsewhere to check the error).
EMCMAKE=${EMCMAKE:-emcmake}
if ! command -v "$EMCMAKE" >/dev/null 2>&1; then
  echo "build: Emscripten (emcmake) is not installed, so the wasm module cannot be built;" \
       "run 'bash scripts/bootstrap.sh' (or 'npm start') first" >&2
  exit 1
fi
if [ ! -f build/wasm/CMakeCache.txt ]; then
  "$EMCMAKE" cmake --preset wasm >/dev/null
fi
cmake --build --preset wasm -j "$(nproc)"
# The module's type, for `tsc --checkJs` over js/ (the generated JS itself
# is not checked).
cat > dist/wasm/paging_storage.d.mts <<'TS'
/** The Emscripten module factory (wasm/bindings.cc lists what the module holds). */
declare function createPagingStorageModule(options?: { wasmBinary?: Uint8Array }): Promise<any>
export default createPagingStorageModule
TS
# Files of the earlier layout (dist/ held a copy of js/) must not linger.
find dist -mindepth 1 -maxdepth 1 ! -name wasm ! -name paging-storage.global.js -exec rm -rf {} +
# dist/paging-storage.global.js: the <script> build (from the single-file
# wasm module in build/wasm and js/).
node scripts/build-global.mjs
echo "build: dist/ ready ($(du -sh dist | cut -f1))"
