#!/usr/bin/env bash
# Run all the tests: install Dovecot and the venv when missing, run the whole suite on
# SQLite, then the integration, fault and acceptance suites on a private PostgreSQL.
# With arguments, only `pytest ARGS` on SQLite. The exit code is pytest's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  SUDO=(sudo)
fi
APT_UPDATED=0

apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update -qq
    APT_UPDATED=1
  fi
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "$@" >/dev/null
}

# Integration tests run a private Dovecot on their own loopback ports (see tests/support/servers.py),
# so a system Dovecot started by the package install does not get in the way.
if [ ! -x /usr/sbin/dovecot ]; then
  echo "test.sh: installing dovecot-imapd" >&2
  apt_install dovecot-imapd
fi

# The web page's browser tests drive Debian's chromium through chromium-driver (Selenium).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "test.sh: installing chromium and chromium-driver" >&2
  apt_install chromium chromium-driver
fi

# The Sympa exchange tests (tests/integration/test_sympa_real.py) run a private, real Sympa
# (tests/support/sympa_server.py): Debian's package, installed without an MTA, a syslog
# daemon or a web server, no service started (~40 s once).
if [ ! -x /usr/lib/sympa/bin/sympa.pl ]; then
  echo "test.sh: installing sympa" >&2
  "${SUDO[@]}" sh tests/support/sympa/install.sh
fi

source scripts/setup-venv.sh

if [ "$#" -gt 0 ]; then  # a chosen subset: SQLite only
  exec .venv/bin/python -m pytest "$@"
fi
.venv/bin/python -m pytest -q
exec bash scripts/test-postgres.sh
