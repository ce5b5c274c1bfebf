#!/usr/bin/env bash
# Installs Debian's PostgreSQL server for the PostgreSQL tests: they start and stop a throwaway
# server of their own (test/helpers/postgres.ts, test/global-postgres.ts) with these binaries, on a
# free loopback port; Debian's own cluster (5432), if the package starts one, is not used.
# Idempotent: does nothing when /usr/lib/postgresql/<version>/bin/initdb exists.
set -euo pipefail
shopt -s nullglob
found=(/usr/lib/postgresql/*/bin/initdb)
if [ ${#found[@]} -gt 0 ]; then
  echo "postgresql: $("${found[-1]}" --version 2>/dev/null || echo present) (${found[*]})"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
found=(/usr/lib/postgresql/*/bin/initdb)
if [ ${#found[@]} -eq 0 ]; then
  echo "postgresql: installed, but no /usr/lib/postgresql/*/bin/initdb" >&2
  exit 1
fi
"${found[-1]}" --version
