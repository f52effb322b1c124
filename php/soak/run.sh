#!/usr/bin/env bash
# `make soak`: the module on a real web stack, under load and platform faults (docs/soak.md).
#
# Starts, all on loopback and all private to target/soak (own prefix, pid files, sockets, logs; no system
# service): Debian's nginx in front of Debian's php8.2-fpm (a static pool, the extension loaded with -d),
# the emulated WHMCS on a private MariaDB server (php/dev/mariadb.sh), and the Acronis simulator over TLS.
# php/soak/setup.php builds the WHMCS installation; php/soak/driver.php drives the load, injects the
# faults, reloads php-fpm, checks the simulator's state and prints the figures; a WHMCS cron loop runs
# alongside. Everything is stopped at the end (trap), also on failure or Ctrl+C.
#
# Environment: SOAK_SECONDS (180) and SOAK_REQUESTS (10000): the run takes at least SOAK_REQUESTS
# requests and about SOAK_SECONDS; SOAK_CLIENTS (8) concurrent clients; SOAK_WORKERS (4) php-fpm workers;
# MARIADB_PORT (33311); SOAK_DIR (target/soak). Exit status: 0 when every goal is met (driver.php).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SOAK_DIR=${SOAK_DIR:-$REPO/target/soak}
export SOAK_SECONDS=${SOAK_SECONDS:-180}
export SOAK_REQUESTS=${SOAK_REQUESTS:-10000}
export SOAK_CLIENTS=${SOAK_CLIENTS:-8}
SOAK_WORKERS=${SOAK_WORKERS:-4}
export MARIADB_DIR=${MARIADB_DIR:-$SOAK_DIR/mariadb}
export MARIADB_PORT=${MARIADB_PORT:-33311}
EXT=${ACRONISCLOUD_EXT:-$REPO/target/release/libacroniscloud.so}
SIM=${ACRONIS_SIM_BIN:-$REPO/target/release/acronis-sim}
PHP=${PHP:-php}
RUN=$SOAK_DIR/run
PACKAGES=(nginx-light php8.2-fpm php8.2-cli php8.2-curl php8.2-mysql)

log() { echo "soak: $*" >&2; }

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        # No system nginx/php-fpm service may start on install (port 80, a second pool): a policy-rc.d that
        # refuses every start, unless the machine already has one (containers do).
        local policy=/usr/sbin/policy-rc.d own_policy=0
        if [ ! -e "$policy" ]; then
            printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
        fi
        apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        [ "$own_policy" = 0 ] || rm -f "$policy"
    fi
}

free_port() {
    "$PHP" -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];'
}

PIDS=()
MARIADB_STARTED=0
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$MARIADB_STARTED" = 1 ]; then
        "$REPO/php/dev/mariadb.sh" stop >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$EXT" ] && [ -x "$SIM" ] || { log "build first: make build ($EXT, $SIM)"; exit 2; }
install_packages
rm -rf "$RUN"
mkdir -p "$RUN"/{nginx,fpm,logs}

# The Acronis simulator (one data centre, HTTPS with its own CA).
"$SIM" --tls --dcs 1 --ca-out "$RUN/sim-ca.pem" >"$RUN/sim.json" 2>"$RUN/logs/sim.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$RUN/sim.json" ] && break; sleep 0.1; done
[ -s "$RUN/sim.json" ] || { log "the simulator did not start (see $RUN/logs/sim.log)"; exit 1; }

# The private MariaDB server (stopped at the end only when this run started it).
if ! "$REPO/php/dev/mariadb.sh" status >/dev/null 2>&1; then
    MARIADB_STARTED=1
    "$REPO/php/dev/mariadb.sh" start >/dev/null
fi
set -a
eval "$("$REPO/php/dev/mariadb.sh" env)"
set +a

# php-fpm: a static pool of SOAK_WORKERS workers that never recycle (pm.max_requests = 0), so memory
# growth shows; root's own run needs -R. The pool keeps the environment (the emulation reads WHMCSHOST_*).
ROOT=$RUN/root
PORT=$(free_port)
export WHMCSHOST_ROOT=$ROOT WHMCSHOST_BROWSER=1 WHMCSHOST_CSRF=strict WHMCSHOST_AUTOLOGIN=1
export WHMCSHOST_BASE_URL=http://127.0.0.1:$PORT ACRONISCLOUD_EXT=$EXT
cat >"$RUN/fpm/php-fpm.conf" <<EOF
[global]
pid = $RUN/fpm/php-fpm.pid
error_log = $RUN/logs/php-fpm.log
log_level = notice
daemonize = no
; a graceful reload (SIGUSR2) lets requests in flight finish within this time
process_control_timeout = 30s

[soak]
listen = $RUN/fpm/soak.sock
listen.mode = 0666
listen.backlog = 511
pm = static
pm.max_children = $SOAK_WORKERS
pm.max_requests = 0
clear_env = no
catch_workers_output = yes
request_terminate_timeout = 120s
php_admin_value[error_log] = $RUN/logs/php-errors.log
php_admin_flag[log_errors] = on
php_admin_flag[display_errors] = off
php_admin_value[memory_limit] = 256M
EOF
FPM=$(command -v php-fpm8.2 || echo /usr/sbin/php-fpm8.2)
"$FPM" -F -R -p "$RUN/fpm" -y "$RUN/fpm/php-fpm.conf" -d "extension=$EXT" &
FPM_PID=$!
PIDS+=($FPM_PID)

# nginx: every request goes to php/soak/front.php (the emulation's router under php-fpm).
cat >"$RUN/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $RUN/nginx/nginx.pid;
error_log $RUN/logs/nginx-error.log warn;
$( [ "$(id -u)" = 0 ] && echo 'user root;' )
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path $RUN/nginx/body;
    fastcgi_temp_path $RUN/nginx/fastcgi;
    proxy_temp_path $RUN/nginx/proxy;
    uwsgi_temp_path $RUN/nginx/uwsgi;
    scgi_temp_path $RUN/nginx/scgi;
    server {
        listen 127.0.0.1:$PORT;
        location / {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $REPO/php/soak/front.php;
            fastcgi_param DOCUMENT_ROOT $ROOT;
            fastcgi_read_timeout 120s;
            fastcgi_pass unix:$RUN/fpm/soak.sock;
        }
    }
}
EOF
nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -e "$RUN/logs/nginx-error.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$RUN/fpm/soak.sock" ] && "$PHP" -r 'exit(@fsockopen("127.0.0.1", (int) $argv[1]) ? 0 : 1);' "$PORT" && break; sleep 0.1; done

log "nginx http://127.0.0.1:$PORT -> php-fpm ($SOAK_WORKERS workers, pid $FPM_PID); MariaDB port $MARIADB_PORT; building the WHMCS installation"
# The installation gets a fresh database of its own on the private server, kept after setup.php exits
# (WHMCSHOST_KEEP_DB); the server's data directory is SOAK_DIR's, so old runs' databases go with it.
WHMCSHOST_KEEP_DB=1 "$PHP" -d "extension=$EXT" "$REPO/php/soak/setup.php" "$RUN" "http://127.0.0.1:$PORT" >"$RUN/setup.json"

# The WHMCS cron, in parallel with the load, until the driver ends.
(
    while [ ! -e "$RUN/driver.done" ]; do
        if "$PHP" -d "extension=$EXT" "$REPO/php/whmcs-host/bin/whmcs" --root "$ROOT" hook:run AfterCronJob >>"$RUN/logs/cron.log" 2>&1; then
            echo ok >>"$RUN/cron.runs"
        else
            echo failed >>"$RUN/cron.runs"
        fi
        sleep 5
    done
) &
PIDS+=($!)

set +e
"$PHP" -d "extension=$EXT" "$REPO/php/soak/driver.php" "$RUN" "$FPM_PID"
status=$?
set -e
touch "$RUN/driver.done"
exit $status
