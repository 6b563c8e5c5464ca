"""The command line: members import/list, messages, run --once, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailbot.cli import main
from tests.support.helpers import ROOT, run_cli, sample


def test_members_import_twice_updates_without_duplicates(cfg: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    roster = ROOT / "samples" / "roster.csv"
    assert run_cli(capsys, "--config", str(cfg), "members", "import", str(roster))[0] == 0
    changed = tmp_path / "roster.csv"
    changed.write_text(roster.read_text(encoding="utf-8").replace("Atelier Lefort (EI)", "Atelier Lefort"),
                       encoding="utf-8")
    code, out = run_cli(capsys, "--config", str(cfg), "members", "import", str(changed))
    assert code == 0 and out.startswith("0 créé(s), 1 mis à jour, 17 inchangé(s)")
    code, out = run_cli(capsys, "--config", str(cfg), "members", "list", "--json")
    people = json.loads(out)
    assert len(people) == 18
    lefort = next(p for p in people if p["email"] == "mathieu.lefort@gmail.com")
    assert lefort == {"email": "mathieu.lefort@gmail.com", "name": "Mathieu Lefort", "group": "GO",
                      "organisation": "Atelier Lefort", "territory": "Lille - Hauts-de-France",
                      "status": "active", "sympa": "", "aliases": []}


def test_bad_roster_lines_are_reported(cfg: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("email,name,group\nnot-an-address,X,GO\na@b.fr,Y,CHEFS\n", encoding="utf-8")
    code, out = run_cli(capsys, "--config", str(cfg), "members", "import", str(bad))
    assert code == 1
    assert "bad.csv:2: adresse invalide" in out and "bad.csv:3: groupe inconnu 'CHEFS'" in out


def test_alias_then_messages_json(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "--config", str(cfg), "members", "import", str(ROOT / "samples" / "roster.csv"))
    code, out = run_cli(capsys, "--config", str(cfg), "members", "alias", "add",
                    "elodie.marchand@hab-ensemble.fr", "Elodie.Marchand44@gmail.com")
    assert code == 0
    (cfg.parent / "maildir" / "list" / "new" / "1.m").write_bytes(sample("list", "list-gt-compte-rendu-gt"))
    assert run_cli(capsys, "--config", str(cfg), "run", "--once")[0] == 0
    code, out = run_cli(capsys, "--config", str(cfg), "messages", "--json")
    [msg] = json.loads(out)
    assert {k: msg[k] for k in ("folder", "category", "tag", "member", "status")} == {
        "folder": "list", "category": "list_post", "tag": "GT",
        "member": "helene.garnier@habitatparticipatif-france.fr", "status": "done"}
    assert msg["message_id"] and msg["uid"] == 0


def test_config_error_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[bot]\naddress = 'nobody'\n", encoding="utf-8")
    assert main(["--config", str(bad), "messages"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == (f"mailbot\xa0: {bad}\xa0: [bot] address\xa0: "
                           'adresse électronique invalide "nobody"')


def test_check_embedded_default(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(capsys, "--config", str(cfg), "check")
    assert code == 0, out
    assert out.count("ok ") == 6 and "Maildir" in out
