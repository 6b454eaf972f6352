#!/usr/bin/env bash
# Local dev stack for idres without Docker:
#   Kafka (KRaft, Maven Central jars), Apicurio Registry (ccompat API),
#   PostgreSQL and Redis (Debian packages), each our own instance under .stack/.
#
# usage: scripts/stack.sh up|down|status [postgres|redis|kafka|registry ...] | reset | env
# docs:  docs/stack.md
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_LIB_DIR="$REPO_ROOT/scripts/stack"

# shellcheck source=stack/lib.sh
source "$STACK_LIB_DIR/lib.sh"
# shellcheck source=stack/secure.sh
source "$STACK_LIB_DIR/secure.sh"
# shellcheck source=stack/postgres.sh
source "$STACK_LIB_DIR/postgres.sh"
# shellcheck source=stack/redis.sh
source "$STACK_LIB_DIR/redis.sh"
# shellcheck source=stack/kafka.sh
source "$STACK_LIB_DIR/kafka.sh"
# shellcheck source=stack/registry.sh
source "$STACK_LIB_DIR/registry.sh"
# shellcheck source=stack/connect.sh
source "$STACK_LIB_DIR/connect.sh"

usage() {
  cat <<EOF
usage: scripts/stack.sh <command> [component...]

  up      install what is missing and start whatever is down (no-op when all is up)
  down    stop everything that stack.sh started (Kafka gets SIGTERM and a wait)
  status  print each component as up/down (exit 1 if any is down)
  reset   down, then wipe the data under $STACK_DIR (keeps $CACHE_DIR)
  (up/down/status take optional components: postgres redis kafka registry connect;
   connect = Kafka Connect + Debezium, opt-in: 'up connect' also starts the postgres and kafka it needs)
  env     print the connection settings as shell exports:  eval "\$(scripts/stack.sh env)"

ports (env overrides): IDRES_KAFKA_PORT=$KAFKA_PORT IDRES_KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT
  IDRES_REGISTRY_PORT=$REGISTRY_PORT IDRES_PG_PORT=$PG_PORT IDRES_REDIS_PORT=$REDIS_PORT
secure mode: IDRES_SECURE=1 (a local CA, Kafka SASL_SSL/SCRAM-SHA-512, Postgres TLS only, Redis TLS + ACL user;
  a stack dir keeps the mode it was made in; docs/security.md)
other: IDRES_STACK_DIR (default <repo>/.stack), IDRES_STACK_TIMEOUT (health waits, s; default 120),
  IDRES_KAFKA_VERSION=$KAFKA_VERSION IDRES_REGISTRY_VERSION=$REGISTRY_VERSION IDRES_REGISTRY_LEGACY_IDS=$REGISTRY_LEGACY_IDS
EOF
}

cmd_env() {
  if [[ "$STACK_SECURE" == 1 ]]; then
    secure_env
    return
  fi
  cat <<EOF
export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export SCHEMA_REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7
export DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT
export KAFKA_CONNECT_URL=http://127.0.0.1:$CONNECT_PORT
export SOURCE_DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$SOURCE_DB
EOF
}

# Secure mode: every client setting the services, the CLI and the tests read (quoted: the URLs hold '&' and '?').
# The Kafka password stays in its file (KAFKA_SASL_PASSWORD_FILE); Postgres and Redis take theirs in the URL.
secure_env() {
  local ssl="sslmode=verify-full&sslrootcert=$SECURE_CA"
  cat <<EOF
export IDRES_SECURE=1
export KAFKA_BROKERS='127.0.0.1:$KAFKA_PORT'
export KAFKA_SSL=true
export KAFKA_SSL_CA_FILE='$SECURE_CA'
export KAFKA_SASL_MECHANISM=scram-sha-512
export KAFKA_SASL_USERNAME='$SECURE_USER'
export KAFKA_SASL_PASSWORD_FILE='$(secure_password_file kafka)'
export SCHEMA_REGISTRY_URL='http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7'
export DATABASE_URL='postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB?$ssl'
export REDIS_URL='rediss://$SECURE_USER:$(secure_password redis)@127.0.0.1:$REDIS_PORT'
export REDIS_TLS_CA_FILE='$SECURE_CA'
export SOURCE_DATABASE_URL='postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$SOURCE_DB?$ssl'
EOF
}

ALL_COMPONENTS=(postgres redis kafka registry)
# Start order of every component; connect is opt-in (not in ALL_COMPONENTS) but stopped/wiped with the rest.
ORDERED_COMPONENTS=(postgres redis kafka registry connect)

# components ARGS... -> the named components (validated) in start order, or all.
components() {
  local c want=() out=()
  if [[ $# == 0 ]]; then
    printf '%s\n' "${ALL_COMPONENTS[@]}"
    # connect shows up in status/down once it has been set up here.
    [[ -d "$CONNECT_DIR" ]] && echo connect
    return 0
  fi
  for c in "$@"; do
    case "$c" in
      postgres | pg) want+=(postgres) ;;
      redis) want+=(redis) ;;
      kafka) want+=(kafka) ;;
      registry | schema-registry | apicurio) want+=(registry) ;;
      connect | kafka-connect | debezium) want+=(connect) ;;
      *) die "unknown component '$c' (known: ${ALL_COMPONENTS[*]})" ;;
    esac
  done
  for c in "${ORDERED_COMPONENTS[@]}"; do
    [[ " ${want[*]} " == *" $c "* ]] && out+=("$c")
  done
  printf '%s\n' "${out[@]}"
}

fn_prefix() { [[ "$1" == postgres ]] && echo pg || echo "$1"; }

cmd_status() {
  local rc=0 s c
  for c in $(components "$@"); do
    s="$("$(fn_prefix "$c")_status")" || rc=1
    printf '%-9s %s\n' "$c" "$s"
  done
  return $rc
}

cmd_up() {
  local t0=$SECONDS c
  mkdir -p "$STACK_DIR" "$CACHE_DIR"
  secure_init
  secure_record_mode
  secure_apply
  # Start order matters: the registry stores its schemas in Postgres; Connect needs Postgres (its source) and Kafka.
  local list
  list="$(components "$@")"
  if [[ " $(echo $list) " == *" connect "* ]]; then list="$(components postgres kafka $list)"; fi
  for c in $list; do
    "$(fn_prefix "$c")_up"
  done
  log "up in $((SECONDS - t0))s"
  if [[ "$STACK_SECURE" == 1 ]]; then
    # Not printed here: the settings hold passwords. They are one command away.
    log "secure mode: the client settings (with passwords): eval \"\$(IDRES_SECURE=1 IDRES_STACK_DIR=$STACK_DIR scripts/stack.sh env)\""
    return 0
  fi
  cmd_env
}

cmd_down() {
  local c list
  list="$(components "$@" | tac)"
  for c in $list; do
    "$(fn_prefix "$c")_down"
  done
  log "down: $(echo $list | tr '\n' ' ')"
}

cmd_reset() {
  cmd_down
  local d
  for d in "$KAFKA_DIR" "$REGISTRY_DIR" "$PG_DIR" "$REDIS_DIR" "$CONNECT_DIR" "$SECURE_DIR" "$MODE_FILE"; do
    [[ -e "$d" ]] || continue
    log "wiping $d"
    rm -rf "$d"
  done
  log "reset done (kept caches in $CACHE_DIR)"
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
    up | env) secure_resolve_mode strict ;;
    *) secure_resolve_mode lenient ;;
  esac
  # status/down of a secure stack need its passwords (health checks); reset needs nothing.
  if [[ "$cmd" == status || "$cmd" == down ]] && [[ "$STACK_SECURE" == 1 && -s "$SECURE_CA" ]]; then secure_apply; fi
  if [[ "$cmd" == env ]]; then secure_apply; fi
  case "$cmd" in
    up) shift; with_lock cmd_up "$@" ;;
    down) shift; with_lock cmd_down "$@" ;;
    status) shift; cmd_status "$@" ;;
    reset) with_lock cmd_reset ;;
    env) cmd_env ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
