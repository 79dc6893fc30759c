#!/usr/bin/env bash
# Redis from Debian (installed with apt-get when missing) on 127.0.0.1:6379, no persistence, daemonized.
# Usage: deploy/local/redis.sh start|stop|status|restart      (state: $ALMANAC_ENGINES_HOME/redis)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
engine_paths redis

PORT=${REDIS_PORT:-6379}
READY_TIMEOUT=15

is_ready() { [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = PONG ]; }

do_start() {
  if ! command -v redis-server >/dev/null; then
    log "installing redis-server (apt-get)..."
    [ "$(id -u)" = 0 ] || die "redis-server is missing; run: sudo apt-get install -y redis-server"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
  fi
  ensure_port_free "$PORT"
  fresh_data
  log "starting redis-server on 127.0.0.1:$PORT"
  redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no --dir "$DATA" \
    --daemonize yes --pidfile "$PID_FILE" --logfile "$LOG_FILE"
  for _ in $(seq 1 50); do [ -s "$PID_FILE" ] && break; sleep 0.1; done
}

do_stop() { stop_pid 10; }

# A Redis this script did not start (e.g. .ci/run's) already answering on the port is used as is;
# stop leaves it alone.
if [ "${1:-}" != stop ] && ! pid_alive && is_ready; then
  if [ "${1:-}" = status ]; then echo "redis: answering on 127.0.0.1:$PORT, not started by this script"; exit 0; fi
  log "a Redis not started by this script answers on 127.0.0.1:$PORT; using it (stop will not touch it)"
  exit 0
fi

main "$@"
