#!/bin/sh
# Installs Debian's redis-server for the Redis session store tests, when it
# is missing and apt-get is there; non-interactive, through sudo only when
# not root. Never fails the build: without it the Redis tests skip and say why.
command -v redis-server >/dev/null 2>&1 && exit 0
command -v apt-get >/dev/null 2>&1 || { echo "redis-server missing and no apt-get: the Redis tests will skip"; exit 0; }
if [ "$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "redis-server missing, not root and no sudo: the Redis tests will skip"; exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# The tests start their own server on a free port; none is needed running.
{ $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends redis-server; } </dev/null \
    || echo "could not install redis-server: the Redis tests will skip"
exit 0
