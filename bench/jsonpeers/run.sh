#!/bin/bash
# Runs the parser comparison: BenchmarkScanner and its neighbours in
# internal/jsonscan, then every parser here, in two rounds, and prints the
# table of README.md from the output. Usage, from any directory:
#   bench/jsonpeers/run.sh [raw-output-file]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$(mktemp)}
: > "$out"
for round in 1 2; do
  echo "# round $round $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
  (cd "$root/internal/jsonscan" && go test -run '^$' -bench 'Scanner|EngineJSONSource' -benchtime 20x -count 5 .) >> "$out"
  (cd "$here" && go test -run '^$' -bench . -benchtime 10x -count 5 .) >> "$out"
done
echo "# end $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
echo "raw output: $out"
awk -f "$here/summarize.awk" "$out"
