"""The command line for people: French words, no internal codes, exit codes 0/1/2,
`--config` anywhere, `--version`, and never a traceback for a mistake."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mailbot.cli import main
from mailbot.cli.labels import cut
from mailbot.cli.parser import french_error, hoist_options
from tests.support.helpers import ROOT, run_cli, sample

CODES = re.compile(r"\b(list_post|malformed|held|quarantined|pending|change_address|"
                   r"refresh_reply|autoreply|list|inbox)\b")


def test_config_goes_before_or_after_the_command() -> None:
    assert hoist_options(["check", "--config", "x.toml"]) == ["--config", "x.toml", "check"]
    assert hoist_options(["members", "list", "--config=x", "-v"]) == [
        "--config=x", "-v", "members", "list"]
    assert hoist_options(["members", "import", "--", "--config"]) == [
        "members", "import", "--", "--config"]


def test_check_accepts_config_after_the_command(cfg: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(capsys, "check", "--config", str(cfg))
    assert code == 0, out
    assert "ok      configuration\xa0:" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert re.fullmatch(r"mailbot \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)


def test_help_is_in_plain_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("utilisation\xa0: mailbot")
    assert "sub-command" not in out and "Codes de sortie" in out
    for line in out.splitlines():
        assert not re.search(r"\b(the|run the|check config|processed messages)\b", line), line


@pytest.mark.parametrize("argv, needle", [
    (["nope"], "choix inconnu"),
    ([], "il manque"),
    (["members"], "il manque"),
    (["messages", "--limit", "x"], "--limit : un nombre entier positif est attendu"),
    (["messages", "--frobnicate"], "argument(s) inconnu(s)"),
    (["dossier", "export"], "il manque"),
])
def test_usage_errors_exit_2_in_french(argv: list[str], needle: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err and "usage:" not in err


def test_french_error_leaves_unknown_messages_alone() -> None:
    assert french_error("something else") == "something else"
    assert french_error("unrecognized arguments: --x") == "argument(s) inconnu(s) : --x"


@pytest.mark.parametrize("argv, code, needle", [
    (["--config", "/nonexistent/config.toml", "messages"], 1, "fichier introuvable"),
    (["--config", "/", "messages"], 1, "c'est un dossier"),
])
def test_config_mistakes_are_one_line(argv: list[str], code: int, needle: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == code
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_bad_cron_stops_check_and_run_with_one_line(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.toml"
    for cron, what in (("0 25 * * mon", "heure « 25 » impossible"),
                       ("0 8 * * lundimatin", "jour de la semaine « lundimatin »")):
        cfg.write_text(f'[bot]\naddress = "a@b.fr"\n[cotech]\ndigest_cron = "{cron}"\n',
                       encoding="utf-8")
        code, out = run_cli(capsys, "check", "--config", str(cfg))
        assert code == 1 and "ÉCHEC   configuration" in out and what in out
        assert main(["--config", str(cfg), "run", "--once"]) == 1
        err = capsys.readouterr().err
        assert what in err and "Traceback" not in err


def test_members_import_of_a_missing_file(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg), "members", "import", "/nonexistent.csv"]) == 2
    err = capsys.readouterr().err
    assert "/nonexistent.csv" in err and "Traceback" not in err


def test_history_of_an_unknown_address(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg), "members", "history", "personne@nulle.part"]) == 2
    assert "aucun membre pour l'adresse personne@nulle.part" in capsys.readouterr().err


def test_tables_say_words_not_codes(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "--config", str(cfg), "members", "import", str(ROOT / "samples" / "roster.csv"))
    box = cfg.parent / "maildir"
    (box / "list" / "new" / "1.m").write_bytes(sample("list", "list-gt-compte-rendu-gt"))
    (box / "inbox" / "new" / "2.m").write_bytes(sample("inbox", "malformed-missing-from"))
    (box / "inbox" / "new" / "3.m").write_bytes(sample("inbox", "cmd-change-address"))
    code, out = run_cli(capsys, "--config", str(cfg), "run", "--once")
    assert code == 0 and "liste\xa0: 1" in out and "boîte du robot\xa0: 2" in out
    assert not CODES.search(out), out
    code, out = run_cli(capsys, "--config", str(cfg), "messages")
    assert code == 0
    heading = out.splitlines()[0]
    assert "raison" in heading and "objet" in heading
    assert "message de la liste" in out and "illisible" in out
    assert not CODES.search(out), out
    code, out = run_cli(capsys, "--config", str(cfg), "messages", "--json")
    assert '"category": "list_post"' in out and '"status"' in out


def test_cut_marks_what_it_cuts() -> None:
    assert cut("court", 10) == "court"
    assert cut("Compte-rendu de la réunion du GT habitat", 20) == "Compte-rendu de la…"
    assert len(cut("x" * 100, 20)) == 20 and cut("x" * 100, 20).endswith("…")
    assert cut(None, 5) == ""


def test_digest_refuses_a_start_after_its_end(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg), "digest", "--since", "2999-01-01"]) == 2
    err = capsys.readouterr().err
    assert "le début de la période doit précéder sa fin" in err


def test_digest_explains_an_empty_period(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (cfg.parent / "maildir" / "list" / "new" / "1.m").write_bytes(
        sample("list", "list-gt-compte-rendu-gt"))
    assert run_cli(capsys, "--config", str(cfg), "run", "--once")[0] == 0
    assert main(["--config", str(cfg), "digest"]) == 0
    err = capsys.readouterr().err
    assert "Aucun message de la liste du " in err
    assert re.search(r"Les messages enregistrés vont du \d+(er)? \w+ 2021", err), err
    assert "mailbot digest --since 2021-" in err


def test_every_code_of_the_vocabulary_has_a_french_word() -> None:
    from mailbot.cli import labels
    from mailbot.vocab import Category, Role, Status

    assert set(Category) <= set(labels.CATEGORIES)
    assert set(Status) <= set(labels.STATUSES)
    assert set(Role) <= set(labels.ROLES)
