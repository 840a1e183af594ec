#!/usr/bin/env bash
# Measures start-up to healthy: from launching Canopy to the first 200 from /actuator/health, with the
# embedded database already initialised (a first, unmeasured start initialises it). Two ways to run:
#   jar  - java -jar on the packaged jar
#   aot  - the jar extracted (java -Djarmode=tools extract) and started with a JDK 25 AOT cache made by a
#          training run (-XX:AOTCacheOutput with -Dspring.context.exit=onRefresh): the production way
# Usage: bench/startup.sh [runs]   (build first: ./mvnw -q package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
jar=$(ls target/canopy-*.jar | grep -v original | head -1)
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
work=$(mktemp -d)
port=18080
export CANOPY_DATA_DIR="$work/data" CANOPY_BOOTSTRAP_ADMIN_PASSWORD="benchmark-password-123" PORT=$port
trap 'pkill -f "postgres -D $work" || true; rm -rf "$work"' EXIT

time_to_healthy() {
    local started=$(date +%s%N)
    "$java" "$@" > "$work/app.log" 2>&1 &
    local pid=$!
    until curl -sf "http://localhost:$port/actuator/health" > /dev/null; do
        if ! kill -0 $pid 2>/dev/null; then echo "Canopy exited; see $work/app.log" >&2; exit 1; fi
        sleep 0.05
    done
    local ready=$(date +%s%N)
    kill $pid && wait $pid 2>/dev/null || true
    echo $(( (ready - started) / 1000000 ))
}

time_to_healthy -jar "$jar" > /dev/null   # initialises the embedded database
for i in $(seq "$runs"); do echo "jar run $i: $(time_to_healthy -jar "$jar") ms"; done

"$java" -Djarmode=tools -jar "$jar" extract --destination "$work/app" > /dev/null
app="$work/app/$(basename "$jar")"
"$java" -XX:AOTCacheOutput="$work/app.aot" -Dspring.context.exit=onRefresh -jar "$app" > "$work/training.log" 2>&1 || true
pkill -f "postgres -D $work" || true   # the training run exits without stopping the embedded database
sleep 1
for i in $(seq "$runs"); do echo "aot run $i: $(time_to_healthy -XX:AOTCache="$work/app.aot" -jar "$app") ms"; done
