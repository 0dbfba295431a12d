#!/usr/bin/env bash
# What the runtime image ships on top of node:24.22-bookworm-slim, measured without Docker: production node_modules
# (`npm ci --omit=dev` from the lockfile, in a scratch copy) plus the `npm run build` output. Prints sizes with du.
# Usage: scripts/image-size.sh            (from anywhere; leaves the work tree untouched)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/image-size.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

echo "== scratch copy in $scratch"
mkdir -p "$scratch/prod" "$scratch/build"
cp "$root/package.json" "$root/package-lock.json" "$scratch/prod/"

echo "== production dependencies: npm ci --omit=dev"
if ! (cd "$scratch/prod" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error); then
  # No registry: the same set, pruned from a copy of the installed tree.
  echo "   npm ci failed; pruning a copy of node_modules instead"
  rm -rf "$scratch/prod/node_modules"
  cp -a "$root/node_modules" "$scratch/prod/"
  (cd "$scratch/prod" && npm prune --omit=dev --no-audit --no-fund --loglevel=error)
fi

echo "== build: tsc -p tsconfig.build.json"
cp -a "$root/src" "$root/tsconfig.json" "$root/tsconfig.build.json" "$root/package.json" "$scratch/build/"
ln -s "$root/node_modules" "$scratch/build/node_modules"
if ! (cd "$scratch/build" && npx --no-install tsc -p tsconfig.build.json >"$scratch/tsc.log" 2>&1); then
  # tsc still emits on type errors; a size is worth having while code is mid-change, but say so.
  [[ -d "$scratch/build/dist" ]] || { cat "$scratch/tsc.log"; exit 1; }
  echo "   warning: tsc reported $(grep -c 'error TS' "$scratch/tsc.log" || true) type errors; sizing what it emitted"
fi

echo "== sizes"
du -sh "$scratch/prod/node_modules" "$scratch/build/dist" | sed "s#$scratch/prod/##; s#$scratch/build/##"
total="$(du -sck "$scratch/prod/node_modules" "$scratch/build/dist" "$scratch/prod/package.json" "$scratch/prod/package-lock.json" | tail -1 | cut -f1)"
echo "added to the base image: $((total / 1024)) MiB (node_modules + dist + package*.json)"
echo "largest packages:"
(cd "$scratch/prod/node_modules" && du -sk -- * .bin 2>/dev/null | sort -rn | head -8 | awk '{ printf "  %6.1f MiB  %s\n", $1 / 1024, $2 }')
