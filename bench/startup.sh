#!/usr/bin/env bash
# Measures start-up to healthy: from launching the packaged jar to the first 200 from /actuator/health,
# with the embedded database already initialised (a first, unmeasured start initialises it).
# Usage: bench/startup.sh [runs]   (build first: ./mvnw -q package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
jar=$(ls target/canopy-*.jar | grep -v original | head -1)
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
data=$(mktemp -d)
port=18080
export CANOPY_DATA_DIR="$data" CANOPY_BOOTSTRAP_ADMIN_PASSWORD="benchmark-password-123" PORT=$port

start_and_wait() {
    local started=$(date +%s%N)
    "$java" -jar "$jar" > "$data/app.log" 2>&1 &
    local pid=$!
    until curl -sf "http://localhost:$port/actuator/health" > /dev/null; do
        if ! kill -0 $pid 2>/dev/null; then echo "Canopy exited; see $data/app.log" >&2; exit 1; fi
        sleep 0.05
    done
    local ready=$(date +%s%N)
    kill $pid && wait $pid 2>/dev/null || true
    echo $(( (ready - started) / 1000000 ))
}

start_and_wait > /dev/null   # initialises the embedded database
for i in $(seq "$runs"); do
    echo "run $i: $(start_and_wait) ms"
done
rm -rf "$data"
