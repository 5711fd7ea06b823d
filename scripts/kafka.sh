#!/usr/bin/env bash
# Single-node Kafka (KRaft, broker+controller) for local dev and tests, from Maven Central jars.
# Usage: scripts/kafka.sh fetch|start|stop|status
# Env: KAFKA_CACHE_DIR (default <repo>/.cache/kafka), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
#      KAFKA_LIBS_DIR (default $KAFKA_CACHE_DIR/libs: a second broker with its own cache dir can share the jars)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/scripts/kafka/pom.xml"
CACHE="${KAFKA_CACHE_DIR:-$ROOT/.cache/kafka}"
HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")"
LIBS="${KAFKA_LIBS_DIR:-$CACHE/libs}"
DATA="$CACHE/data"
CONFIG="$CACHE/server.properties"
LOG="$CACHE/server.log"
PIDFILE="$CACHE/kafka.pid"
READY_TIMEOUT=90
STOP_TIMEOUT=30

port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

# Checks the command line, not just kill -0: pids get reused, and a broker that died as our
# child stays a zombie (kill -0 succeeds, cmdline is empty).
is_broker() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q 'kafka\.Kafka'; }

running_pid() {
  local pid
  [[ -f "$PIDFILE" ]] && pid="$(<"$PIDFILE")" && [[ -n "$pid" ]] && is_broker "$pid" || return 1
  echo "$pid"
}

fetch() {
  local marker="$LIBS/.fetched-$VERSION"
  [[ -f "$marker" ]] && return 0
  command -v mvn >/dev/null || { echo "kafka: mvn not found (needs Maven + JDK 17+)" >&2; exit 1; }
  echo "kafka: fetching Kafka $VERSION jars into $LIBS"
  rm -rf "$LIBS"
  mvn -q -B -f "$POM" dependency:copy-dependencies -Dkafka.libs.dir="$LIBS"
  touch "$marker"
}

write_config() {
  mkdir -p "$DATA"
  cat >"$CONFIG" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

start() {
  local pid
  if pid="$(running_pid)"; then
    wait_ready "$pid"
    return 0
  fi
  if port_open; then
    echo "kafka: something already listens on $HOST:$PORT, reusing it"
    return 0
  fi
  fetch
  mkdir -p "$CACHE"
  write_config
  local cp="$LIBS/*"
  if [[ ! -f "$DATA/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(java -cp "$cp" kafka.tools.StorageTool random-uuid)"
    java -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" >/dev/null
  fi

  echo "kafka: starting Kafka $VERSION on $HOST:$PORT (log: $LOG)"
  # log4j2.level: Kafka ships no log4j2 config in its jars; INFO makes the readiness line appear.
  nohup java -Xms256m -Xmx512m -Djava.awt.headless=true -Dlog4j2.level=INFO \
    -cp "$cp" kafka.Kafka "$CONFIG" </dev/null >"$LOG" 2>&1 &
  pid=$!
  echo "$pid" >"$PIDFILE"
  # Until nohup has exec'd java the command line is still bash's, and is_broker would call the broker dead;
  # a busy machine (a parallel test run) makes that window long enough to hit.
  for _ in $(seq 100); do
    is_broker "$pid" || [[ ! -e "/proc/$pid" ]] && break
    sleep 0.05
  done
  wait_ready "$pid"
}

# The port opens before the broker is unfenced; "Kafka Server started" comes after.
wait_ready() {
  local pid=$1 deadline=$((SECONDS + READY_TIMEOUT))
  until port_open && grep -q 'Kafka Server started' "$LOG"; do
    if ! is_broker "$pid"; then
      rm -f "$PIDFILE"
      fail "broker exited during startup"
    fi
    if ((SECONDS >= deadline)); then
      stop >/dev/null
      fail "broker not ready after ${READY_TIMEOUT}s"
    fi
    sleep 0.5
  done
  echo "kafka: ready on $HOST:$PORT (pid $pid)"
}

# Kafka dumps its whole config after a fatal error, so the tail alone rarely shows the cause.
fail() {
  echo "kafka: $1. First errors, then last lines of $LOG:" >&2
  grep -m 10 -E ' (ERROR|FATAL) |^Caused by' "$LOG" >&2 || true
  echo "..." >&2
  tail -n 20 "$LOG" >&2 || true
  exit 1
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PIDFILE"
    echo "kafka: not running (no broker started by this script)"
    return 0
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while is_broker "$pid"; do
    if ((SECONDS >= deadline)); then
      echo "kafka: pid $pid ignored SIGTERM for ${STOP_TIMEOUT}s, sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + STOP_TIMEOUT))
    fi
    sleep 0.5
  done
  rm -f "$PIDFILE"
  echo "kafka: stopped (pid $pid)"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    echo "kafka: running (pid $pid) on $HOST:$PORT"
  elif port_open; then
    echo "kafka: $HOST:$PORT answers, but not a broker started by this script"
  else
    echo "kafka: not running"
    return 3
  fi
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
