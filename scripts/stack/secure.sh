# shellcheck shell=bash
# Secure mode of the local stack (IDRES_SECURE=1): a local CA and a server certificate (SAN 127.0.0.1, localhost),
# random passwords, Kafka SASL_SSL with SCRAM-SHA-512, Postgres with ssl=on and hostssl-only scram-sha-256, Redis
# with TLS only and an ACL user. Everything lives in $STACK_DIR/secure (mode 0700; secrets 0600).
#
# A stack dir is either secure or plain, for its whole life: $STACK_DIR/mode says which (written at the first up).
# IDRES_SECURE=1 or 0 asks for one; unset, the dir's mode is used (plain for a new dir). Asking for the other
# mode of an existing dir is refused (reset it, or use another IDRES_STACK_DIR).

SECURE_DIR="$STACK_DIR/secure"
MODE_FILE="$STACK_DIR/mode"
SECURE_CA="$SECURE_DIR/ca.pem"
SECURE_USER=idres

# stack_has_data -> 0 when this dir already holds data of some mode (a stack made before mode files existed is plain).
stack_has_data() {
  [[ -f "$KAFKA_DIR/data/meta.properties" || -f "$PG_DATA/PG_VERSION" || -d "$REDIS_DIR/data" ]]
}

# secure_resolve_mode strict|lenient: sets STACK_SECURE=1|0 from IDRES_SECURE and the dir's mode file. On a
# mismatch, strict (up, env) dies; lenient (status, down, reset) goes by the dir's mode.
secure_resolve_mode() {
  local strict="$1" want="" have=""
  case "${IDRES_SECURE:-}" in
    1 | true | yes | on) want=secure ;;
    0 | false | no | off) want=plain ;;
    "") ;;
    *) die "IDRES_SECURE must be 1 or 0, got '${IDRES_SECURE}'" ;;
  esac
  if [[ -f "$MODE_FILE" ]]; then
    have="$(tr -dc 'a-z' <"$MODE_FILE")"
  elif stack_has_data; then
    have=plain
  fi
  if [[ "$strict" == strict && -n "$want" && -n "$have" && "$want" != "$have" ]]; then
    die "the stack in $STACK_DIR was made in $have mode and IDRES_SECURE asks for $want: a stack dir keeps its mode (its data, passwords and listeners were made for it). Use another IDRES_STACK_DIR, or wipe this one first: IDRES_SECURE=${IDRES_SECURE} scripts/stack.sh reset"
  fi
  local mode="${have:-${want:-plain}}"
  if [[ "$mode" == secure ]]; then STACK_SECURE=1; else STACK_SECURE=0; fi
}

# Records the mode at the first up.
secure_record_mode() {
  [[ -f "$MODE_FILE" ]] && return 0
  mkdir -p "$STACK_DIR"
  if [[ "$STACK_SECURE" == 1 ]]; then echo secure >"$MODE_FILE"; else echo plain >"$MODE_FILE"; fi
}

secure_password_file() { echo "$SECURE_DIR/$1.pw"; }
secure_password() { cat "$(secure_password_file "$1")"; }

# Idempotent: the CA, the server key/cert, the PKCS12 keystore for Kafka and the passwords, each made once.
secure_init() {
  [[ "$STACK_SECURE" == 1 ]] || return 0
  command -v openssl >/dev/null || apt_install openssl
  mkdir -p "$SECURE_DIR"
  chmod 700 "$SECURE_DIR"
  local old_umask name f
  old_umask="$(umask)"
  umask 077
  for name in kafka pg redis keystore; do
    f="$(secure_password_file "$name")"
    # Alphanumeric: safe inside URLs, JAAS strings, SQL and config files without quoting.
    [[ -s "$f" ]] || head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$f"
  done
  if [[ ! -s "$SECURE_DIR/ca.key" || ! -s "$SECURE_CA" ]]; then
    log "secure: making a local CA in $SECURE_DIR"
    rm -f "$SECURE_DIR/server.pem" "$SECURE_DIR/server.p12"
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 -subj "/CN=idres local stack CA" \
      -keyout "$SECURE_DIR/ca.key" -out "$SECURE_CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      >"$SECURE_DIR/openssl.log" 2>&1 || { tail_log "$SECURE_DIR/openssl.log"; die "secure: openssl could not make the CA"; }
  fi
  if [[ ! -s "$SECURE_DIR/server.key" || ! -s "$SECURE_DIR/server.pem" ]]; then
    log "secure: making the server certificate (127.0.0.1, localhost)"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' >"$SECURE_DIR/server.ext"
    openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=localhost" \
      -keyout "$SECURE_DIR/server.key" -out "$SECURE_DIR/server.csr" >>"$SECURE_DIR/openssl.log" 2>&1 \
      && openssl x509 -req -in "$SECURE_DIR/server.csr" -CA "$SECURE_CA" -CAkey "$SECURE_DIR/ca.key" -CAcreateserial \
        -days 825 -sha256 -extfile "$SECURE_DIR/server.ext" -out "$SECURE_DIR/server.pem" >>"$SECURE_DIR/openssl.log" 2>&1 \
      || { tail_log "$SECURE_DIR/openssl.log"; die "secure: openssl could not make the server certificate"; }
    rm -f "$SECURE_DIR/server.csr" "$SECURE_DIR/server.p12"
  fi
  if [[ ! -s "$SECURE_DIR/server.p12" ]]; then
    openssl pkcs12 -export -in "$SECURE_DIR/server.pem" -inkey "$SECURE_DIR/server.key" -name kafka \
      -passout "file:$(secure_password_file keystore)" -out "$SECURE_DIR/server.p12" >>"$SECURE_DIR/openssl.log" 2>&1 \
      || { tail_log "$SECURE_DIR/openssl.log"; die "secure: openssl could not make the Kafka keystore"; }
  fi
  umask "$old_umask"
  # The CA certificate is public: clients of any user may read it.
  chmod 644 "$SECURE_CA"
  # As root, Postgres runs as `postgres` and cannot enter this dir: pg_write_config copies the key and certificate
  # into the cluster's own dir, owned by postgres.
}

# After secure_init (or for env/status/down, when it ran before): the passwords and client settings of secure mode.
secure_apply() {
  [[ "$STACK_SECURE" == 1 ]] || return 0
  [[ -s "$SECURE_CA" && -s "$(secure_password_file pg)" ]] \
    || die "the secure stack in $STACK_DIR has no certificates or passwords yet; start it first: IDRES_SECURE=1 scripts/stack.sh up"
  PG_PASSWORD="$(secure_password pg)"
  # Every psql of stack.sh (health checks, bootstrap) verifies the server as the services do.
  export PGSSLMODE=verify-full PGSSLROOTCERT="$SECURE_CA"
}

# Client settings the stack's own health checks use (same variables as the services).
secure_kafka_client_env() {
  [[ "$STACK_SECURE" == 1 ]] || return 0
  printf '%s\n' "KAFKA_SSL=true" "KAFKA_SSL_CA_FILE=$SECURE_CA" "KAFKA_SASL_MECHANISM=scram-sha-512" \
    "KAFKA_SASL_USERNAME=$SECURE_USER" "KAFKA_SASL_PASSWORD_FILE=$(secure_password_file kafka)"
}

# Java client properties for the Kafka tools (TopicCommand fallback of the health check).
secure_kafka_client_properties() {
  local f="$SECURE_DIR/client.properties"
  if [[ ! -s "$f" ]]; then
    (umask 077 && cat >"$f" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SECURE_USER" password="$(secure_password kafka)";
ssl.truststore.type=PEM
ssl.truststore.location=$SECURE_CA
EOF
    )
  fi
  echo "$f"
}
