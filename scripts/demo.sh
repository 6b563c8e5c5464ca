#!/usr/bin/env bash
# The main job on the embedded default: the bundled sample mail (samples/mail)
# goes through a local Maildir, SQLite and a local outbox folder. Shows what
# mailbot did: each message's category and tag, and the mail it would send.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup-venv.sh

rm -rf demo-data
mkdir -p demo-data/maildir/{list,inbox}/{cur,new,tmp}
for role in list inbox; do
  n=0
  for f in samples/mail/$role/*.eml; do
    n=$((n + 1))
    cp "$f" "demo-data/maildir/$role/new/$(printf '%05d' "$n").$(basename "$f" .eml).demo"
  done
done

mailbot() { .venv/bin/mailbot --config samples/config.toml "$@"; }
echo "== Roster"
mailbot members import samples/roster.csv
echo
echo "== Traitement (run --once)"
mailbot run --once 2>demo-data/mailbot.log
echo
echo "== Messages traités"
mailbot messages
echo
echo "== Dossiers des AMO"
mailbot dossiers
echo
echo "== Courrier envoyé (demo-data/outbox)"
for f in demo-data/outbox/*.eml; do
  [ -e "$f" ] || continue
  .venv/bin/python - "$f" <<'PY'
import sys, email
from email import policy
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=policy.default)
print(f"-> {m['To']}: {m['Subject']}")
PY
done
echo
echo "== Un accusé de réception, tel que l'AMO le lit"
.venv/bin/python - <<'PY'
import email, glob
from email import policy
for path in sorted(glob.glob("demo-data/outbox/*.eml")):
    m = email.message_from_bytes(open(path, "rb").read(), policy=policy.default)
    if m["Subject"].startswith("[QPV] Accusé"):
        print(f"À : {m['To']}\nObjet : {m['Subject']}\n")
        print(m.get_body(("plain",)).get_content())
        break
PY
echo "Journal : demo-data/mailbot.log ; base : demo-data/mailbot.sqlite3 ; courrier : demo-data/outbox/"
