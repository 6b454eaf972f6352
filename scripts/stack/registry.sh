# shellcheck shell=bash
# Apicurio Registry (Confluent-compatible through its ccompat API), from the
# `-all` distribution that Apicurio publishes on Maven Central:
#   io.apicurio:apicurio-registry-app:<ver>:tar.gz:all  (Quarkus runner jar + lib/)
# Storage: SQL on our Postgres (database $REGISTRY_DB), so schemas survive restarts.

REGISTRY_HOME="$CACHE_DIR/apicurio-registry-$REGISTRY_VERSION"
REGISTRY_JAR="$REGISTRY_HOME/apicurio-registry-app-$REGISTRY_VERSION-runner.jar"
REGISTRY_PID="$REGISTRY_DIR/registry.pid"
REGISTRY_LOG="$REGISTRY_DIR/registry.log"
REGISTRY_MARKER="$REGISTRY_JAR"
REGISTRY_CCOMPAT="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"

registry_install() {
  [[ -f "$REGISTRY_HOME/.complete" ]] && return 0
  need_mvn
  local work="$CACHE_DIR/apicurio-download"
  log "fetching Apicurio Registry $REGISTRY_VERSION (io.apicurio:apicurio-registry-app:$REGISTRY_VERSION:tar.gz:all) from Maven Central"
  rm -rf "$work" "$REGISTRY_HOME"
  mkdir -p "$work" "$REGISTRY_HOME"
  cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>idres.stack</groupId>
  <artifactId>apicurio-download</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
</project>
EOF
  run_mvn -f "$work/pom.xml" dependency:copy \
    -Dartifact="io.apicurio:apicurio-registry-app:$REGISTRY_VERSION:tar.gz:all" -DoutputDirectory="$work"
  tar -xzf "$work/apicurio-registry-app-$REGISTRY_VERSION-all.tar.gz" -C "$REGISTRY_HOME"
  rm -rf "$work"
  [[ -f "$REGISTRY_JAR" ]] || die "registry: $REGISTRY_JAR missing after extracting the distribution"
  touch "$REGISTRY_HOME/.complete"
}

http_code() {
  curl -s -o /dev/null -m 3 -w '%{http_code}' "$@" 2>/dev/null || true
}

registry_healthy() {
  port_open "$REGISTRY_PORT" || return 1
  [[ "$(http_code "$REGISTRY_CCOMPAT/subjects")" == 200 ]]
}

registry_status() {
  component_status "$REGISTRY_PID" "$REGISTRY_MARKER" registry_healthy "$REGISTRY_CCOMPAT" "$REGISTRY_LOG" "$REGISTRY_PORT" \
    "something else answers $REGISTRY_CCOMPAT" "something that does not answer $REGISTRY_CCOMPAT/subjects"
}

registry_up() {
  local pid
  need_curl
  if pid="$(pid_alive "$REGISTRY_PID" "$REGISTRY_MARKER")"; then
    if registry_healthy; then log "registry: already up (pid $pid)"; return 0; fi
    log "registry: process $pid exists but is not answering yet; waiting"
    registry_wait "$pid"
    return
  fi
  if port_open "$REGISTRY_PORT"; then
    if registry_healthy; then
      warn "registry: $REGISTRY_CCOMPAT is already served by a registry that stack.sh did not start; using it as is"
      return 0
    fi
    die "registry: port $REGISTRY_PORT is taken by something that does not answer $REGISTRY_CCOMPAT/subjects (see: ss -ltnp 'sport = :$REGISTRY_PORT'); stop it or set IDRES_REGISTRY_PORT"
  fi
  need_java
  registry_install
  mkdir -p "$REGISTRY_DIR"
  log "registry: starting Apicurio Registry $REGISTRY_VERSION on 127.0.0.1:$REGISTRY_PORT (log: $REGISTRY_LOG)"
  local cds_opt
  cds_opt="$(cds_option "$REGISTRY_HOME")"
  # shellcheck disable=SC2086 # REGISTRY_HEAP / REGISTRY_JAVA_OPTS are lists of JVM flags
  # Secure mode: JDBC over TLS, verifying the server against the stack's CA; the password goes through the
  # environment (Quarkus maps APICURIO_DATASOURCE_PASSWORD), not the command line that ps shows.
  local jdbc_url="jdbc:postgresql://127.0.0.1:$PG_PORT/$REGISTRY_DB" pw_opt=("-Dapicurio.datasource.password=$PG_PASSWORD")
  if [[ "$STACK_SECURE" == 1 ]]; then
    jdbc_url="$jdbc_url?sslmode=verify-full&sslrootcert=$SECURE_CA"
    pw_opt=()
  fi
  (cd "$REGISTRY_DIR" && APICURIO_DATASOURCE_PASSWORD="$PG_PASSWORD" exec setsid nohup java $REGISTRY_HEAP $REGISTRY_JAVA_OPTS "$cds_opt" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dquarkus.http.host=127.0.0.1 \
    -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.log.level=INFO \
    -Dapicurio.storage.kind=sql \
    -Dapicurio.storage.sql.kind=postgresql \
    -Dapicurio.datasource.url="$jdbc_url" \
    -Dapicurio.datasource.username="$PG_USER" \
    "${pw_opt[@]}" \
    -Dapicurio.datasource.jdbc.initial-size=2 \
    -Dapicurio.datasource.jdbc.min-size=2 \
    -Dapicurio.datasource.jdbc.max-size=10 \
    -Dapicurio.ccompat.legacy-id-mode.enabled="$REGISTRY_LEGACY_IDS" \
    -Dapicurio.rules.global.compatibility="$REGISTRY_DEFAULT_COMPAT" \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Dapicurio.rest.deletion.group.enabled=true \
    -Dapicurio.import.work-dir="$REGISTRY_DIR" \
    -Dapicurio.storage.snapshot.location="$REGISTRY_DIR" \
    -jar "$REGISTRY_JAR" >"$REGISTRY_LOG" 2>&1 </dev/null 9>&-) &
  pid=$!
  echo "$pid" >"$REGISTRY_PID"
  registry_wait "$pid"
}

registry_wait() {
  local pid="$1" rc=0
  WAIT_PID="$pid" wait_until "$WAIT_TIMEOUT" registry_healthy || rc=$?
  if [[ $rc == 0 ]]; then
    registry_bootstrap
    log "registry: up (pid $pid, $REGISTRY_CCOMPAT)"
    return 0
  fi
  tail_log "$REGISTRY_LOG" 60
  if [[ $rc == 2 ]]; then die "registry: the JVM (pid $pid) exited during startup; log: $REGISTRY_LOG"; fi
  die "registry: $REGISTRY_CCOMPAT/subjects did not answer 200 within ${WAIT_TIMEOUT}s; log: $REGISTRY_LOG"
}

# Store the global COMPATIBILITY rule once per fresh registry database.
# apicurio.rules.global.compatibility alone is enforced but not reported: the
# ccompat GET /config and GET /config/{subject} still say NONE, and
# @kafkajs/confluent-schema-registry's register() then refuses to register
# ("Compatibility does not match the configuration (BACKWARD != NONE)").
registry_bootstrap() {
  local marker="$REGISTRY_DIR/.global-compat-stored"
  [[ -f "$marker" ]] && return 0
  local body
  body="$(curl -s -m 5 "$REGISTRY_CCOMPAT/config" || true)"
  if [[ "$body" == *'"NONE"'* ]]; then
    log "registry: storing global compatibility $REGISTRY_DEFAULT_COMPAT (Confluent's default)"
    curl -s -f -m 5 -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
      --data "{\"compatibility\":\"$REGISTRY_DEFAULT_COMPAT\"}" "$REGISTRY_CCOMPAT/config" >/dev/null \
      || die "registry: PUT $REGISTRY_CCOMPAT/config failed; log: $REGISTRY_LOG"
  fi
  touch "$marker"
}

registry_down() {
  stop_pid registry "$REGISTRY_PID" "$REGISTRY_MARKER" 30
}
