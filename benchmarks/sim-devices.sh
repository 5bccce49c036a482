#!/usr/bin/env bash
# The simulator at scale: N virtual devices (real sensor appliance, BME280 model, file outbox,
# CoAP) sampling once a second against a gateway in a separate process, for a while; prints the
# simulator's RSS and CPU from /proc every 30 s and at the end. Used for BENCHMARKS.md.
#   benchmarks/sim-devices.sh [SECONDS=300] [SCENARIO=simulator/scenarios/bench-1000.json]
# SIM_JAVA_OPTS are passed to the simulator's JVM (default: -Xmx256m).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-300}
SCENARIO=${2:-simulator/scenarios/bench-1000.json}
D=$(mktemp -d /tmp/lichen-simbench.XXXX)
free_port() { python3 -c "import socket;s=socket.socket(socket.AF_INET,socket.$1);s.bind(('127.0.0.1',0));print(s.getsockname()[1])"; }
CP=$(free_port SOCK_DGRAM); HP=$(free_port SOCK_STREAM); MP=$(free_port SOCK_STREAM)
echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | sed 's/Model name: *//'), $(uname -r)"
./lichen gateway --data "$D/gateway" --bind 127.0.0.1 --coap-port "$CP" --http-port "$HP" --plain-http --mqtt-port "$MP" > "$D/gateway.log" 2>&1 &
GW=$!
trap 'kill $GW 2>/dev/null || true' EXIT
until grep -q "Listening on\|web UI and API" "$D/gateway.log"; do sleep 1; kill -0 $GW || { cat "$D/gateway.log"; exit 1; }; done
LICHEN_JAVA_OPTS="${SIM_JAVA_OPTS:--Xmx256m}" ./lichen sim run --scenario "$SCENARIO" --gateway 127.0.0.1 \
  --coap-port "$CP" --mqtt-port "$MP" --data "$D/sim" --duration "${SECONDS_TO_RUN}s" > "$D/sim.log" 2>&1 &
LAUNCHER=$!
sleep 2
SIM=$(pgrep -f "dev.lichen.cli.Main sim run --scenario $SCENARIO" | head -1)
TCK=$(getconf CLK_TCK)
start_ticks=$(awk '{print $14+$15}' /proc/$SIM/stat); start_ns=$(date +%s%N); max_rss=0
while kill -0 $SIM 2>/dev/null; do
  sleep 30
  [ -r /proc/$SIM/stat ] || break
  rss=$(awk '/VmRSS/{print $2}' /proc/$SIM/status); ticks=$(awk '{print $14+$15}' /proc/$SIM/stat)
  (( rss > max_rss )) && max_rss=$rss
  secs=$(( ($(date +%s%N) - start_ns) / 1000000000 ))
  echo "t=${secs}s  simulator RSS $((rss / 1024)) MB  CPU $(( (ticks - start_ticks) * 100 / TCK / (secs > 0 ? secs : 1) ))% of one core  | $(grep '^sim: t+' "$D/sim.log" | tail -1)"
  end_ticks=$ticks; end_secs=$secs
done
wait $LAUNCHER || true
grep '^sim: done' "$D/sim.log" || tail -5 "$D/sim.log"
echo "simulator: max RSS $((max_rss / 1024)) MB, average CPU $(( (end_ticks - start_ticks) * 100 / TCK / end_secs ))% of one core over ${end_secs}s"
kill -TERM $GW; wait $GW || true
rm -rf "$D"
