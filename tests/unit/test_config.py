"""It reads config.toml into typed settings and names file and key in every error."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot import config
from mailbot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads_with_secrets_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILBOT_IMAP_PASSWORD", "imap-secret")
    monkeypatch.setenv("MAILBOT_SMTP_PASSWORD", "smtp-secret")
    s = config.load(ROOT / "config.example.toml")
    assert s.bot.address == "preuves-qpv@habitatparticipatif-france.fr"
    assert s.imap is not None and s.imap.password == "imap-secret"
    assert "imap-secret" not in repr(s)
    assert s.list.list_id == "qpv-hpf.framalistes.org"
    assert s.proofs.fee_eur == "600.00"
    assert s.bot.database.startswith("sqlite:///")


def test_missing_env_secret_names_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE_PW", raising=False)
    path = write(tmp_path, '[bot]\naddress="a@b.fr"\n[imap]\nhost="h"\nusername="u"\n'
                           'password_env="NOPE_PW"\n')
    with pytest.raises(ConfigError, match=r"config.toml: \[imap\] password_env: .*NOPE_PW"):
        config.load(path)


@pytest.mark.parametrize("body, message", [
    ('[bot]\n', r"\[bot\] address: missing"),
    ('[bot]\naddress="x"\n', r"\[bot\] address: not an email"),
    ('[bot]\naddress="a@b.fr"\n[imap]\nhost="h"\nusername="u"\ntls="tls"\n', r"\[imap\] tls: must be one of"),
    ('[bot]\naddress="a@b.fr"\n[imap]\nhost="h"\nusername="u"\nport=70000\n', r"\[imap\] port: out of range"),
    ('[bot]\naddress="a@b.fr"\nfoo=1\n', r"\[bot\] foo: unknown key"),
    ('[bot]\naddress="a@b.fr"\n[nope]\nx=1\n', r"\[nope\]: unknown section"),
    ('[bot]\naddress="a@b.fr"\ntimezone="Mars/Olympus"\n', r"timezone: unknown time zone"),
    ('[bot]\naddress="a@b.fr"\n[cotech]\ndigest_cron="every monday"\n', r"digest_cron: expected 5 cron"),
    ('[bot]\naddress="a@b.fr"\n[proofs]\ncomplete_when=[["nonsense"]]\n', r"unknown proof kind"),
    ('[bot\n', r"invalid TOML"),
])
def test_invalid_values_are_named(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config.load(write(tmp_path, body))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        config.load(tmp_path / "absent.toml")


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    s = config.load(write(tmp_path, '[bot]\naddress="a@b.fr"\n[source]\nmaildir="mail"\n'))
    assert s.source.maildir == (tmp_path / "mail").resolve()
    assert s.bot.data_dir == (tmp_path / "data").resolve()
    assert s.imap is None and s.smtp is None
