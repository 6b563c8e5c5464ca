"""Single config values: cron expressions (French day names), amounts, time zones,
writable folders; and French dates with "1er"."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest

from mailbot import validate
from mailbot.frdates import format_fr


@pytest.mark.parametrize("expr, clean", [
    ("0 8 * * mon", "0 8 * * mon"),
    ("0 8 * * lundi", "0 8 * * mon"),
    ("0 8 * * Lun.-Ven.", "0 8 * * mon-fri"),
    ("30 7 * * mardi,jeudi", "30 7 * * tue,thu"),
    ("0 8 * * 1", "0 8 * * 1"),
    ("*/15 8-18 1 jan *", "*/15 8-18 1 jan *"),
])
def test_cron_accepts_crontab_and_french_day_names(expr: str, clean: str) -> None:
    assert validate.cron(expr, "Europe/Paris") == clean


@pytest.mark.parametrize("expr, message", [
    ("0 25 * * mon", "heure « 25 » impossible (permis : 0 à 23"),
    ("60 8 * * mon", "minute « 60 » impossible"),
    ("0 8 32 * *", "jour du mois « 32 » impossible"),
    ("0 8 * 13 *", "mois « 13 » impossible"),
    ("0 8 * * funday", "jour de la semaine « funday » impossible"),
    ("0 8 * * 8", "jour de la semaine « 8 » impossible"),
    ("0 8 * *", "il faut 5 champs"),
    ("every monday", "il faut 5 champs"),
])
def test_cron_refusals_name_the_field(expr: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        validate.cron(expr)
    assert message in str(err.value)
    assert expr in str(err.value)


@pytest.mark.parametrize("raw, clean", [
    ("600.00", "600.00"), (600, "600.00"), ("600,5", "600.50"), (0, "0.00"), (79.5, "79.50"),
    ("1 200,00 €", "1200.00"),
])
def test_amounts(raw: object, clean: str) -> None:
    assert validate.amount(raw) == clean


@pytest.mark.parametrize("raw", ["abc", -1, "1.234", True, "NaN", "Infinity", [600], None])
def test_bad_amounts(raw: object) -> None:
    with pytest.raises(ValueError):
        validate.amount(raw)


def test_timezone() -> None:
    assert validate.timezone("Europe/Paris") == "Europe/Paris"
    for bad in ("Mars/Olympus", "", "../etc/passwd", "Europe/"):
        with pytest.raises(ValueError, match="fuseau horaire inconnu"):
            validate.timezone(bad)


def test_writable_dir(tmp_path: Path) -> None:
    assert validate.writable_dir(tmp_path / "a" / "b") == tmp_path / "a" / "b"
    afile = tmp_path / "f"
    afile.write_text("x")
    with pytest.raises(ValueError, match="n'est pas un dossier"):
        validate.writable_dir(afile / "sub")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes everywhere")
def test_read_only_dir_is_refused(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o555)
    with pytest.raises(ValueError, match="pas accessible en écriture"):
        validate.writable_dir(ro / "data")


def test_first_of_the_month_is_1er() -> None:
    assert format_fr(date(2021, 11, 1)) == "lundi 1er novembre 2021"
    assert format_fr(date(2021, 11, 17)) == "mercredi 17 novembre 2021"
    assert format_fr(date(2021, 11, 1), "d MMMM yyyy") == "1er novembre 2021"
    assert format_fr(datetime(2021, 11, 1, 8, 5), "EEEE d MMMM yyyy 'à' HH'h'mm") == (
        "lundi 1er novembre 2021 à 08h05")
    assert format_fr(date(2021, 12, 1), "dd/MM/yyyy") == "01/12/2021"
