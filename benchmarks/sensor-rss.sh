#!/usr/bin/env bash
# Resident memory of the sensor appliance after N minutes (default 5): a simulated board with
# 5 channels sampled at 1 Hz, uplinking to a local mosquitto (mqtt, the default) or to a
# Californium CoAP server in another JVM (coap). Prints VmRSS read from /proc/<pid>/status.
# Usage: benchmarks/sensor-rss.sh [mqtt|coap] [minutes]. Results: BENCHMARKS.md.
# The JVM flags under test are JVM_FLAGS (override to compare); glibc arenas: MALLOC_ARENA_MAX.
set -euo pipefail
cd "$(dirname "$0")/.."
UPLINK=${1:-mqtt}
MINUTES=${2:-5}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
# 5 readings a second need no JIT: the interpreter saves the code cache and the compiler's
# native arenas (about 5 MB less than C1 only); TrimNativeHeapInterval hands freed malloc
# memory back to the OS
JVM_FLAGS=${JVM_FLAGS:--Xint -Xmx16m -Xms8m -Xss256k -XX:+UseSerialGC -XX:MaxMetaspaceSize=40m -XX:MaxDirectMemorySize=8m -XX:+UseCompactObjectHeaders -XX:-UsePerfData -XX:TrimNativeHeapInterval=2000}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}

export JAVA_HOME
echo "building device-runtime (test classes hold the bench main and its test sensor factory)..."
mvn -o -B -q -pl device-runtime -am test-compile
CP_FILE=$(mktemp)
mvn -o -B -q -pl device-runtime dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
CP="device-runtime/target/classes:device-runtime/target/test-classes:$(cat "$CP_FILE")"
rm -f "$CP_FILE"

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

if [[ $UPLINK == mqtt ]]; then
  [[ -x /usr/sbin/mosquitto ]] || { echo "needs /usr/sbin/mosquitto: apt-get install mosquitto" >&2; exit 2; }
  printf 'listener %s 127.0.0.1\nallow_anonymous true\nuser %s\n' "$PORT" "$(id -un)" > "$WORK/mosquitto.conf"
  /usr/sbin/mosquitto -c "$WORK/mosquitto.conf" > "$WORK/mosquitto.log" 2>&1 &
  PIDS+=($!)
else
  # a CoAP server that answers 2.04: libcoap's example server is not a sink for /r, so use
  # the test gateway from device-runtime's test classes in its own JVM (its memory is not measured)
  "$JAVA_HOME/bin/java" -Xmx64m -cp "$CP" dev.lichen.appliance.CoapSinkMain "$PORT" > "$WORK/coap.log" 2>&1 &
  PIDS+=($!)
fi
sleep 1

echo "appliance: $UPLINK to 127.0.0.1:$PORT for $MINUTES min, MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX, flags: $JVM_FLAGS"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" $JVM_FLAGS -cp "$CP" dev.lichen.appliance.SensorRssRun "$UPLINK" "$PORT" "$MINUTES" "$WORK/data" &
APP=$!
PIDS+=($APP)
sleep $((MINUTES * 60 - 2))
RSS=$(awk '/VmRSS/ {print $2, $3}' "/proc/$APP/status")
HWM=$(awk '/VmHWM/ {print $2, $3}' "/proc/$APP/status")
wait "$APP" || true
echo "RESULT: VmRSS after $MINUTES min = $RSS (peak VmHWM $HWM); uplink $UPLINK; $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/ \+/ /g')"
