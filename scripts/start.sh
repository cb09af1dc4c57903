#!/usr/bin/env bash
# `npm start`: installs what is missing and builds everything that exists so
# far (native engine, wasm module, the package in dist/). The demo app and
# the local PeerPigeon signaling server join this script with the demo issue.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
cmake --preset native >/dev/null
cmake --build --preset native -j "$(nproc)"
bash scripts/build.sh
echo
echo "npm start: built"
echo "  engine library: build/native/cpp/libpaging_storage_engine.a"
echo "  wasm module:    dist/wasm/paging_storage.{mjs,wasm}, dist/wasm/paging_storage.single.js"
echo "  package:        dist/ (import { PagingStorage } from 'paging-storage')"
echo "Try it: node --input-type=module -e \"import { PagingStorage } from 'paging-storage';"
echo "  const s = new PagingStorage(); await s.set('a', { b: 1 }); console.log(await s.get('a'))\""
echo "The demo app arrives with the Vue/demo milestone."
