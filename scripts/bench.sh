#!/usr/bin/env bash
# `npm run bench`: builds the release benchmark and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
cmake --preset bench >/dev/null
cmake --build --preset bench -j "$(nproc)"
./build/bench/tests/bench/engine_bench "$@"
bash scripts/build.sh >/dev/null
node tests/bench/api.bench.js
node tests/bench/peers.bench.js
node tests/bench/churn.bench.js
node tests/bench/browser.bench.js
node tests/bench/tabs.bench.js
node tests/bench/sync.bench.js
node tests/bench/file.bench.js
node tests/bench/server.bench.js
node tests/bench/ring.bench.js
# Browser peers over real WebRTC: loopback only (a private network namespace) when root.
if [ "$(id -u)" = 0 ]; then
  unshare -n sh -c 'ip link set lo up && node tests/bench/peers.browser.bench.js'
else
  node tests/bench/peers.browser.bench.js
fi
