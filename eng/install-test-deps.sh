#!/usr/bin/env bash
# Installs the servers that integration tests start on loopback (redis-server, PostgreSQL 15),
# from Debian's packages, when they are missing. Tests start and stop their own throwaway instances.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "Installing test servers: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The package may start a system-wide cluster/server; tests use their own instances.
  (command -v service >/dev/null && { $SUDO service redis-server stop || true; $SUDO service postgresql stop || true; }) >/dev/null 2>&1 || true
fi
