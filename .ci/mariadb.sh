#!/usr/bin/env bash
# Installs MariaDB from Debian's packages when missing, starts it on 127.0.0.1:3306, and gives
# every subgraph a fresh schema (poi_<name>, dropped and created again: CI databases are
# throwaway) and its own user with privileges on that schema only.
# Prints the <NAME>_DATABASE_URL exports for the subgraphs; source its output.
# MARIADB_PREFIX (letters, digits, _) puts the schemas under other names (<prefix>poi_<name>), so
# several checkouts on one machine can each have their own throwaway databases.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "mariadb: $*" >&2; }

if ! command -v mysqld_safe >/dev/null 2>&1; then
  log "installing mariadb-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq mariadb-server >&2
fi

if ! mariadb -e 'SELECT 1' >/dev/null 2>&1; then
  log "starting on 127.0.0.1:3306"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
  (mysqld_safe --bind-address=127.0.0.1 --port=3306 >/tmp/mysqld_safe.log 2>&1 &)
  for _ in $(seq 1 60); do mariadb -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
  mariadb -e 'SELECT 1' >/dev/null || { log "did not start"; cat /tmp/mysqld_safe.log >&2; exit 1; }
fi

prefix=${MARIADB_PREFIX:-}
[[ "$prefix" =~ ^[A-Za-z0-9_]*$ ]] || { log "MARIADB_PREFIX may hold only letters, digits and _"; exit 1; }

subgraphs=$(node -e 'const r=require("./registry.json");console.log(["collaboration",...r.map(p=>p.code.toLowerCase())].join(" "))')
for name in $subgraphs; do
  password="ci-${name}-secret"
  mariadb <<SQL
DROP DATABASE IF EXISTS ${prefix}poi_${name};
CREATE DATABASE ${prefix}poi_${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '${name}'@'127.0.0.1' IDENTIFIED BY '${password}';
ALTER USER '${name}'@'127.0.0.1' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON ${prefix}poi_${name}.* TO '${name}'@'127.0.0.1';
SQL
  echo "export ${name^^}_DATABASE_URL=mysql://${name}:${password}@127.0.0.1:3306/${prefix}poi_${name}"
done
