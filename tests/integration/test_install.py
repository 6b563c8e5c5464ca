"""The README's "Install for real", run as written, against a private Dovecot and SMTP server.

The test reads the shell block between `<!-- install:begin -->` and
`<!-- install:end -->` in README.md and runs it with bash, changed only where a
test must differ from a machine:

* every absolute path (`/opt/mailbot`, `/etc/mailbot`, `/var/lib/mailbot`,
  `/etc/systemd/system`) is moved under one temporary folder;
* the system user is `mbt<pid>` rather than `mailbot` (created by the README's
  own `useradd` line, removed at the end);
* `pip install .` installs the wheel this test built from the clone, with
  `--no-deps`, by the test venv's pip (`pip --python <the new venv>`; the venv
  is made `--without-pip`, which saves ensurepip's 15 s): the dependencies come
  from the test venv's site-packages through a `.pth` line. The wheel itself,
  with its shipped rules and templates, is really installed in the fresh venv,
  and the test checks that `mailbot` and its data are read from there;
* `"${EDITOR:-editor}"` is a script that edits the config and the secrets as
  an operator would (the servers' host and port, the passwords);
* `apt-get` and `systemctl` lines are not run (no package manager or systemd in
  a test), but the unit file the README copies is checked against the install.

Needs root (useradd, runuser) and Dovecot; skipped otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.helpers import LIST_FOLDER, ROOT, sample
from tests.support.servers import Dovecot, SmtpCapture

pytestmark = pytest.mark.integration

README = ROOT / "README.md"
UNIT = ROOT / "docs" / "mailbot.service"
DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # root's, fresh
PATHS = ("/opt/mailbot", "/etc/mailbot", "/var/lib/mailbot", "/etc/systemd/system")

EDITOR = r'''#!{python}
"""The operator's edits: the test servers in config.toml, the passwords in secrets.env."""
import re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
if path.endswith("secrets.env"):
    text += "MAILBOT_IMAP_PASSWORD=secret\nMAILBOT_SMTP_PASSWORD=unused\n"
else:
    edits = {{"imap": {{"host": '"{host}"', "port": "{imap_port}", "tls": '"none"',
                      "username": '"bot"', "list_folder": '"{list_folder}"'}},
             "smtp": {{"host": '"{host}"', "port": "{smtp_port}", "tls": '"none"',
                      "username": '""'}}}}
    section = ""
    out = []
    for line in text.splitlines(keepends=True):
        head = re.match(r"^\[(\w+)\]", line)
        if head:
            section = head.group(1)
        key = re.match(r"^(\w+) = ", line)
        if key and key.group(1) in edits.get(section, {{}}):
            line = f"{{key.group(1)}} = {{edits[section][key.group(1)]}}\n"
        out.append(line)
    text = "".join(out)
open(path, "w", encoding="utf-8").write(text)
'''


def install_block() -> list[str]:
    """The README's install lines, in order (comments kept: bash ignores them)."""
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- install:begin -->", 1)[1].split("<!-- install:end -->", 1)[0]
    lines = [line for line in block.strip().splitlines() if not line.startswith("```")]
    assert lines, "README.md: the install block is empty"
    return lines


def adapt(line: str, root: Path, user: str, wheel: Path) -> str | None:
    """One README line as the test runs it; None for a line a test cannot run."""
    if line.startswith(("apt-get ", "systemctl ")):
        return None
    for path in PATHS:
        line = line.replace(path, f"{root}{path}")
    line = re.sub(r"(?<=-u )mailbot\b|(?<=-g )mailbot\b", user, line)
    line = re.sub(r"\bmailbot:mailbot\b", f"{user}:{user}", line)
    if line.startswith("useradd "):
        line = re.sub(r"\bmailbot$", user, line.rstrip())
    if re.search(r"-m venv ", line):
        line = line.replace("-m venv ", "-m venv --without-pip ")
    pip = re.search(r"(\S+)/bin/pip install \.\S*", line)
    if pip:
        line = line.replace(pip.group(0), f"{sys.executable} -m pip --python "
                                          f"{pip.group(1)}/bin/python install --no-deps {wheel}")
    return line


@pytest.fixture
def root() -> Iterator[Path]:
    """A temporary folder the service user can traverse (tmp_path is 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="mbinst"))
    folder.chmod(0o755)
    (folder / "etc/systemd/system").mkdir(parents=True)  # there on any Debian machine
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def user() -> Iterator[str]:
    if os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("runuser"):
        pytest.skip("the install test needs root, useradd and runuser")
    if subprocess.run(["python3", "-c", "import ensurepip"], env={"PATH": DEBIAN_PATH},
                      capture_output=True, check=False).returncode:
        pytest.skip("the system python3 has no venv module (apt-get install python3-venv)")
    name = f"mbt{os.getpid()}"
    yield name
    subprocess.run(["userdel", name], capture_output=True, check=False)


def build_wheel(dest: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dest), str(ROOT)], check=True, capture_output=True)
    [wheel] = dest.glob("mailbot_qpv-*.whl")
    return wheel


def test_readme_install_checks_and_processes_a_message(
        root: Path, user: str, dovecot: Dovecot, smtp_capture: SmtpCapture) -> None:
    """GIVEN a fresh machine (paths under a temp folder) WHEN the README's install lines run
    THEN `check` passes and `run --once` answers a message, from the installed wheel."""
    wheel = build_wheel(root / "dist")
    dovecot.create_folder("bot", LIST_FOLDER)
    dovecot.append("bot", "INBOX", sample("inbox", "other-question-to-bot"))
    editor = root / "editor"
    editor.write_text(EDITOR.format(python=sys.executable, host=dovecot.host,
                                    imap_port=dovecot.port, smtp_port=smtp_capture.port,
                                    list_folder=LIST_FOLDER), encoding="utf-8")
    editor.chmod(0o755)
    lines = [a for line in install_block() if (a := adapt(line, root, user, wheel))]
    deps = (f"echo {sysconfig.get_paths()['purelib']} "
            f'> "$(echo {root}/opt/mailbot/lib/python3.*/site-packages)/_test_deps.pth"')
    at = next(i for i, line in enumerate(lines) if "--no-deps" in line)
    lines.insert(at + 1, deps)
    script = "set -euxo pipefail\numask 022\nPS4='+ $SECONDS s: '\n" + "\n".join(lines) + "\n"
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "EDITOR": str(editor), "PATH": DEBIAN_PATH},
                          timeout=120, check=False)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "ÉCHEC" not in done.stdout
    assert re.search(r"traités.*\b1\b", done.stdout), done.stdout
    [reply] = smtp_capture.wait_for(1)
    assert reply.rcpt_tos == ["karim.belkacem@orange.fr"]
    where = subprocess.run([str(root / "opt/mailbot/bin/python"), "-c",
                            "import mailbot, mailbot.shipped as s; print(mailbot.__file__); "
                            "print(s.shipped('rules')); print(s.shipped('templates'))"],
                           capture_output=True, text=True, check=True, cwd=root).stdout.split()
    assert all(w.startswith(str(root / "opt/mailbot")) for w in where), where
    data = root / "var/lib/mailbot"
    assert (data / "mailbot.sqlite3").is_file()
    assert data.stat().st_uid == int(subprocess.check_output(["id", "-u", user]))
    assert_unit_matches(root)


def assert_unit_matches(root: Path) -> None:
    """docs/mailbot.service: the user, secrets, binary, config and data folder of the README."""
    unit = dict(line.split("=", 1) for line in UNIT.read_text(encoding="utf-8").splitlines()
                if re.match(r"^\w+=", line))
    config = (root / "etc/mailbot/config.toml").read_text(encoding="utf-8")
    readme = "\n".join(install_block())
    assert unit["User"] == "mailbot"
    assert re.search(r"^useradd .* mailbot$", readme, re.MULTILINE)
    assert unit["EnvironmentFile"] == "/etc/mailbot/secrets.env" and unit["EnvironmentFile"] in readme
    assert unit["ExecStart"] == "/opt/mailbot/bin/mailbot --config /etc/mailbot/config.toml run"
    assert unit["ReadWritePaths"] == "/var/lib/mailbot"
    assert f'data_dir = "{root}/var/lib/mailbot"' in config
    assert (root / "etc/systemd/system/mailbot.service").read_text() == UNIT.read_text()
