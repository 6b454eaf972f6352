# shellcheck shell=bash
# Shared helpers for scripts/stack.sh. Sourced, never executed directly.

# ---- settings (all overridable from the environment) -------------------------
STACK_DIR="${IDRES_STACK_DIR:-$REPO_ROOT/.stack}"
CACHE_DIR="$STACK_DIR/cache"

KAFKA_VERSION="${IDRES_KAFKA_VERSION:-3.9.2}"
KAFKA_SCALA="2.13"
KAFKA_PORT="${IDRES_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${IDRES_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${IDRES_KAFKA_HEAP:--Xms256m -Xmx768m}"
KAFKA_DIR="$STACK_DIR/kafka"

REGISTRY_VERSION="${IDRES_REGISTRY_VERSION:-3.0.9}"
REGISTRY_PORT="${IDRES_REGISTRY_PORT:-8081}"
REGISTRY_HEAP="${IDRES_REGISTRY_HEAP:--Xms64m -Xmx512m}"
REGISTRY_JAVA_OPTS="${IDRES_REGISTRY_JAVA_OPTS:--XX:TieredStopAtLevel=1}"
REGISTRY_DB="${IDRES_REGISTRY_DB:-apicurio}"
REGISTRY_DIR="$STACK_DIR/registry"
# Apicurio's ccompat API: true = IDs are global IDs (one per registered version),
# false (Apicurio 3 default, and the Confluent behaviour) = IDs are content IDs
# (the same schema text gets the same ID under every subject).
REGISTRY_LEGACY_IDS="${IDRES_REGISTRY_LEGACY_IDS:-false}"
# Default global COMPATIBILITY rule (Apicurio's own default is none; Confluent's
# is BACKWARD, which @kafkajs/confluent-schema-registry expects by default).
REGISTRY_DEFAULT_COMPAT="${IDRES_REGISTRY_DEFAULT_COMPAT:-BACKWARD}"

PG_PORT="${IDRES_PG_PORT:-5432}"
PG_USER=idres
PG_PASSWORD=idres
PG_DB=idres
# Postgres refuses to run as root and runs as the `postgres` user, which cannot enter a checkout under a private
# directory (e.g. /root). Then its data lives under /var/lib/idres instead, one folder per checkout. Called again
# once the postgres package (and so the user) is installed.
pg_resolve_dir() {
  PG_DIR="$STACK_DIR/pg"
  if [[ "$(id -u)" == 0 ]] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$REPO_ROOT" 2>/dev/null; then
    PG_DIR="/var/lib/idres/pg-$(printf '%s' "$STACK_DIR" | md5sum | cut -c1-12)"
  fi
  PG_DATA="$PG_DIR/data"
  PG_LOG="$PG_DIR/postgres.log"
  PG_SUPERPW_FILE="$PG_DIR/superuser.pw"
}
pg_resolve_dir

REDIS_PORT="${IDRES_REDIS_PORT:-6379}"
REDIS_DIR="$STACK_DIR/redis"

WAIT_TIMEOUT="${IDRES_STACK_TIMEOUT:-120}"

# ---- output ------------------------------------------------------------------
log()  { printf '[stack] %s\n' "$*" >&2; }
warn() { printf '[stack] WARNING: %s\n' "$*" >&2; }
die()  { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# Print the last lines of a log file to stderr (used in every health-wait error).
tail_log() {
  local f="$1" n="${2:-40}"
  if [[ -f "$f" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2 || true
    printf -- '----- end of %s -----\n' "$f" >&2
  else
    printf '(log file %s does not exist)\n' "$f" >&2
  fi
}

# ---- processes ---------------------------------------------------------------
# cmdline_has PID MARKER -> 0 if the process' command line contains MARKER
cmdline_has() {
  [[ -r "/proc/$1/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# pid_alive PIDFILE MARKER -> prints pid and returns 0 if the pid in PIDFILE is
# running and its command line contains MARKER (guards against pid reuse).
# If the pidfile is stale but a process with MARKER runs (e.g. started by a
# concurrent run), adopt it: rewrite the pidfile.
pid_alive() {
  local pidfile="$1" marker="$2" pid="" p
  [[ -f "$pidfile" ]] && pid="$(tr -dc '0-9' <"$pidfile")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && cmdline_has "$pid" "$marker"; then
    printf '%s\n' "$pid"
    return 0
  fi
  for p in /proc/[0-9]*; do
    p="${p#/proc/}"
    [[ "$p" == "$$" || "$p" == "$BASHPID" ]] && continue
    if cmdline_has "$p" "$marker" && [[ "$(readlink "/proc/$p/exe" 2>/dev/null)" != */bash ]]; then
      [[ -d "$(dirname "$pidfile")" ]] && echo "$p" >"$pidfile"
      printf '%s\n' "$p"
      return 0
    fi
  done
  return 1
}

# with_lock CMD...: serialize up/down/reset between concurrent stack.sh runs.
with_lock() {
  mkdir -p "$STACK_DIR"
  exec 9>"$STACK_DIR/.lock"
  if ! flock -n 9; then
    log "another scripts/stack.sh up/down/reset is running; waiting for it (up to 15 min)"
    flock -w 900 9 || die "timed out waiting for the lock $STACK_DIR/.lock"
  fi
  "$@"
}

# stop_pid NAME PIDFILE MARKER TIMEOUT: SIGTERM, wait, SIGKILL as a last resort.
stop_pid() {
  local name="$1" pidfile="$2" marker="$3" timeout="$4" pid i
  if ! pid="$(pid_alive "$pidfile" "$marker")"; then
    rm -f "$pidfile"
    return 0
  fi
  log "stopping $name (pid $pid, SIGTERM)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; log "$name stopped"; return 0; }
    sleep 0.2
  done
  warn "$name (pid $pid) did not stop within ${timeout}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
  rm -f "$pidfile"
}

# port_open PORT -> 0 if something accepts TCP connections on 127.0.0.1:PORT
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# rss_of PID -> resident set size in MiB
rss_of() {
  awk '/^VmRSS:/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"
}

# Total RSS of a process and all of its descendants (postgres forks a backend per
# connection plus helper processes).
rss_tree() {
  local root="$1"
  ps -e -o pid=,ppid=,rss= | awk -v root="$root" '
    { ppid[$1] = $2; rss[$1] = $3 }
    END {
      total = 0
      for (p in rss) { q = p; while (q != "" && q != 0 && q != 1) { if (q == root) { total += rss[p]; break } q = ppid[q] } }
      printf "%.0f MiB", total / 1024
    }'
}

# cds_option DIR -> the JVM flag for an application class-data-sharing archive
# kept in DIR (a cache dir, so `reset` keeps it). The first run records the
# archive when the JVM exits (on `down`); later starts map it and boot ~2x faster.
# Keyed by the java version; a stale or unusable archive is ignored by the JVM.
# IDRES_STACK_CDS=0 disables it.
cds_option() {
  [[ "${IDRES_STACK_CDS:-1}" == 1 ]] || { echo "-Xshare:auto"; return; }
  local jver archive
  jver="$(java -version 2>&1 | head -n1 | tr -dc 'A-Za-z0-9._-')"
  archive="$1/app-cds-$jver.jsa"
  if [[ -s "$archive" ]]; then echo "-XX:SharedArchiveFile=$archive"; else echo "-XX:ArchiveClassesAtExit=$archive"; fi
}

# ---- installing things -------------------------------------------------------
APT_UPDATED=0
apt_install() {
  # Install Debian packages without letting their postinst start system services
  # (we run our own instances on our own data dirs).
  command -v apt-get >/dev/null || die "apt-get not found: please install $* yourself"
  [[ "$(id -u)" == 0 ]] || die "need root to apt-get install $* (or install them yourself)"
  local created_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  mkdir -p "$STACK_DIR"
  local aptlog="$STACK_DIR/apt.log" rc=0
  if [[ "$APT_UPDATED" == 0 ]]; then
    log "apt-get update (output: $aptlog)"
    apt-get update -q >"$aptlog" 2>&1 || rc=$?
    APT_UPDATED=1
  fi
  if [[ $rc == 0 ]]; then
    log "apt-get install -y $* (output: $aptlog)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>"$aptlog" 2>&1 || rc=$?
  fi
  [[ $created_policy == 1 ]] && rm -f /usr/sbin/policy-rc.d
  if [[ $rc != 0 ]]; then
    tail_log "$aptlog" 30
    die "apt-get failed (exit $rc) installing: $*; log: $aptlog"
  fi
}

need_java() {
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
  [[ "${major%%.*}" -ge 17 ]] 2>/dev/null || die "Java 17+ is required (found: ${major:-none})"
}

need_mvn() {
  need_java
  command -v mvn >/dev/null || apt_install maven
}

need_curl() {
  command -v curl >/dev/null || apt_install curl ca-certificates
}

# Run Maven quietly in batch mode; on failure show its output.
run_mvn() {
  local logf="$CACHE_DIR/mvn-$$.log" rc=0
  local repo=()
  # IDRES_STACK_MAVEN_REPO: use another Maven local repository (default ~/.m2/repository).
  [[ -n "${IDRES_STACK_MAVEN_REPO:-}" ]] && repo=("-Dmaven.repo.local=$IDRES_STACK_MAVEN_REPO")
  mkdir -p "$CACHE_DIR"
  mvn -B -q "${repo[@]}" "$@" >"$logf" 2>&1 || rc=$?
  if [[ $rc != 0 ]]; then
    tail_log "$logf" 60
    die "mvn $* failed (exit $rc)"
  fi
  rm -f "$logf"
}

# wait_until TIMEOUT_S FUNC [ARGS...]: poll FUNC every 0.5s until it succeeds.
# Also stops early when the watched pid (WAIT_PID, optional) dies.
wait_until() {
  local timeout="$1"; shift
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if "$@"; then return 0; fi
    if [[ -n "${WAIT_PID:-}" ]] && ! kill -0 "$WAIT_PID" 2>/dev/null; then
      return 2
    fi
    sleep 0.5
  done
  return 1
}

# Status line of a component we start as one process with a pid file. Returns 0 when it is up: ours and healthy,
# or someone else's healthy server on our port (then we use it, and say so).
# usage: component_status PIDFILE MARKER HEALTH_FN WHERE LOG PORT NOT_OURS_UP PORT_TAKEN_BY
component_status() {
  local pidfile=$1 marker=$2 healthy=$3 where=$4 logf=$5 port=$6 not_ours=$7 taken=$8 pid
  if pid="$(pid_alive "$pidfile" "$marker")"; then
    if "$healthy"; then echo "up   (pid $pid, $where, RSS $(rss_of "$pid"))"; return 0; fi
    echo "starting/unhealthy (pid $pid; see $logf)"; return 1
  fi
  if port_open "$port"; then
    if "$healthy"; then echo "up   (NOT managed by stack.sh: $not_ours)"; return 0; fi
    echo "down (port $port is taken by $taken)"; return 1
  fi
  echo "down"; return 1
}
