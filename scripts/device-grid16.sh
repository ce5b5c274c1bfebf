#!/usr/bin/env bash
# On a machine without Node (the lent 16-core device), after `bash ../shared/tools/device-node-bundle.sh`
# here and with .device-bundle/ carried there, from the checkout's root:  bash scripts/device-grid16.sh
# The whole expanded IB grid (1,478,400 backtests, GER40 synthetic) with 16 workers: in memory,
# then on SQLite, same machine, same run. Writes timings and the study file's size to $OUT.
set -uo pipefail
bash .device-bundle/unpack.sh && export PATH=/tmp/node-bin:$PATH
export STUDYOPT_DATA_DIR=/tmp/studyopt-data NO_COLOR=1
node dist/src/apps/cli/main.js data generate --symbol GER40 > /dev/null
run() {
  local label=$1; shift
  local t0=$(date +%s%3N)
  timeout 270 node dist/src/apps/cli/main.js optimize --sampler grid --grid expanded --trials 2000000 --workers 16 --json --quiet "$@" > "$OUT/$label.json" 2> "$OUT/$label.err"
  local rc=$?
  local t1=$(date +%s%3N)
  echo "$label rc=$rc wall_ms=$((t1 - t0))" | tee -a "$OUT/summary.txt"
}
nproc | tee -a "$OUT/summary.txt"
run memory --storage memory
run sqlite --storage /tmp/g.db
ls -l /tmp/g.db* | tee -a "$OUT/summary.txt"
head -c 300 "$OUT/memory.json"; echo; head -c 300 "$OUT/sqlite.json"; echo
