#!/usr/bin/env bash
# A CPU profile of complete flows, Portcullis beside the do-nothing ceiling (docs/benchmarks.md,
# "The third round: where a flow's server CPU goes, by owner"): LoadBenchmark --stores
# memory,ceiling, flows at 16 clients only, 4 rounds of 5 s after 30 s of warm-up per deployment,
# under Linux perf (CPU-clock samples of every thread, kernel included, with the JVM's frame
# pointers and symbol map), then bench/perf-owners.py over the measured rounds.
#
#   bench/profile.sh                 # builds, then about 2 min 40 s of load
#   bench/profile.sh --skip-build    # the WAR and classes already built
#
# Needs perf (Debian's linux-perf package) and python3, and permission to record (root, or
# kernel.perf_event_paranoid <= 1). perf takes a good part of a core itself: the flows/s of a
# profiled run are not figures; the samples per flow are. Everything is kept in
# target/bench/profile-<time>/ (load.log, perf.data, perf.txt, owners.txt, the JVM's perf map).
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
JAVA=
PERF=
trap 'kill $JAVA $PERF 2>/dev/null || true' EXIT
java -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit \
  -Xms1g -Xmx1g -XX:+UseG1GC -Djava.util.logging.config.file=bench/logging.properties \
  -Dportcullis.war=target/portcullis.war \
  -cp "target/classes:target/test-classes:$(cat target/bench/classpath.txt)" io.portcullis.bench.LoadBenchmark \
  --stores memory,ceiling --concurrency 16 --pbkdf2-concurrency none --route-concurrency none \
  --lifecycle-concurrency none --duration 5 --rounds 4 --warmup 30 >"$OUT/load.log" 2>&1 &
JAVA=$!
PID=$JAVA
sleep 2
perf record -F 499 -g -e cpu-clock -p "$JAVA" -o "$OUT/perf.data" 2>"$OUT/perf.err" &
PERF=$!
sleep 2
if ! kill -0 "$PERF" 2>/dev/null; then
  cat "$OUT/perf.err" >&2
  echo "bench/profile.sh: perf record did not start (root, or kernel.perf_event_paranoid <= 1, is needed)" >&2
  exit 1
fi
if ! wait "$JAVA"; then
  echo "bench/profile.sh: the benchmark failed, see $OUT/load.log" >&2
  exit 1
fi
JAVA=
if ! wait "$PERF"; then # perf ends with the process it records
  echo "bench/profile.sh: perf record failed, see $OUT/perf.err" >&2
  exit 1
fi
PERF=
perf script -i "$OUT/perf.data" -F comm,tid,time,ip,sym >"$OUT/perf.txt" 2>"$OUT/perf-script.err"
mv "/tmp/perf-$PID.map" "$OUT/" # perf script has read it
bench/perf-owners.py "$OUT/perf.txt" "$OUT/load.log" | tee "$OUT/owners.txt"
echo "kept in $OUT"
