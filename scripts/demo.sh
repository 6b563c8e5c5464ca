#!/usr/bin/env bash
# The main job on the embedded default: the bundled sample mail (samples/mail)
# goes through a local Maildir, SQLite and a local outbox folder. Shows what
# mailbot did: each message's category and tag, and the mail it would send.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup-venv.sh

rm -rf demo-data
mkdir -p demo-data/maildir/{list,inbox}/{cur,new,tmp}
# In the order of their Date header, as they would have arrived (a re-sent
# ticket comes after its original, and is the one called a duplicate).
.venv/bin/python - <<'PY'
import email.utils, re, shutil
from pathlib import Path
for role in ("list", "inbox"):
    def sent(path: Path) -> float:
        head = path.read_bytes().split(b"\n\n", 1)[0].decode("ascii", "replace")
        found = re.search(r"(?im)^Date:[ \t]*(.+(?:\n[ \t].+)*)", head)
        try:
            return email.utils.parsedate_to_datetime(found.group(1)).timestamp() if found else 0.0
        except (TypeError, ValueError):
            return 0.0
    files = sorted(Path("samples/mail", role).glob("*.eml"), key=lambda p: (sent(p), p.name))
    for n, path in enumerate(files, 1):
        shutil.copy(path, Path("demo-data/maildir", role, "new", f"{n:05d}.{path.stem}.demo"))
PY

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
