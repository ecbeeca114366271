#!/usr/bin/env bash
# Makes sure PostgreSQL and NATS (with JetStream) listen on loopback, as the
# tests and `interlink serve` expect. Installs them from Debian's packages and
# starts them when they are missing, so a fresh machine works too.
set -euo pipefail

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do
    listening "$port" && return 0
    sleep 0.5
  done
  echo "services.sh: $name did not come up on 127.0.0.1:$port" >&2
  return 1
}

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! listening 5432; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "services.sh: installing PostgreSQL"
    apt_install postgresql
    version=$(ls /etc/postgresql | head -n 1)
    # Tests connect as postgres over loopback without a password.
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' \
      "/etc/postgresql/$version/main/pg_hba.conf"
  fi
  version=$(ls /etc/postgresql | head -n 1)
  echo "services.sh: starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for 5432 PostgreSQL
fi

if ! listening 4222; then
  if [ ! -x /usr/sbin/nats-server ]; then
    echo "services.sh: installing nats-server"
    apt_install nats-server
  fi
  mkdir -p /var/lib/nats-server
  echo "services.sh: starting nats-server with JetStream"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server
  wait_for 4222 NATS
fi
echo "services.sh: PostgreSQL and NATS are up"

# Prometheus (Debian's 2.42), for the test that evaluates every dashboard
# query against a loaded mesh; only installed, the test starts its own.
if [ ! -x /usr/bin/prometheus ]; then
  echo "services.sh: installing prometheus"
  apt_install --no-install-recommends prometheus
fi
