#!/usr/bin/env bash
# Load on the authentication endpoints of a running-for-the-occasion Canopy (packaged jar, fresh embedded
# database): refresh-token rotations per second and password logins per second, measured with wrk.
# Usage: bench/auth.sh [seconds] [connections] [refresh|all]   (build first: ./mvnw -q package -DskipTests; needs wrk)
# Env: WARMUP seconds of refreshes before measuring (60), THREADS of wrk (2), JAR, JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
connections="${2:-8}"
which="${3:-all}"
# wrk's own threads: one per core, as wrk advises; each thread drives connections/threads connections
export THREADS="${THREADS:-2}"
jar="${JAR:-$(ls target/canopy-*.jar | grep -v original | head -1)}"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
work=$(mktemp -d)
port=18090
export EMAIL="perf@canopy.local" PASSWORD="benchmark-password-123"
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

CANOPY_DATA_DIR="$work/data" CANOPY_BOOTSTRAP_ADMIN_EMAIL="$EMAIL" CANOPY_BOOTSTRAP_ADMIN_PASSWORD="$PASSWORD" \
    "$java" ${JAVA_OPTS:-} -jar "$jar" --server.port=$port --canopy.auth.throttle.per-ip-per-minute=100000000 \
    --canopy.auth.lockout.max-failures=100000000 > "$work/app.log" 2>&1 &
pid=$!
until curl -sf "http://localhost:$port/actuator/health" > /dev/null; do
    kill -0 $pid 2>/dev/null || { echo "Canopy exited:" >&2; tail -5 "$work/app.log" >&2; exit 1; }
    sleep 0.2
done

login() {
    curl -sf "http://localhost:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | sed 's/.*"refresh_token":"\([^"]*\)".*/\1/'
    echo
}

# warm-up, not measured: a server runs in steady state; after only 5 s the JIT's compiler threads still took
# about a third of the JVM's CPU in the measured window (JFR jdk.ThreadCPULoad), after 60 s they are quiet
for i in $(seq $((connections + THREADS))); do login; done > "$work/tokens"
TOKENS="$work/tokens" wrk -t"$THREADS" -c"$connections" -d"${WARMUP:-60}s" -s bench/refresh.lua "http://localhost:$port" > /dev/null
[ "$which" = refresh ] || wrk -t2 -c4 -d5s -s bench/login.lua "http://localhost:$port" > /dev/null

# CPU ticks (1/100 s) used so far by Canopy's JVM and by PostgreSQL (every postgres process: run nothing else)
ticks() {
    local java postgres=0 child
    java=$(awk '{print $14 + $15}' /proc/$pid/stat)
    for child in $(pgrep -x postgres); do
        postgres=$((postgres + $(awk '{print $14 + $15}' /proc/$child/stat 2>/dev/null || echo 0)))
    done
    echo "$java $postgres"
}

echo "== refresh-token rotations, $connections connections on $THREADS wrk threads, ${seconds}s"
for i in $(seq $((connections + THREADS))); do login; done > "$work/tokens"
read -r java0 postgres0 < <(ticks)
TOKENS="$work/tokens" wrk -t"$THREADS" -c"$connections" -d"${seconds}s" --latency -s bench/refresh.lua \
    "http://localhost:$port" > "$work/refresh.out"
read -r java1 postgres1 < <(ticks)
grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx" "$work/refresh.out"
requests=$(awk '/requests in/ {print $1}' "$work/refresh.out")
echo "CPU per refresh: Java $(( (java1 - java0) * 10000 / requests )) µs, PostgreSQL $(( (postgres1 - postgres0) * 10000 / requests )) µs"
[ "$which" = refresh ] && exit 0
echo "== password logins, 4 connections, ${seconds}s"
wrk -t2 -c4 -d"${seconds}s" --latency -s bench/login.lua "http://localhost:$port" \
    | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx"
