#!/usr/bin/env bash
# Checks (default) or applies (--fix) clang-format on every C++ file we own.
# The check fails on any formatting difference; `npm test` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Files deleted in the working tree but still in the index are skipped.
mapfile -t files < <(git ls-files --cached --others --exclude-standard \
  'cpp/*.h' 'cpp/*.cc' 'wasm/*.h' 'wasm/*.cc' 'tests/*.h' 'tests/*.cc' |
  while IFS= read -r f; do if [ -f "$f" ]; then printf '%s\n' "$f"; fi; done)
if ((${#files[@]} == 0)); then exit 0; fi
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  echo "format: formatted ${#files[@]} files"
else
  clang-format --dry-run --Werror "${files[@]}"
  echo "format: ${#files[@]} C++ files clean"
fi
