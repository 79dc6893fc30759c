# shellcheck shell=bash
# Shared helpers for deploy/local/*.sh (sourced, not run).
# State lives under $ALMANAC_ENGINES_HOME: downloads/venv are kept, data is wiped on every start.

# shellcheck disable=SC2034  # (variables used by the scripts that source this file)
ENGINES_HOME=${ALMANAC_ENGINES_HOME:-$HOME/.cache/almanac-engines}
LOCAL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The repo root (for the Node SDKs in node_modules used by the probes); override with ALMANAC_ROOT.
REPO_ROOT=${ALMANAC_ROOT:-$(cd "$LOCAL_DIR/../.." && pwd)}
JAVA=${ALMANAC_JAVA:-/usr/bin/java}

log() { echo "[$ENGINE] $*" >&2; }
die() { log "error: $*"; exit 1; }

# $1 = engine name; sets the per-engine paths.
engine_paths() {
  ENGINE=$1
  STATE="$ENGINES_HOME/$ENGINE"
  PID_FILE="$STATE/$ENGINE.pid"
  LOG_FILE="$STATE/$ENGINE.log"
  DATA="$STATE/data"
  mkdir -p "$STATE"
}

pid_alive() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when node and the named package are available to run a probe with the repo's own SDK.
have_node_pkg() { command -v node >/dev/null && [ -d "$REPO_ROOT/node_modules/$1" ]; }

# Runs the Node probe ($1 = kafka|neo4j) with the repo's node_modules.
# Its last error is kept in $STATE/probe.err for the timeout message.
node_probe() { ALMANAC_ROOT="$REPO_ROOT" timeout 20 node "$LOCAL_DIR/probe.cjs" "$@" >/dev/null 2>"$STATE/probe.err"; }

# wait_ready SECONDS CHECK_FN: polls CHECK_FN until it succeeds; on timeout or if the process dies, prints the log tail.
wait_ready() {
  local timeout=$1 check=$2 start=$SECONDS
  until "$check"; do
    if ! pid_alive; then
      log "process exited; last log lines:"; tail -n 40 "$LOG_FILE" >&2 || true; return 1
    fi
    if (( SECONDS - start >= timeout )); then
      log "not ready after ${timeout}s; last log lines:"; tail -n 40 "$LOG_FILE" >&2 || true
      [ -s "$STATE/probe.err" ] && log "last probe error: $(tail -n 3 "$STATE/probe.err")"
      return 1
    fi
    sleep 1
  done
  log "ready in $((SECONDS - start))s (pid $(cat "$PID_FILE"))"
}

# Refuses to start when another process already holds the port.
ensure_port_free() {
  local port
  for port in "$@"; do
    port_open "$port" && die "port $port is in use by another process (not ours: no live pid file)"
  done
  return 0
}

# Wipes the engine's data (every start is clean), unless KEEP_DATA=1 (`resume`: restart after a crash or stop with the data kept).
fresh_data() {
  if [ "${KEEP_DATA:-0}" = 1 ] && [ -d "$DATA" ]; then log "keeping the data in $DATA"; return 0; fi
  rm -rf "$DATA" && mkdir -p "$DATA"
}

# Launches "$@" in the background with nohup, logging to $LOG_FILE and recording its pid.
launch() {
  rm -f "$STATE/probe.err"
  nohup "$@" >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
}

# TERM, then KILL after $1 seconds (default 30); waits for the process to go.
stop_pid() {
  local grace=${1:-30} pid
  if ! pid_alive; then rm -f "$PID_FILE"; log "not running"; return 0; fi
  pid=$(cat "$PID_FILE")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 "$((grace * 10))"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after ${grace}s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  log "stopped (pid $pid)"
}

status_line() {
  if pid_alive; then
    local pid rss
    pid=$(cat "$PID_FILE")
    rss=$(ps -o rss= -p "$pid" 2>/dev/null | awk '{printf "%d MB", $1/1024}')
    if "$1"; then echo "$ENGINE: running, answering (pid $pid, RSS $rss)"; return 0; fi
    echo "$ENGINE: running, NOT answering (pid $pid, RSS $rss; log $LOG_FILE)"; return 1
  fi
  echo "$ENGINE: stopped"; return 3
}

# Fetches the runtime jars of the pom in $1 into $2 once (kept between runs; re-fetched when the pom changes).
fetch_jars() {
  local pom=$1 dest=$2 stamp
  stamp=$(sha256sum "$pom" | cut -c1-16)
  if [ -f "$dest/.pom-$stamp" ]; then return 0; fi
  log "fetching jars for $(basename "$(dirname "$pom")") (first run only)..."
  command -v mvn >/dev/null || die "mvn is required (apt-get install -y maven)"
  rm -rf "$dest"
  mvn -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$dest" >"$STATE/mvn.log" 2>&1 \
    || { tail -n 30 "$STATE/mvn.log" >&2; die "mvn could not fetch the jars (log $STATE/mvn.log)"; }
  touch "$dest/.pom-$stamp"
  log "jars: $(du -sh "$dest" | cut -f1)"
}

# Dispatches start|stop|status|restart to the engine's do_start/do_stop/is_ready functions.
main() {
  case "${1:-}" in
    start)
      if pid_alive; then
        if is_ready; then log "already running and answering (pid $(cat "$PID_FILE"))"; return 0; fi
        log "running but not answering yet; waiting"
        wait_ready "$READY_TIMEOUT" is_ready; return
      fi
      rm -f "$PID_FILE"
      do_start
      wait_ready "$READY_TIMEOUT" is_ready || { stop_pid 10 >/dev/null 2>&1 || true; return 1; }
      ;;
    stop) do_stop ;;
    status) status_line is_ready ;;
    restart) do_stop; "$0" start ;;
    resume) KEEP_DATA=1 "$0" start ;;
    kill) if pid_alive; then kill -KILL "$(cat "$PID_FILE")"; while pid_alive; do sleep 0.1; done; log "killed (SIGKILL)"; fi ;;
    *) echo "usage: $0 start|stop|status|restart|resume|kill" >&2; return 2 ;;
  esac
}
