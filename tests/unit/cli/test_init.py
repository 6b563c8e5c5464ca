"""`mailbot init DIR`, and the shipped rules and templates with an operator's overrides."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from mailbot import shipped
from mailbot.cli import main
from mailbot.cli.init import config_text

ROOT = Path(__file__).resolve().parents[3]


def test_shipped_folders_are_the_clones_in_a_checkout() -> None:
    assert shipped.shipped("rules") == ROOT / "rules"
    assert shipped.shipped("templates") == ROOT / "templates"
    assert shipped.example_config() == (ROOT / "config.example.toml").read_text(encoding="utf-8")


def test_an_operators_file_replaces_the_shipped_one_of_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "20-tags.toml").write_text("schema = 1\n", encoding="utf-8")
    (tmp_path / "90-mine.toml").write_text("schema = 1\n", encoding="utf-8")
    files = shipped.overlay("rules", tmp_path, "*.toml")
    assert files["20-tags.toml"] == tmp_path / "20-tags.toml"
    assert files["90-mine.toml"] == tmp_path / "90-mine.toml"
    assert files["10-classify.toml"] == ROOT / "rules" / "10-classify.toml"
    assert list(files) == sorted(files)
    assert shipped.layers("rules", None) == (ROOT / "rules",)
    assert shipped.layers("rules", ROOT / "rules") == (ROOT / "rules",)


def test_init_writes_a_config_with_absolute_paths(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "etc"
    assert main(["init", str(target), "--data-dir", str(tmp_path / "var")]) == 0
    text = (target / "config.toml").read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    assert doc["bot"]["data_dir"] == str(tmp_path / "var")
    assert "paths" not in doc and "# [paths]" in text
    assert "name the environment variable" in text  # the comments stay
    assert not (target / "rules").exists()
    assert "config.toml" in capsys.readouterr().out


def test_init_copy_fills_paths_and_never_overwrites(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "etc"
    assert main(["init", str(target), "--copy"]) == 0
    doc = tomllib.loads((target / "config.toml").read_text(encoding="utf-8"))
    assert doc["bot"]["data_dir"] == str(target / "data")
    assert doc["paths"] == {"rules": str(target / "rules"), "templates": str(target / "templates")}
    assert (target / "rules" / "10-classify.toml").is_file()
    assert (target / "templates" / "fr" / "proof_ack" / "body.txt.j2").is_file()
    capsys.readouterr()
    before = (target / "config.toml").read_bytes()
    assert main(["init", str(target)]) == 2
    assert "existe déjà" in capsys.readouterr().err
    assert (target / "config.toml").read_bytes() == before


def test_config_text_needs_the_example_lines() -> None:
    with pytest.raises(ValueError):
        config_text("[bot]\n", Path("/x"), None)
    with pytest.raises(ValueError):
        config_text('data_dir = "data"\n', Path("/x"), Path("/etc/mailbot"))


def test_rules_and_templates_read_through_the_overlay(tmp_path: Path) -> None:
    from datetime import date

    from mailbot.decide.facts import FIELDS
    from mailbot.decide.rules import load_rules
    from mailbot.mail.render import Renderer

    shipped_rules = load_rules((ROOT / "rules",), FIELDS)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "20-tags.toml").write_text(
        'schema = 1\nstage = "tag"\n[[rule]]\nname = "mine"\nresult = "GO"\n'
        'any = [{ field = "subject", regex = "zzz" }]\n', encoding="utf-8")
    mine = load_rules((rules, ROOT / "rules"), FIELDS)
    names = {r.name for r in mine.rules}
    assert "mine" in names
    assert len(mine.stage("tag")) == 1  # the shipped 20-tags.toml is replaced, not added to
    assert len(mine.stage("classify")) == len(shipped_rules.stage("classify"))

    templates = tmp_path / "templates" / "fr" / "help"
    templates.mkdir(parents=True)
    (templates / "subject.txt.j2").write_text("[QPV] Mon aide\n", encoding="utf-8")
    renderer = Renderer((tmp_path / "templates", ROOT / "templates"))
    mine_subject = renderer.env.get_template("fr/help/subject.txt.j2")
    assert mine_subject.render().strip() == "[QPV] Mon aide"
    body = renderer.env.get_template("fr/help/body.txt.j2").filename or ""
    assert body.startswith(str(ROOT / "templates"))
    assert renderer.kinds() == Renderer(ROOT / "templates").kinds()
    assert renderer.date_fr(date(2021, 11, 1)) == "lundi 1er novembre 2021"
