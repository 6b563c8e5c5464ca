#!/bin/sh
# Install Debian's sympa package (bookworm: 6.2.70) for the integration tests, as root:
# no MTA, no syslog daemon, no web server, no service started. Idempotent, ~40 s.
# Recipe from ../shared/lab/sympa (README.md there); the tests build their own
# instance with make-instance.sh and never use the package's /etc/sympa.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
export DEBIAN_FRONTEND=noninteractive
[ -x /usr/lib/sympa/bin/sympa.pl ] && exit 0
APT="apt-get -o DPkg::Lock::Timeout=900"
$APT update -qq
# sympa's debconf answers: SQLite through dbconfig, no web server, no SOAP.
debconf-set-selections "$HERE/debconf-preseed.txt"
# An empty package that "Provides: mail-transport-agent, system-log-daemon",
# so apt pulls neither exim4 nor rsyslog.
deb="$(mktemp -d)/mailbot-test-sympa-deps_1.0_all.deb"
dpkg-deb --build "$HERE/fake-deps" "$deb" >/dev/null
# No service may start during the install: policy-rc.d exit 101.
added_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  added_policy=1
fi
$APT install -y -qq --no-install-recommends sympa dbconfig-sqlite3 "$deb" >/dev/null
if [ -n "$added_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
rm -rf "$(dirname "$deb")"
