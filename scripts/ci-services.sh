#!/usr/bin/env bash
# Installs (if missing) and starts PostgreSQL and Redis for the store tests, idempotently, as root.
# Afterwards: Postgres on 127.0.0.1:5432 with superuser switchyard/switchyard, Redis on 127.0.0.1:6379.
# Tests read SWITCHYARD_TEST_PG_URL / SWITCHYARD_TEST_REDIS_URL; these are their defaults.
# No systemd is assumed (containers): the clusters are started with pg_ctlcluster / redis-server directly.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "ci-services.sh: must run as root" >&2
  exit 1
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql redis-server >/dev/null
fi

# --- PostgreSQL: start the first cluster (create one if the package left none) ---
PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
if ! pg_lsclusters -h | grep -q .; then
  pg_createcluster "$PG_VERSION" main >/dev/null
fi
read -r CL_VER CL_NAME CL_PORT CL_STATUS _ < <(pg_lsclusters -h | head -n1)
if [ "$CL_STATUS" != "online" ]; then
  pg_ctlcluster "$CL_VER" "$CL_NAME" start
fi
for _ in $(seq 1 30); do
  if su postgres -c "pg_isready -q -h 127.0.0.1 -p $CL_PORT"; then break; fi
  sleep 0.5
done
su postgres -c "psql -q -p $CL_PORT -v ON_ERROR_STOP=1" <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'switchyard') THEN
    CREATE ROLE switchyard LOGIN SUPERUSER PASSWORD 'switchyard';
  ELSE
    ALTER ROLE switchyard LOGIN SUPERUSER PASSWORD 'switchyard';
  END IF;
END $$;
SQL

# --- Redis ---
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
  for _ in $(seq 1 30); do
    if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
fi

echo "postgres: postgres://switchyard:switchyard@127.0.0.1:${CL_PORT}/postgres"
echo "redis:    redis://127.0.0.1:6379"
