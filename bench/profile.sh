#!/usr/bin/env bash
# A CPU profile of complete flows, Portcullis beside the do-nothing ceiling (docs/benchmarks.md,
# "Where a flow's server CPU goes"): LoadBenchmark --stores memory,ceiling at 16 clients under
# Linux perf (CPU-clock samples of every thread, kernel included, with the JVM's frame pointers and
# symbol map), then bench/perf-owners.py over the measured rounds.
#
#   bench/profile.sh                 # builds, then about 2 min 30 s of load
#   bench/profile.sh --skip-build    # the WAR and classes already built
#
# Needs perf (Debian's linux-perf package) and python3, and permission to record (root, or
# kernel.perf_event_paranoid <= 1). perf takes a good part of a core itself: the flows/s of a
# profiled run are not figures; the samples per flow are. Everything is kept in
# target/bench/profile-<time>/ (load.log, perf.data, perf.txt, owners.txt).
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ "${1:-}" != "--skip-build" ]]; then
  mvn -q -B -DskipTests package test-compile
  mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/classpath.txt
fi
for tool in perf python3; do
  command -v "$tool" >/dev/null || { echo "bench/profile.sh: $tool is needed" >&2; exit 1; }
done

OUT="target/bench/profile-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
java -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit \
  -Xms1g -Xmx1g -XX:+UseG1GC -Djava.util.logging.config.file=bench/logging.properties \
  -Dportcullis.war=target/portcullis.war \
  -cp "target/classes:target/test-classes:$(cat target/bench/classpath.txt)" io.portcullis.bench.LoadBenchmark \
  --stores memory,ceiling --concurrency 16 --pbkdf2-concurrency none --route-concurrency none \
  --lifecycle-concurrency none --duration 10 --rounds 2 --warmup 25 >"$OUT/load.log" 2>&1 &
JAVA=$!
sleep 2
perf record -F 499 -g -e cpu-clock -p "$JAVA" -o "$OUT/perf.data" 2>"$OUT/perf.err" &
PERF=$!
wait "$JAVA" || { echo "bench/profile.sh: the benchmark failed, see $OUT/load.log" >&2; kill "$PERF" 2>/dev/null; exit 1; }
wait "$PERF" || true # perf ends with the process it records
perf script -i "$OUT/perf.data" -F comm,tid,time,ip,sym >"$OUT/perf.txt" 2>/dev/null
bench/perf-owners.py "$OUT/perf.txt" "$OUT/load.log" | tee "$OUT/owners.txt"
echo "kept in $OUT"
