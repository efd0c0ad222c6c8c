#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ answer on 127.0.0.1: start them when
# installed and stopped, install them (Debian packages) when missing.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do port_open "$port" && return 0; sleep 1; done
  echo "ensure-infra: $name did not come up on port $port" >&2
  return 1
}

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-infra: $* missing and not root; install them or set LEADWIRE_TEST_DATABASE_URL / LEADWIRE_TEST_RABBIT_URL" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  port_open 5432 && return 0
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
  local version
  version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_port 5432 PostgreSQL
  # Trust auth for local TCP, as the tests and the demo expect on a dev machine.
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! psql -h 127.0.0.1 -U postgres -c 'select 1' >/dev/null 2>&1; then
    sed -i 's/^\(host\s\+all\s\+all\s\+127.0.0.1\/32\s\+\).*/\1trust/' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  fi
}

ensure_rabbitmq() {
  port_open 5672 && return 0
  command -v rabbitmq-server >/dev/null 2>&1 || apt_install rabbitmq-server
  rabbitmq-server -detached || true
  wait_port 5672 RabbitMQ
  # The port opens before the broker accepts work; wait for the app to be running.
  for _ in $(seq 1 30); do rabbitmqctl -q status >/dev/null 2>&1 && break; sleep 1; done
}

# `--gateway`: the demo also wants nginx (the gateway); best effort, the demo
# falls back to the services' own ports without it.
ensure_nginx() {
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] && return 0
  (apt_install nginx-light) || echo "ensure-infra: nginx unavailable; the demo runs without the gateway" >&2
  # Debian's package starts a default server on :80; the demo runs its own.
  if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    /usr/sbin/nginx -s stop >/dev/null 2>&1 || true
  fi
}

ensure_postgres
ensure_rabbitmq
echo "ensure-infra: PostgreSQL (5432) and RabbitMQ (5672) are up"
if [ "${1:-}" = "--gateway" ]; then ensure_nginx; fi
