#!/usr/bin/env bash
# Single-node KRaft Apache Kafka (jars from Maven Central via kafka/pom.xml) on 127.0.0.1:9092.
# Usage: deploy/local/kafka.sh start|stop|status|restart      (state: $ALMANAC_ENGINES_HOME/kafka)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
engine_paths kafka

PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
HEAP=${KAFKA_HEAP:-512m}
READY_TIMEOUT=90
JARS="$STATE/jars"
CONFIG="$STATE/server.properties"

KAFKA_JAVA=("$JAVA" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$LOCAL_DIR/kafka/log4j2.properties" -cp "$JARS/*")

write_config() {
  cat >"$CONFIG" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# The adapter creates its topics (admin.createTopics) and expects unknown topics to be an error.
auto.create.topics.enable=false
delete.topic.enable=true
PROPS
}

is_ready() {
  grep -q 'Kafka Server started' "$LOG_FILE" 2>/dev/null || return 1
  if have_node_pkg kafkajs; then node_probe kafka; else port_open "$PORT"; fi
}

do_start() {
  ensure_port_free "$PORT" "$CONTROLLER_PORT"
  fetch_jars "$LOCAL_DIR/kafka/pom.xml" "$JARS"
  fresh_data
  write_config
  local cluster_id
  if [ -f "$DATA/meta.properties" ]; then
    cluster_id=$(sed -n 's/^cluster.id=//p' "$DATA/meta.properties")
  else
    cluster_id=$("${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" >"$LOG_FILE" 2>&1 \
      || { tail -n 20 "$LOG_FILE" >&2; die "storage format failed"; }
  fi
  log "starting broker (cluster $cluster_id) on 127.0.0.1:$PORT"
  launch "${KAFKA_JAVA[@]}" kafka.Kafka "$CONFIG"
}

do_stop() { stop_pid 30; }

main "$@"
