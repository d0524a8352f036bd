#!/usr/bin/env bash
# Makes Debian's PostgreSQL server of one major version available to `npm run cluster` and the
# cluster test, which run it as a throwaway cluster of their own (initdb and pg_ctl from the
# package's bin dir, a data dir in the project, a loopback port): the system service is never used.
# Idempotent: does nothing when that server is installed.
#   ensure-postgresql.sh 15      prints the bin dir, e.g. /usr/lib/postgresql/15/bin
set -euo pipefail

major="${1:?usage: ensure-postgresql.sh MAJOR_VERSION}"
bindir="/usr/lib/postgresql/$major/bin"

works() { [ -x "$bindir/initdb" ] && [ -x "$bindir/pg_ctl" ] && "$bindir/postgres" --version >/dev/null 2>&1; }

if works; then
  echo "$bindir"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-postgresql: no PostgreSQL $major server in $bindir, and it cannot be installed here (needs root and apt-get)." >&2
  echo "  Install it with: sudo apt-get install -y postgresql-$major" >&2
  exit 1
fi

echo "ensure-postgresql: installing Debian's postgresql-$major package" >&2
export DEBIAN_FRONTEND=noninteractive
# The package would otherwise create and start a system cluster we never use.
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
  mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
fi
# Other installs may hold the dpkg lock for a while: wait for it rather than fail.
apt_get() { apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confold "$@"; }
if ! apt_get install -y --no-install-recommends "postgresql-$major" >&2; then
  apt_get update >&2
  apt_get install -y --no-install-recommends "postgresql-$major" >&2
fi
if ! works; then
  echo "ensure-postgresql: installed postgresql-$major, but $bindir/postgres does not run" >&2
  exit 1
fi
echo "$bindir"
