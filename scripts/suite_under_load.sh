#!/usr/bin/env bash
# The whole test suite, several times in a row, while other processes keep the CPU busy: a
# browser test that races htmx, or a drill that waits too little, fails here long before it
# flakes in CI.
#   scripts/suite_under_load.sh [pytest arguments]
#   RUNS=3 BURNERS=2 LOG_DIR=var/under-load/<time> (defaults)
# Uses DATABASE_URL / REDIS_URL like `make test`. Prints each run's result; exit status 1 if
# any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
RUNS=${RUNS:-3}
BURNERS=${BURNERS:-2}
LOG_DIR=${LOG_DIR:-var/under-load/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$LOG_DIR"

burners=()
stop_burners() {
  for pid in "${burners[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${burners[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  burners=()
}
trap stop_burners EXIT
trap 'stop_burners; exit 130' INT TERM

for _ in $(seq 1 "$BURNERS"); do
  "$VENV/bin/python" -c 'while True: pass' &
  burners+=("$!")
done
echo "$BURNERS CPU burners running (pids ${burners[*]}); $RUNS runs; logs in $LOG_DIR"

results=()
failed=0
for run in $(seq 1 "$RUNS"); do
  started=$(date +%s)
  # A base temporary folder of its own: pytest's shared one is pruned by other runs.
  "$VENV/bin/pytest" -q -p no:cacheprovider --basetemp="$LOG_DIR/tmp-$run" "$@" \
    >"$LOG_DIR/run-$run.log" 2>&1
  status=$?
  summary=$(grep -E '(passed|failed|error)' "$LOG_DIR/run-$run.log" | tail -n 1)
  line="run $run: exit $status, $(($(date +%s) - started)) s: ${summary:-no summary, see the log}"
  echo "$line"
  results+=("$line")
  [ "$status" -eq 0 ] || failed=1
  rm -rf "$LOG_DIR/tmp-$run"
done

stop_burners
echo "--- under load ($BURNERS burners), logs in $LOG_DIR"
printf '%s\n' "${results[@]}" | tee "$LOG_DIR/summary.txt"
exit "$failed"
