# Sourced by the scripts: make .venv with mailbot installed (re-run when pyproject.toml changes).
SUDO=()
[ "$(id -u)" -ne 0 ] && SUDO=(sudo)
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  if ! python3 -m venv .venv 2>/dev/null; then
    rm -rf .venv
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv .venv
  fi
fi
STAMP=.venv/.mailbot-deps
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$WANT" ]; then
  echo "setup: installing mailbot and its test tools into .venv" >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e '.[test]' >.venv/pip.log 2>&1 || { cat .venv/pip.log >&2; exit 1; }
  echo "$WANT" >"$STAMP"
fi
