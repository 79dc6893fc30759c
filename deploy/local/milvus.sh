#!/usr/bin/env bash
# Milvus gRPC API on 127.0.0.1:19530 served by milvus-lite (PyPI, pure-Python server) in a venv.
# Usage: deploy/local/milvus.sh start|stop|status|restart      (state: $ALMANAC_ENGINES_HOME/milvus)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
engine_paths milvus

PORT=${MILVUS_PORT:-19530}
READY_TIMEOUT=60
VENV="$STATE/venv"
REQUIREMENTS="$LOCAL_DIR/milvus/requirements.txt"

# Creates the venv once; reinstalls when requirements.txt changes.
ensure_venv() {
  local stamp
  stamp=$(sha256sum "$REQUIREMENTS" | cut -c1-16)
  [ -f "$VENV/.req-$stamp" ] && return 0
  log "installing milvus-lite into $VENV (first run only)..."
  rm -rf "$VENV"
  python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install -y python3-venv)"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS" >&2 || die "pip install failed"
  touch "$VENV/.req-$stamp"
  log "venv: $(du -sh "$VENV" | cut -f1)"
}

is_ready() {
  port_open "$PORT" || return 1
  timeout 20 "$VENV/bin/python" -c "
from pymilvus import MilvusClient
MilvusClient(uri='http://127.0.0.1:$PORT').list_collections()" >/dev/null 2>&1
}

do_start() {
  ensure_port_free "$PORT"
  ensure_venv
  fresh_data
  log "starting milvus-lite on 127.0.0.1:$PORT"
  launch "$VENV/bin/milvus-lite" server --data-dir "$DATA" --host 127.0.0.1 --port "$PORT"
}

do_stop() { stop_pid 20; }

main "$@"
