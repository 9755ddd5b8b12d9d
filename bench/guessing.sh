#!/usr/bin/env bash
# Guessing benchmark (README, Security): how many wrong client secrets and passwords one address
# gets checked, with Portcullis' throttling and without it, over real HTTP against the WAR in
# embedded Jetty on this machine's loopback; and, while a PBKDF2 password is being guessed, the
# latency another client sees.
#
#   bench/guessing.sh             # 15 s a phase, 32 guessing threads (about 2 minutes)
#   bench/guessing.sh 20 32
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
threads=${2:-32}
mkdir -p target/bench
mvn -q -B -DskipTests package test-compile
mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/cp.txt
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
java -Xms512m -Xmx1g -Dportcullis.war=target/portcullis.war \
  -Djava.util.logging.config.file=/dev/null \
  -cp "target/classes:target/test-classes:$(cat target/bench/cp.txt)" \
  io.portcullis.bench.GuessingBenchmark "$seconds" "$threads"
