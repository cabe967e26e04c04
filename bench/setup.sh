#!/bin/sh
# What the benchmark suite needs, set up idempotently (make bench runs it
# every time): wrk and nginx from Debian, installed with apt-get only when
# missing, and bench/.venv from the pinned bench/requirements.txt, rebuilt
# whenever that file changes.
set -eu
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "bench: installing$missing with apt-get"
    $sudo apt-get update -qq
    # The suite starts its own nginx on a free loopback port; it never uses
    # the system one that the package may start where services run.
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -f .venv/ready ] || ! cmp -s requirements.txt .venv/ready; then
    echo "bench: creating bench/.venv from bench/requirements.txt"
    rm -rf .venv
    "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
    cp requirements.txt .venv/ready
fi
