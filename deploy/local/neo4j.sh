#!/usr/bin/env bash
# Neo4j 5.26 LTS Community, embedded in neo4j/Neo4jLauncher.java, Bolt on 127.0.0.1:7687, no auth.
# Usage: deploy/local/neo4j.sh start|stop|status|restart      (state: $ALMANAC_ENGINES_HOME/neo4j)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
engine_paths neo4j

PORT=${NEO4J_PORT:-7687}
HEAP=${NEO4J_HEAP:-768m}
PAGECACHE_MB=${NEO4J_PAGECACHE_MB:-256}
READY_TIMEOUT=120
JARS="$STATE/jars"

is_ready() {
  grep -q 'Neo4j ready on' "$LOG_FILE" 2>/dev/null || return 1
  if have_node_pkg neo4j-driver; then node_probe neo4j; else port_open "$PORT"; fi
}

do_start() {
  ensure_port_free "$PORT"
  "$JAVA" -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])' || die "$JAVA must be Java 17+"
  fetch_jars "$LOCAL_DIR/neo4j/pom.xml" "$JARS"
  fresh_data
  log "starting embedded Neo4j on 127.0.0.1:$PORT"
  launch "$JAVA" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow \
    -Dneo4j.pagecache.mb="$PAGECACHE_MB" -Dio.netty.tryReflectionSetAccessible=true \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens=java.base/java.io=ALL-UNNAMED \
    -cp "$JARS/*" "$LOCAL_DIR/neo4j/Neo4jLauncher.java" "$DATA" "$PORT"
}

# Neo4j checkpoints on shutdown; give it time before KILL.
do_stop() { stop_pid 60; }

main "$@"
