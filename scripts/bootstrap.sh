#!/usr/bin/env bash
# Installs what this project needs on a fresh Debian 12 machine, and nothing
# when it is already there. Run by `npm start` and `npm test`; safe to re-run.
#   - system packages via apt-get (we run as root; sudo is used otherwise)
#   - npm packages via `npm ci`, only when package-lock.json changed since the
#     last install
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(emscripten nlohmann-json3-dev libxxhash-dev chromium)

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

# npm ci wipes node_modules, so only run it when the lockfile is newer than the
# last install (npm writes node_modules/.package-lock.json on install).
if [ ! -f node_modules/.package-lock.json ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: npm ci"
  npm ci --no-audit --no-fund --ignore-scripts
  touch node_modules/.package-lock.json
else
  echo "bootstrap: node_modules up to date"
fi
