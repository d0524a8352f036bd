#!/bin/sh
# One-shot (docker compose service `temporal-schema`, image temporalio/admin-tools): creates the
# Temporal persistence and visibility databases in PostgreSQL and brings both schemas up to the
# version this admin-tools image ships. Safe to re-run: every `docker compose up` runs it, and an
# upgrade of the pinned Temporal version migrates the schema before the new server starts.
# `npm run cluster` runs this same script outside a container, with temporal-sql-tool built at the
# same version on PATH and SCHEMA_ROOT pointing at that version's schema files.
set -eu

: "${POSTGRES_SEEDS:=postgresql}"
: "${DB_PORT:=5432}"
: "${POSTGRES_USER:=temporal}"
: "${DBNAME:=temporal}"
: "${VISIBILITY_DBNAME:=temporal_visibility}"
# temporal-sql-tool reads the password from SQL_PASSWORD.
export SQL_PASSWORD="${POSTGRES_PWD:?POSTGRES_PWD must be set}"
: "${SCHEMA_ROOT:=/etc/temporal/schema/postgresql/v12}"

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT"
reachable() {
  if command -v nc >/dev/null 2>&1; then nc -z "$POSTGRES_SEEDS" "$DB_PORT"
  elif command -v pg_isready >/dev/null 2>&1; then pg_isready -q -h "$POSTGRES_SEEDS" -p "$DB_PORT"
  else return 0 # neither tool: the schema tool's own connection error will say what is wrong
  fi
}
tries=0
until reachable; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then echo "PostgreSQL did not come up" >&2; exit 1; fi
  sleep 2
done

for pair in "$DBNAME:temporal" "$VISIBILITY_DBNAME:visibility"; do
  db=${pair%%:*}
  dir=${pair#*:}
  # `create` fails when the database exists (every run after the first, and always for the
  # database PostgreSQL made for POSTGRES_USER); setup-schema below fails if it really is missing.
  sql --db "$db" create >/dev/null 2>&1 && echo "created database $db" || echo "database $db already exists"
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$SCHEMA_ROOT/$dir/versioned"
done
echo "Temporal schema is up to date"
