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
    with pytest.raises(ConfigError, match=r"config.toml\xa0: \[imap\] password_env\xa0: .*NOPE_PW"):
        config.load(path)


BOT = '[bot]\naddress="a@b.fr"\n'


@pytest.mark.parametrize("body, message", [
    ('[bot]\n', r"\[bot\] address\xa0: manquant \(obligatoire\)"),
    ('[bot]\naddress="x"\n', r"\[bot\] address\xa0: adresse électronique invalide \"x\""),
    ('[bot]\naddress="a b@c.fr"\n', r"adresse électronique invalide"),
    (BOT + '[imap]\nhost="h"\nusername="u"\ntls="tls"\n', r"\[imap\] tls\xa0: \"ssl\" ou \"starttls\" ou \"none\" est attendu, pas \"tls\""),
    (BOT + '[imap]\nhost="h"\nusername="u"\nport=70000\n', r"\[imap\] port\xa0: un port de 1 à 65535"),
    (BOT + '[imap]\nhost="h"\nusername="u"\nport="993"\n', r"\[imap\] port\xa0: un nombre entier est attendu, pas \"993\""),
    (BOT + '[imap]\nhost=""\nusername="u"\n', r"\[imap\] host\xa0: nom de serveur invalide"),
    (BOT + '[imap]\nhost="h"\nusername="u"\nidle_seconds=3600\n', r"idle_seconds\xa0: au plus 1740 est attendu"),
    (BOT + '[imap]\nhost="h"\nusername="u"\npoll_seconds=0\n', r"poll_seconds\xa0: au moins 1"),
    (BOT + '[imap]\nhost="h"\nusername="u"\npassword="p"\npassword_env="P"\n', r"password\xa0: donnez password ou password_env"),
    (BOT + 'foo=1\n', r"\[bot\] foo\xa0: clé inconnue"),
    (BOT + '[nope]\nx=1\n', r"\[nope\]\xa0: section inconnue"),
    (BOT + 'cotech = "x"\n', r"\[bot\] cotech\xa0: clé inconnue"),
    ('cotech = "x"\n' + BOT, r"cotech\xa0: une section \[cotech\] est attendue"),
    (BOT + 'timezone="Mars/Olympus"\n', r"timezone\xa0: fuseau horaire inconnu « Mars/Olympus »"),
    (BOT + 'timezone=1\n', r"timezone\xa0: un texte entre guillemets est attendu, pas 1"),
    (BOT + 'max_replies_per_address_per_day=-1\n', r"max_replies_per_address_per_day\xa0: au moins 0"),
    (BOT + 'max_replies_per_address_per_day=true\n', r"un nombre entier est attendu, pas true"),
    (BOT + 'database="not a url"\n', r"\[bot\] database\xa0: adresse de base invalide"),
    (BOT + 'data_dir=""\n', r"\[bot\] data_dir\xa0: chemin vide"),
    (BOT + '[cotech]\ndigest_cron="every monday"\n', r"digest_cron\xa0: « every monday » : il faut 5 champs"),
    (BOT + '[cotech]\ndigest_cron="0 25 * * mon"\n', r"\[cotech\] digest_cron\xa0: « 0 25 \* \* mon » : heure « 25 » impossible \(permis : 0 à 23"),
    (BOT + '[cotech]\ndigest_cron="0 8 * * lunedi"\n', r"jour de la semaine « lunedi » impossible"),
    (BOT + '[cotech]\nrecipients="a@b.fr"\n', r"recipients\xa0: une liste \[ ... \] est attendu"),
    (BOT + '[cotech]\nrecipients=["a@b.fr", "nobody"]\n', r"recipients\xa0: adresse électronique invalide \"nobody\""),
    (BOT + '[cotech]\nrecipients=[1]\n', r"recipients\xa0: une adresse électronique est attendue, pas 1"),
    (BOT + '[proofs]\nfee_eur="six cents"\n', r"fee_eur\xa0: un montant en euros est attendu"),
    (BOT + '[proofs]\nfee_eur=-600\n', r"fee_eur\xa0: un montant positif"),
    (BOT + '[proofs]\ncomplete_when=[["nonsense"]]\n', r"nature de justificatif inconnue \"nonsense\""),
    (BOT + '[proofs]\ncomplete_when=[[1]]\n', r"complete_when\xa0: alternative invalide 1"),
    (BOT + '[reminders]\nafter_days=0\n', r"\[reminders\] after_days\xa0: au moins 1"),
    (BOT + '[reminders]\nmax_count=-1\n', r"\[reminders\] max_count\xa0: au moins 0"),
    (BOT + '[subscriptions]\ntoken_days=1.5\n', r"token_days\xa0: un nombre entier est attendu"),
    (BOT + '[refresh]\nreminder_days=[7, 0]\n', r"reminder_days\xa0: une liste de nombres de jours"),
    (BOT + '[refresh]\nreminder_days=[7, 14]\ndeadline_days=10\n', r"deadline_days\xa0: l'échéance \(10 jours\) doit venir après la dernière relance \(14 jours\)"),
    (BOT + '[refresh]\nstart="mars"\n', r"start\xa0: une date AAAA-MM-JJ est attendu, pas \"mars\""),
    (BOT + '[bounces]\nthreshold=0\n', r"threshold\xa0: au moins 0.1"),
    (BOT + '[paths]\nrules="nowhere"\n', r"\[paths\] rules\xa0: dossier introuvable"),
    (BOT + '[paths]\ntemplates=""\n', r"\[paths\] templates\xa0: chemin vide"),
    (BOT + '[paths]\nother="x"\n', r"\[paths\] other\xa0: clé inconnue"),
    (BOT + '[web]\nlisten="8025"\n', r"\[web\] listen\xa0: hôte:port est attendu"),
    (BOT + '[web]\nbase_url="qpv.fr"\n', r"\[web\] base_url\xa0: une adresse http\(s\)://"),
    (BOT + '[web]\nallow=["x"]\n', r"\[web\] allow\xa0: adresse électronique invalide"),
    (BOT + '[web]\nin_daemon="yes"\n', r"\[web\] in_daemon\xa0: true ou false est attendu"),
    (BOT + '[web]\nport=1\n', r"\[web\] port\xa0: clé inconnue"),
    ('[bot\n', r"TOML invalide"),
])
def test_invalid_values_are_named(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        config.load(write(tmp_path, body))
    assert str(err.value).startswith(str(tmp_path / "config.toml"))


def test_web_section(tmp_path: Path) -> None:
    s = config.load(write(tmp_path, BOT))
    assert s.web.listen == "127.0.0.1:8025" and not s.web.in_daemon
    s = config.load(write(tmp_path, BOT + '[web]\nlisten="0.0.0.0:9000"\n'
                                          'base_url="https://qpv.fr/"\nallow=["T@X.fr"]\n'
                                          'in_daemon=true\nsecret_env="S"\n'))
    assert (s.web.port, s.web.base_url, s.web.allow, s.web.in_daemon, s.web.secret_env) == (
        9000, "https://qpv.fr", ("t@x.fr",), True, "S")


def test_french_day_names_are_accepted(tmp_path: Path) -> None:
    s = config.load(write(tmp_path, BOT + '[cotech]\ndigest_cron="0 8 * * lundi"\n'))
    assert s.cotech.digest_cron == "0 8 * * mon"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="fichier introuvable"):
        config.load(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="c'est un dossier"):
        config.load(tmp_path)


def test_data_dir_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ConfigError, match=r"\[bot\] data_dir\xa0: .*n'est pas un dossier"):
        config.load(write(tmp_path, BOT + 'data_dir="afile/data"\n'))


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    s = config.load(write(tmp_path, '[bot]\naddress="a@b.fr"\n[source]\nmaildir="mail"\n'))
    assert s.source.maildir == (tmp_path / "mail").resolve()
    assert s.bot.data_dir == (tmp_path / "data").resolve()
    assert s.imap is None and s.smtp is None


def test_rules_and_templates_default_to_the_shipped_ones(tmp_path: Path) -> None:
    s = config.load(write(tmp_path, BOT))
    assert s.rules_dir is None and s.rules_dirs == (ROOT / "rules",)
    assert s.templates_dirs == (ROOT / "templates",)
    (tmp_path / "mine").mkdir()
    s = config.load(write(tmp_path, BOT + '[paths]\nrules="mine"\n'))
    assert s.rules_dirs == (tmp_path / "mine", ROOT / "rules")
