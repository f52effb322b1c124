#!/usr/bin/env bash
# A private MariaDB server for the WHMCS emulation, the demo and the test suites.
#
#   php/dev/mariadb.sh start    install the Debian packages when missing, initialise the data directory
#                               on first use, start mariadbd, wait until it answers, create the accounts
#                               (a no-op when already running; a stale pid file or socket is cleaned up)
#   php/dev/mariadb.sh stop     clean shutdown (a no-op when not running)
#   php/dev/mariadb.sh status   exit 0 when running and answering
#   php/dev/mariadb.sh env      prints WHMCS_DB_DSN, WHMCS_DB_ADMIN_DSN, MARIADB_SOCKET and MARIADB_TLS_CA
#                               (for `eval`/`export`)
#
# Why a private server: no system service is used or needed (CI containers have no systemd), the data stays
# under the repository's target/ and two worktrees can run side by side on different ports.
#
# Environment: MARIADB_DIR (default <repo>/target/mariadb), MARIADB_PORT (default 33306; the server listens
# on 127.0.0.1 only).
#
# Accounts: `root` (UNIX socket authentication, bootstrap only); `acroniscloud_admin` for the test harness
# (creates and drops test databases and users: every right, with GRANT OPTION); `whmcs` on database `whmcs`
# with the rights a WHMCS installation has (WHMCS_DB_RIGHTS below), no global right. Passwords are random,
# generated on first start, kept in $MARIADB_DIR/credentials (mode 600).
#
# TLS: the server also accepts TLS connections, with a certificate for 127.0.0.1/localhost signed by a
# private CA made on first start ($MARIADB_DIR/tls/ca.pem), so WHMCS's $db_tls_* settings can be tested.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=${MARIADB_DIR:-$REPO/target/mariadb}
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac  # mariadbd changes directory: a relative path would resolve elsewhere
PORT=${MARIADB_PORT:-33306}
DATA=$DIR/data
SOCK=$DIR/mariadbd.sock
PIDFILE=$DIR/mariadbd.pid
LOG=$DIR/mariadbd.log
CNF=$DIR/my.cnf
CREDS=$DIR/credentials
TLS=$DIR/tls
PACKAGES=(mariadb-server mariadb-client php8.2-mysql openssl)
# The rights WHMCS documents for its database user (no global rights).
WHMCS_DB_RIGHTS='SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, CREATE TEMPORARY TABLES, LOCK TABLES, REFERENCES'

die() { echo "mariadb.sh: $*" >&2; exit 1; }

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages (${missing[*]}); install them as root"
  echo "Installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The server configuration: own data directory, socket and port; loopback only; InnoDB and utf8mb4;
# MariaDB 10.11's default sql_mode spelled out so a changed distribution default cannot weaken it.
write_config() {
  local user_line=''
  [ "$(id -u)" -eq 0 ] && user_line='user = root'
  cat >"$CNF" <<EOF
[mariadbd]
$user_line
datadir = $DATA
socket = $SOCK
pid-file = $PIDFILE
log-error = $LOG
port = $PORT
bind-address = 127.0.0.1
skip-name-resolve
default-storage-engine = InnoDB
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
sql_mode = STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION
# Galera (the usual HA setup) needs a primary key on every table: refuse tables without one here too.
innodb_force_primary_key = ON
innodb_buffer_pool_size = 128M
# A throw-away test server: an OS crash may lose the last second of commits, a mariadbd crash loses nothing.
innodb_flush_log_at_trx_commit = 2
local_infile = ON
max_connections = 300
ssl_ca = $TLS/ca.pem
ssl_cert = $TLS/server.pem
ssl_key = $TLS/server.key
EOF
}

# A private CA and a server certificate for 127.0.0.1 and localhost (made once).
ensure_tls() {
  [ -s "$TLS/server.pem" ] && [ -s "$TLS/ca.pem" ] && return 0
  mkdir -p "$TLS"
  (
    cd "$TLS"
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
      -subj "/CN=acroniscloud test MariaDB CA" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 3650 \
      -extfile server.ext 2>/dev/null
    chmod 644 ca.pem server.pem
  ) || die "cannot make the TLS certificates in $TLS"
}

random_password() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

ensure_credentials() {
  if [ ! -s "$CREDS" ]; then
    (umask 077; printf 'ADMIN_PASSWORD=%s\nWHMCS_PASSWORD=%s\n' "$(random_password)" "$(random_password)" >"$CREDS")
  fi
  # shellcheck disable=SC1090
  . "$CREDS"
}

# The pid of our mariadbd, if alive. A killed server can linger as a zombie (containers whose pid 1 does not
# reap orphans), which `kill -0` still finds: its state in /proc/PID/stat is checked too.
running_pid() {
  [ -s "$PIDFILE" ] || return 1
  local pid state
  pid=$(cat "$PIDFILE")
  [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = mariadbd ] || return 1
  state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' /proc/"$pid"/stat 2>/dev/null) || return 1
  case "$state" in Z | X | x | '') return 1 ;; esac
  echo "$pid"
}

# mariadbd processes of this data directory that are alive (not zombies), started by start() or not.
live_servers() {
  local p
  for p in $(pgrep -f -- "--defaults-file=$CNF" || true); do
    case "$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' /proc/"$p"/stat 2>/dev/null)" in Z | X | x | '') ;; *) echo "$p" ;; esac
  done
}

root_sql() { mariadb --no-defaults --protocol=socket --socket="$SOCK" -uroot "$@"; }

answers() { mariadb-admin --no-defaults --protocol=socket --socket="$SOCK" -uroot --connect-timeout=2 ping >/dev/null 2>&1; }

initialise() {
  [ -d "$DATA/mysql" ] && return 0
  echo "Initialising MariaDB data directory $DATA" >&2
  mkdir -p "$DATA"
  local user_opt=()
  [ "$(id -u)" -eq 0 ] && user_opt=(--user=root)
  mariadb-install-db --defaults-file="$CNF" "${user_opt[@]}" --datadir="$DATA" --skip-test-db \
    --auth-root-authentication-method=socket >"$DIR/install-db.log" 2>&1 \
    || { tail -20 "$DIR/install-db.log" >&2; die "mariadb-install-db failed (see $DIR/install-db.log)"; }
}

create_accounts() {
  root_sql <<EOF
DELETE FROM mysql.global_priv WHERE User = '';
FLUSH PRIVILEGES;
CREATE USER IF NOT EXISTS 'acroniscloud_admin'@'%' IDENTIFIED BY '$ADMIN_PASSWORD';
ALTER USER 'acroniscloud_admin'@'%' IDENTIFIED BY '$ADMIN_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'acroniscloud_admin'@'%' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS whmcs CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'whmcs'@'%' IDENTIFIED BY '$WHMCS_PASSWORD';
ALTER USER 'whmcs'@'%' IDENTIFIED BY '$WHMCS_PASSWORD';
GRANT $WHMCS_DB_RIGHTS ON whmcs.* TO 'whmcs'@'%';
EOF
}

start() {
  install_packages
  mkdir -p "$DIR"
  if running_pid >/dev/null && answers; then
    return 0
  fi
  if pid=$(running_pid); then
    # Started but not answering yet (another start in progress): wait for it below.
    :
  else
    rm -f "$PIDFILE" "$SOCK" "$SOCK.lock"
    if (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then
      die "port 127.0.0.1:$PORT is taken by another program (set MARIADB_PORT)"
    fi
    write_config
    ensure_tls
    ensure_credentials
    initialise
    # setsid: the server outlives the shell (and make's process group) that started it.
    setsid mariadbd --defaults-file="$CNF" </dev/null >>"$LOG" 2>&1 &
  fi
  local i
  for i in $(seq 1 600); do
    answers && break
    if [ $((i % 10)) -eq 0 ] && ! running_pid >/dev/null && [ -z "$(live_servers)" ]; then
      tail -20 "$LOG" >&2
      die "mariadbd exited during start (log: $LOG)"
    fi
    sleep 0.1
  done
  answers || { tail -20 "$LOG" >&2; die "mariadbd does not answer after 60 s (log: $LOG)"; }
  ensure_credentials
  create_accounts
}

stop() {
  local pid
  pid=$(running_pid) || { rm -f "$PIDFILE" "$SOCK"; return 0; }
  mariadb-admin --no-defaults --protocol=socket --socket="$SOCK" -uroot shutdown >/dev/null 2>&1 || kill -TERM "$pid"
  local i
  for i in $(seq 1 300); do
    running_pid >/dev/null || { rm -f "$PIDFILE" "$SOCK"; return 0; }
    sleep 0.1
  done
  die "mariadbd (pid $pid) did not stop within 30 s"
}

print_env() {
  [ -s "$CREDS" ] || die "not initialised: run '$0 start' first"
  ensure_credentials
  echo "WHMCS_DB_DSN=mysql://whmcs:$WHMCS_PASSWORD@127.0.0.1:$PORT/whmcs"
  echo "WHMCS_DB_ADMIN_DSN=mysql://acroniscloud_admin:$ADMIN_PASSWORD@127.0.0.1:$PORT/"
  echo "MARIADB_SOCKET=$SOCK"
  echo "MARIADB_TLS_CA=$TLS/ca.pem"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running_pid >/dev/null && answers && echo "running (127.0.0.1:$PORT, $SOCK)" || { echo "not running"; exit 1; } ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
