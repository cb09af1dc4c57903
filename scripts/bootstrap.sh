#!/usr/bin/env bash
# Installs what this project needs on a fresh Debian 12 machine, and nothing
# when it is already there. Run by `npm start` and `npm test`; safe to re-run.
#   - system packages via apt-get (we run as root; sudo is used otherwise)
#   - npm packages via `npm ci`, only when package-lock.json changed since the
#     last install
set -euo pipefail
cd "$(dirname "$0")/.."

# The last five ship with the machine image; listed so a leaner image works.
APT_PACKAGES=(emscripten nlohmann-json3-dev libxxhash-dev chromium
              cmake g++ libgtest-dev libbenchmark-dev clang-format)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "bootstrap: installing system packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "bootstrap: system packages present"
fi

# npm ci wipes node_modules, so run it only when package-lock.json changed
# since the last successful install (tracked by a stamp file).
stamp=node_modules/.paging-storage-bootstrap
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "bootstrap: npm ci"
  # --ignore-scripts: PeerPigeon (a dev dependency, for the browser peer tests)
  # pulls a native WebRTC module for Node whose install script downloads a
  # binary and fails here; no package this repo needs has an install script.
  npm ci --ignore-scripts --no-audit --no-fund
  mkdir -p node_modules
  touch "$stamp"
else
  echo "bootstrap: node_modules up to date"
fi
