"""`mailbot digest` (print, --html, --since, --send) and `mailbot jobs`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot import config, db
from mailbot.cli import main
from mailbot.models.jobs import DigestSent
from tests.support.helpers import run_cli


def test_digest_prints_without_sending(cfg: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "digest.html"
    code, out = run_cli(capsys, "--config", str(cfg), "digest", "--since", "2026-03-23",
                    "--html", str(html))
    assert code == 0
    assert out.startswith("Objet\u00a0: [QPV] Synthèse de la semaine — du 23 mars 2026 au ")
    assert "Voici la synthèse du robot pour la période du lundi 23 mars 2026 à 00h00 au " in out
    assert "À TRAITER PAR UNE PERSONNE (0)" in out
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not (tmp_path / "data" / "outbox").exists() or \
        not list((tmp_path / "data" / "outbox").iterdir())


def test_digest_send_delivers_and_moves_the_period(cfg: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(capsys, "--config", str(cfg), "digest", "--send")
    assert code == 0
    assert out.strip() == "synthèse envoyée à 1 destinataire(s) (1 message(s) remis au serveur)"
    assert len(list((tmp_path / "data" / "outbox").glob("*.eml"))) == 1
    settings = config.load(cfg)
    with Session(db.make_engine(settings.bot.database)) as s:
        sent = s.exec(select(DigestSent)).one()
    assert sent.trigger == "manual"


def test_digest_since_must_be_a_date(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(cfg), "digest", "--since", "lundi"]) == 2
    assert "--since\xa0: une date AAAA-MM-JJ est attendue" in capsys.readouterr().err


def test_jobs_lists_schedule_next_run_and_last_result(cfg: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(capsys, "--config", str(cfg), "jobs")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["tâche", "planification", "prochaine", "dernière",
                                              "résultat"]
    assert [line.split()[0] for line in lines[2:]] == \
        ["Synthèse", "Relances", "Accusés", "Étape", "Rapprochement", "Envoi"]  # words, not job ids
    assert "0 8 * * mon" in lines[2]
    run_cli(capsys, "--config", str(cfg), "run", "--once")  # first start: baselines
    code, out = run_cli(capsys, "--config", str(cfg), "jobs", "--json")
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["digest"]["last_status"] == "baseline"
    assert rows["outbox"]["last_result"] == "0 en attente, 0 en échec"
