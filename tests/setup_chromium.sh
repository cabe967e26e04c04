#!/bin/sh
# Debian's chromium for the browser test (tests/test_chat_browser.py),
# installed with apt-get only when missing; `make test` runs this first.
# Never fails the run: where it cannot be installed, the test skips and says why.
command -v chromium >/dev/null 2>&1 && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "tests: no chromium and no apt-get; the browser test will skip"
    exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo -n"  # -n: never wait for a password (CI has no stdin)
echo "tests: installing chromium with apt-get"
if ! { $sudo apt-get update -qq &&
       $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
    echo "tests: could not install chromium; the browser test will skip"
fi
exit 0
