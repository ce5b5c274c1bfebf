#!/usr/bin/env bash
# Installs Debian's Optuna (python3-optuna, 3.1) and psycopg2 for the interoperability test
# (test/storage/optuna-python.test.ts): real Optuna loads the studies studyopt writes on SQLite and
# PostgreSQL, continues them, and studyopt reads what Optuna wrote. PyPI is not reachable here, so
# Debian's package is the Optuna the tests can have.
# Idempotent: does nothing when /usr/bin/python3 imports both.
set -euo pipefail
if /usr/bin/python3 -c 'import optuna, psycopg2' 2>/dev/null; then
  echo "optuna: $(/usr/bin/python3 -c 'import optuna; print(optuna.__version__)')"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y python3-optuna python3-psycopg2
/usr/bin/python3 -c 'import optuna; print("optuna:", optuna.__version__)'
