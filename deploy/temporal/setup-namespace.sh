#!/bin/sh
# One-shot (docker compose service `temporal-setup`, image temporalio/admin-tools): creates the
# dispatch namespace if it is missing, then registers the product's custom search attributes,
# given as arguments in `temporal operator search-attribute create` form:
#   setup-namespace.sh --name DispatchStatus --type Keyword --name DispatchPagedPhones --type KeywordList ...
# Safe to re-run. It exits 0 only once every attribute can be used in a visibility query, so the
# api and worker (which depend on it) never start against a server that would reject them.
set -eu

: "${TEMPORAL_ADDRESS:=temporal:7233}"
: "${NAMESPACE:=default}"
: "${NAMESPACE_RETENTION:=30d}"
TEMPORAL=${TEMPORAL_CLI:-temporal}

if [ "$#" -eq 0 ]; then
  echo "usage: $0 --name NAME --type TYPE [--name NAME --type TYPE ...]" >&2
  exit 2
fi

# Like the Temporal samples: dial the server's IPv4 address, not a name that may resolve to IPv6.
host=${TEMPORAL_ADDRESS%:*}
port=${TEMPORAL_ADDRESS##*:}
if command -v getent >/dev/null 2>&1; then
  ip=$(getent ahostsv4 "$host" 2>/dev/null | awk 'NR == 1 { print $1 }')
  if [ -n "$ip" ]; then TEMPORAL_ADDRESS="$ip:$port"; fi
fi
cli() {
  "$TEMPORAL" --address "$TEMPORAL_ADDRESS" "$@"
}

echo "waiting for the Temporal server at $TEMPORAL_ADDRESS"
tries=0
until cli operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then echo "Temporal server is not serving" >&2; exit 1; fi
  sleep 2
done

if cli operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  cli operator namespace create --namespace "$NAMESPACE" --retention "$NAMESPACE_RETENTION"
  echo "namespace $NAMESPACE created (retention $NAMESPACE_RETENTION)"
fi

# A new namespace reaches the server's caches a few seconds after it is created, and until then
# the create below answers "namespace not found": retry. Attributes that already exist with the
# same type are left alone; one registered with a different type fails every try.
tries=0
until cli operator search-attribute create --namespace "$NAMESPACE" "$@"; do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then
    echo "could not register the search attributes in namespace $NAMESPACE" >&2
    exit 1
  fi
  sleep 2
done

# Names from the --name arguments.
names=""
expect_name=0
for arg in "$@"; do
  if [ "$expect_name" -eq 1 ]; then names="$names $arg"; fi
  if [ "$arg" = "--name" ]; then expect_name=1; else expect_name=0; fi
done

# A freshly added attribute reaches the server's caches a little later: wait until a visibility
# query that uses each one is accepted (the API's /health runs such a query).
for name in $names; do
  tries=0
  until cli workflow count --namespace "$NAMESPACE" --query "$name = 'setup-probe'" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 90 ]; then
      echo "search attribute $name is not usable in namespace $NAMESPACE" >&2
      cli operator search-attribute list --namespace "$NAMESPACE" >&2 || true
      exit 1
    fi
    sleep 2
  done
  echo "search attribute $name ready"
done
echo "namespace $NAMESPACE is ready for dispatch"
