#!/usr/bin/env bash
# Makes a Docker Compose implementation available to test/deploy/compose.test.ts, which runs its
# `config` command on docker-compose.yml. `config` needs no Docker engine. Idempotent: does nothing
# when one is already there. Either works:
#   - Compose v2, the `docker compose` CLI plugin (what deployments use), or a standalone
#     `docker-compose` binary of version 2;
#   - Compose v1, Debian's `docker-compose` package (Python), installed here when nothing else is.
# COMPOSE_VALIDATOR may name a command to use instead (e.g. "docker compose").
set -euo pipefail

works() { "$@" version >/dev/null 2>&1; }

if [ -n "${COMPOSE_VALIDATOR:-}" ]; then
  # shellcheck disable=SC2086 # word splitting is how "docker compose" becomes two words
  if works $COMPOSE_VALIDATOR; then
    echo "compose validator: $COMPOSE_VALIDATOR (from COMPOSE_VALIDATOR)"
    exit 0
  fi
  echo "ensure-compose-validator: COMPOSE_VALIDATOR=$COMPOSE_VALIDATOR does not run" >&2
  exit 1
fi
if command -v docker >/dev/null 2>&1 && works docker compose; then
  echo "compose validator: docker compose $(docker compose version --short 2>/dev/null)"
  exit 0
fi
if command -v docker-compose >/dev/null 2>&1 && works docker-compose; then
  echo "compose validator: $(docker-compose version 2>/dev/null | head -n 1)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-compose-validator: no Docker Compose found, and it cannot be installed here (needs root and apt-get)." >&2
  echo "  Install one: the Docker Compose v2 plugin, or: sudo apt-get install -y docker-compose" >&2
  exit 1
fi

echo "ensure-compose-validator: installing Debian's docker-compose package"
export DEBIAN_FRONTEND=noninteractive
# Other installs may hold the dpkg lock for a while: wait for it rather than fail.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
if ! apt_get install -y --no-install-recommends docker-compose; then
  apt_get update
  apt_get install -y --no-install-recommends docker-compose
fi
if ! works docker-compose; then
  echo "ensure-compose-validator: installed docker-compose, but it does not run" >&2
  exit 1
fi
echo "compose validator: $(docker-compose version 2>/dev/null | head -n 1)"
