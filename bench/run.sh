#!/usr/bin/env bash
# Load and memory benchmark of Portcullis (docs/benchmarks.md).
#
#   bench/run.sh                      # full run: about 5 minutes of load, then the memory runs (1 min)
#   bench/run.sh --quick              # 3 s phases, for checking the set-up (figures are rough)
#   bench/run.sh --duration 20 --route-duration 10 --rounds 6
#   bench/run.sh --skip-memory -- --url http://127.0.0.1:8080   # extra LoadBenchmark options after --
#   bench/run.sh --redis              # the stores compared (issue 9): about 5 min of load, 4 min of memory
#   bench/run.sh --metrics            # the memory store with and without metrics (issue 10): about 5 min
#   bench/run.sh --ceiling            # Portcullis against a do-nothing servlet (issue 12): about 9 min
#
# Builds the WAR and the test classes, then runs on this machine's loopback only:
#   1. io.portcullis.bench.LoadBenchmark: the WAR in embedded Jetty 12, complete flows at 1, 4 and
#      16 clients ({noop} user, then a {pbkdf2-sha256} user at 1 and 4), guarded vs public route;
#   2. io.portcullis.bench.TokenMemory: heap of 1,000,000 live tokens in the Caffeine store, with
#      the default heap and again with -Xmx400m.
# With --redis, instead: LoadBenchmark --stores memory,redis,redis-near (flows and the guarded
# route against one deployment per store, a redis-server of its own on loopback, then the Redis
# round trips of a flow and of a guarded request), and io.portcullis.bench.RedisTokenMemory
# (Redis memory of 1,000,000 access tokens, then as many refresh tokens and spent-code markers).
# Both need redis-server (Debian's redis-server package; bin/test installs it).
# With --metrics: LoadBenchmark --stores memory,memory-nometrics (flows and the guarded route of two
# memory-store deployments, one with metrics off through the init-parameter portcullis.metrics=off),
# then io.portcullis.web.MetricsOverhead: what metrics add to one bearer check, in process.
# With --ceiling: LoadBenchmark --stores memory,ceiling-war,ceiling (flows at 1, 4, 16 clients and the
# routes of the memory deployment beside a do-nothing servlet in the same JVM that replays what
# Portcullis answered to one flow and the routes at start-up, same statuses, headers and bodies;
# and, flows only, the same replay in place of the OAuth endpoints of a second deployment of the
# WAR, behind its webapp handlers and filters); every figure is shown as a ratio to the ceiling's,
# with server CPU per flow beside the ceiling's, and the flows also as a ratio to ceiling-war's.
# Everything it prints is also kept in target/bench/<time>/ (machine.txt, load.log, load.md,
# memory.log, memory-xmx400m.log; with --redis load.log, load.md, redis-memory.log). Exits
# non-zero if any step fails.
set -euo pipefail

cd "$(dirname "$0")/.."

# Empty: the mode's default, set after the options are read.
DURATION=
ROUTE_DURATION=
ROUNDS=
WARMUP=
CONCURRENCY=1,4,16
PBKDF2_CONCURRENCY=1,4
ROUTE_CONCURRENCY=1,4,16
LIFECYCLE_CONCURRENCY=1,4,16
TOKENS=1000000
SKIP_BUILD=0
SKIP_LOAD=0
SKIP_MEMORY=0
WAIT_IDLE=0
REDIS=0
METRICS=0
CEILING=0
STORES=
THREADS=8
EXTRA=()

# The JVM flags of each run, recorded in the results.
LOAD_JVM_FLAGS=(-Xms1g -Xmx1g -XX:+UseG1GC)
MEMORY_JVM_FLAGS=(-XX:+UseG1GC)
MEMORY_400_JVM_FLAGS=(-Xmx400m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError)
# The server's warnings on the console, but not the audit trail: two lines per flow would
# measure the console rather than Portcullis (see bench/logging.properties).
LOGGING=(-Djava.util.logging.config.file=bench/logging.properties)

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  cat <<'EOF'
options:
  --duration S            seconds per flow level (default 10; with --redis, --metrics, --ceiling 5 per entry and round)
  --route-duration S      seconds per public/guarded route run (default 5)
  --rounds N              alternating public/guarded rounds per concurrency (default 4; with --redis
                          2 rounds of every store per level, in rotating order)
  --warmup S              warm-up seconds (default 20; with --redis, --metrics, --ceiling 10 per entry)
  --concurrency LIST      flow concurrency levels (default 1,4,16)
  --pbkdf2-concurrency L  PBKDF2 flow levels, or none (default 1,4)
  --route-concurrency L   route concurrency levels, or none (default 1,4,16)
  --lifecycle-concurrency L  client-credentials and introspection levels, or none (default 1,4,16)
  --tokens N              tokens for the memory run (default 1000000)
  --redis                 compare the memory, Redis and Redis near-cache stores (issue 9)
  --metrics               compare the memory store with metrics on and off (issue 10)
  --ceiling               compare the memory store with a do-nothing servlet, the ceiling (issue 12)
  --threads N             with --redis: threads saving tokens in the memory run (default 8)
  --quick                 3 s phases, 2 rounds, 3 s warm-up
  --wait-idle S           wait up to S seconds for other processes to leave the CPUs alone
  --skip-build | --skip-load | --skip-memory
  -- ARGS                 passed to LoadBenchmark as they are
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --route-duration) ROUTE_DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --pbkdf2-concurrency) PBKDF2_CONCURRENCY="$2"; shift 2 ;;
    --route-concurrency) ROUTE_CONCURRENCY="$2"; shift 2 ;;
    --lifecycle-concurrency) LIFECYCLE_CONCURRENCY="$2"; shift 2 ;;
    --tokens) TOKENS="$2"; shift 2 ;;
    --redis) REDIS=1; shift ;;
    --metrics) METRICS=1; shift ;;
    --ceiling) CEILING=1; shift ;;
    --threads) THREADS="$2"; shift 2 ;;
    --quick) DURATION=3; ROUTE_DURATION=3; ROUNDS=2; WARMUP=3; shift ;;
    --wait-idle) WAIT_IDLE="$2"; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --skip-load) SKIP_LOAD=1; shift ;;
    --skip-memory) SKIP_MEMORY=1; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$CEILING" = 1 ]; then
  STORES=memory,ceiling-war,ceiling; SKIP_MEMORY=1
  DURATION=${DURATION:-5}; ROUTE_DURATION=${ROUTE_DURATION:-5}; ROUNDS=${ROUNDS:-4}; WARMUP=${WARMUP:-10}
elif [ "$METRICS" = 1 ]; then
  STORES=memory,memory-nometrics; SKIP_MEMORY=1
  DURATION=${DURATION:-5}; ROUTE_DURATION=${ROUTE_DURATION:-5}; ROUNDS=${ROUNDS:-4}; WARMUP=${WARMUP:-10}
elif [ "$REDIS" = 1 ]; then
  STORES=memory,redis,redis-near
  DURATION=${DURATION:-5}; ROUTE_DURATION=${ROUTE_DURATION:-5}; ROUNDS=${ROUNDS:-2}; WARMUP=${WARMUP:-10}
  if ! command -v redis-server >/dev/null; then
    echo "bench/run.sh: --redis needs redis-server: apt-get install -y redis-server redis-tools" >&2
    exit 1
  fi
else
  DURATION=${DURATION:-10}; ROUTE_DURATION=${ROUTE_DURATION:-5}; ROUNDS=${ROUNDS:-4}; WARMUP=${WARMUP:-20}
fi

OUT="target/bench/$(date -u +%Y%m%dT%H%M%SZ)"
CLASSPATH_FILE=target/bench/classpath.txt

if [ "$SKIP_BUILD" = 0 ]; then
  echo "== build: mvn -q -B -DskipTests package test-compile"
  mvn -q -B -DskipTests package test-compile
  mkdir -p target/bench
  echo "== test classpath: mvn -q -B dependency:build-classpath -Dmdep.includeScope=test"
  mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CLASSPATH_FILE"
fi
for needed in target/portcullis.war target/classes target/test-classes/io/portcullis/bench "$CLASSPATH_FILE"; do
  if [ ! -e "$needed" ]; then
    echo "bench/run.sh: $needed is missing; run without --skip-build" >&2
    exit 1
  fi
done
CP="target/classes:target/test-classes:$(cat "$CLASSPATH_FILE")"
mkdir -p "$OUT"

# CPU busy (in cores) over a few seconds, from /proc/stat: the benchmark shares the machine.
busy_cores() {
  local a b
  a=$(head -1 /proc/stat)
  sleep 3
  b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" -v n="$(nproc)" 'BEGIN {
    split(a, x, " "); split(b, y, " ");
    tot = 0; for (i = 2; i <= 9; i++) tot += y[i] - x[i];
    idle = (y[5] - x[5]) + (y[6] - x[6]);
    printf "%.2f", (tot > 0 ? (tot - idle) / tot * n : 0) }'
}

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
  echo "--- nproc"; nproc
  echo "--- lscpu | head -20"; lscpu | head -20
  echo "--- free -h"; free -h
  echo "--- java -version"; java -version 2>&1
  if [ "$REDIS" = 1 ]; then echo "--- redis-server --version"; redis-server --version; fi
  echo "--- load before start"; cat /proc/loadavg
  echo "CPU busy before start (cores, 3 s sample): $(busy_cores)"
} | tee "$OUT/machine.txt"

if [ "$WAIT_IDLE" -gt 0 ]; then
  waited=0
  while :; do
    busy=$(busy_cores)
    if awk -v b="$busy" 'BEGIN { exit !(b < 0.2) }'; then
      echo "machine idle (busy $busy cores)"; break
    fi
    waited=$((waited + 3))
    if [ "$waited" -ge "$WAIT_IDLE" ]; then
      echo "still busy ($busy cores) after ${WAIT_IDLE}s; running anyway" | tee -a "$OUT/machine.txt"; break
    fi
    echo "other processes use $busy cores; waiting"
  done
fi

if [ "$SKIP_LOAD" = 0 ] && [ -n "$STORES" ]; then
  echo "== load, stores compared: java ${LOAD_JVM_FLAGS[*]} io.portcullis.bench.LoadBenchmark --stores $STORES"
  java "${LOAD_JVM_FLAGS[@]}" "${LOGGING[@]}" -Dportcullis.war=target/portcullis.war -cp "$CP" io.portcullis.bench.LoadBenchmark \
      --stores "$STORES" --duration "$DURATION" --route-duration "$ROUTE_DURATION" \
      --rounds "$ROUNDS" --warmup "$WARMUP" --concurrency "$CONCURRENCY" --route-concurrency "$ROUTE_CONCURRENCY" \
      --markdown "$OUT/load.md" ${EXTRA[@]+"${EXTRA[@]}"} 2>&1 | tee "$OUT/load.log"
elif [ "$SKIP_LOAD" = 0 ]; then
  echo "== load: java ${LOAD_JVM_FLAGS[*]} io.portcullis.bench.LoadBenchmark"
  java "${LOAD_JVM_FLAGS[@]}" "${LOGGING[@]}" -Dportcullis.war=target/portcullis.war -cp "$CP" io.portcullis.bench.LoadBenchmark \
      --duration "$DURATION" --route-duration "$ROUTE_DURATION" --rounds "$ROUNDS" --warmup "$WARMUP" \
      --concurrency "$CONCURRENCY" --pbkdf2-concurrency "$PBKDF2_CONCURRENCY" \
      --route-concurrency "$ROUTE_CONCURRENCY" --lifecycle-concurrency "$LIFECYCLE_CONCURRENCY" --markdown "$OUT/load.md" ${EXTRA[@]+"${EXTRA[@]}"} \
      2>&1 | tee "$OUT/load.log"
fi

if [ "$METRICS" = 1 ]; then
  for threads in 1 2; do
    echo "== metrics overhead in process: java ${MEMORY_JVM_FLAGS[*]} io.portcullis.web.MetricsOverhead --threads $threads"
    java "${MEMORY_JVM_FLAGS[@]}" "${LOGGING[@]}" -cp "$CP" io.portcullis.web.MetricsOverhead --rounds 10 \
        --checks 2000000 --threads "$threads" 2>&1 | tee -a "$OUT/overhead.log"
  done
fi

if [ "$SKIP_MEMORY" = 0 ] && [ "$REDIS" = 1 ]; then
  echo "== Redis memory: java ${MEMORY_JVM_FLAGS[*]} io.portcullis.bench.RedisTokenMemory --tokens $TOKENS --threads $THREADS"
  java "${MEMORY_JVM_FLAGS[@]}" "${LOGGING[@]}" -cp "$CP" io.portcullis.bench.RedisTokenMemory --tokens "$TOKENS" \
      --threads "$THREADS" 2>&1 | tee "$OUT/redis-memory.log"
elif [ "$SKIP_MEMORY" = 0 ]; then
  echo "== memory: java ${MEMORY_JVM_FLAGS[*]} io.portcullis.bench.TokenMemory --tokens $TOKENS"
  java "${MEMORY_JVM_FLAGS[@]}" -cp "$CP" io.portcullis.bench.TokenMemory --tokens "$TOKENS" --histogram 12 \
      2>&1 | tee "$OUT/memory.log"
  echo "== memory under -Xmx400m: java ${MEMORY_400_JVM_FLAGS[*]} io.portcullis.bench.TokenMemory --tokens $TOKENS"
  java "${MEMORY_400_JVM_FLAGS[@]}" -cp "$CP" io.portcullis.bench.TokenMemory --tokens "$TOKENS" \
      2>&1 | tee "$OUT/memory-xmx400m.log"
  echo "-Xmx400m run completed without OutOfMemoryError" | tee -a "$OUT/memory-xmx400m.log"
fi

echo "== results in $OUT"
