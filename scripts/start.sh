#!/usr/bin/env bash
# `npm start`: installs what is missing and builds. The demo app, the wasm
# module and the local PeerPigeon signaling server join this script in later
# releases; for now it builds the native engine and reports what it built.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
cmake --preset native >/dev/null
cmake --build --preset native -j "$(nproc)"
echo
echo "npm start: built"
echo "  engine library: build/native/cpp/libpaging_storage_engine.a"
echo "  test binary:    build/native/tests/cpp/paging_storage_tests"
echo "The demo app arrives with the Vue/demo milestone; run 'npm test' to"
echo "exercise the engine and 'npm run bench' for its benchmark."
