#!/usr/bin/env bash
# `npm start`: installs what is missing, builds the engine, the package
# (dist/) and the demo app (build/demo), then serves the demo with a server
# peer (data in build/demo-data) running the PeerPigeon signaling server in
# its process, all on 127.0.0.1, until Ctrl-C. Ports: DEMO_PORT (default
# 5173), SERVER_PORT (default 4000), SIGNALING_PORT (default 3000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
cmake --preset native >/dev/null
cmake --build --preset native -j "$(nproc)"
bash scripts/build.sh
node scripts/build-demo.mjs
exec node scripts/demo-server.mjs
