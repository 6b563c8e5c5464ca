"""Checks of single config values, each saying in French what is wrong.

Pure functions used by the config reader (`mailbot.config`): each takes the
raw value and returns the clean one, or raises `ValueError` whose text says
what is wrong and what is allowed; the reader adds the file, section and key.

* `cron` — a 5-field crontab expression, checked field by field with the
  scheduler's own trigger (`mailbot.jobs.timing.cron_trigger`); French day
  names (lundi, lun., ...) are accepted and written as the English ones.
* `timezone` — an IANA zone name ("Europe/Paris").
* `amount` — euros as a decimal ("600.00", 600, "600,00"), positive, two decimals.
* `writable_dir` — a folder the daemon can create and write.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from mailbot.jobs.timing import cron_trigger, weekdays

FRENCH_DAYS = {
    "lundi": "mon", "lun": "mon", "mardi": "tue", "mar": "tue", "mercredi": "wed", "mer": "wed",
    "jeudi": "thu", "jeu": "thu", "vendredi": "fri", "ven": "fri", "samedi": "sat",
    "sam": "sat", "dimanche": "sun", "dim": "sun",
}
#: field name for APScheduler, French name, what is allowed
CRON_FIELDS = (
    ("minute", "minute", "0 à 59"),
    ("hour", "heure", "0 à 23"),
    ("day", "jour du mois", "1 à 31"),
    ("month", "mois", "1 à 12, ou jan à dec"),
    ("day_of_week", "jour de la semaine",
     "0 à 7 (0 et 7 : dimanche), mon à sun, ou lundi à dimanche"),
)
_FORMS = "une valeur, *, une liste a,b, un intervalle a-b ou un pas */n"
_WORD = re.compile(r"[^\W\d_]+\.?", re.UNICODE)


def french_days(field: str) -> str:
    """'lundi-vendredi' -> 'mon-fri'; English names and numbers are left as they are."""
    def one(m: re.Match[str]) -> str:
        word = m.group(0).rstrip(".").lower()
        return FRENCH_DAYS.get(word, m.group(0))

    return _WORD.sub(one, field)


def cron(expr: str, timezone: str = "UTC") -> str:
    """A valid 5-field crontab expression (French day names made English)."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"« {expr} » : il faut 5 champs (minute heure jour mois "
                         f"jour-de-la-semaine), par exemple « 0 8 * * mon », "
                         f"pas {len(fields)}")
    fields[4] = french_days(fields[4])
    for (name, label, allowed), value in zip(CRON_FIELDS, fields, strict=True):
        try:
            CronTrigger(**{name: weekdays(value) if name == "day_of_week" else value},
                        timezone="UTC")
        except (ValueError, TypeError) as err:
            raise ValueError(f"« {expr} » : {label} « {value} » impossible "
                             f"(permis : {allowed} ; {_FORMS})") from err
    clean = " ".join(fields)
    try:
        cron_trigger(clean, timezone)
    except (ValueError, TypeError) as err:
        raise ValueError(f"« {expr} » : expression refusée ({err})") from err
    return clean


def timezone(name: str) -> str:
    """An IANA time zone name."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"fuseau horaire inconnu « {name} » (par exemple « Europe/Paris »)"
                         ) from err
    return name


def amount(value: object) -> str:
    """A positive amount in euros, as '600.00'."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"un montant en euros est attendu, par exemple \"600.00\", pas {value!r}")
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    text = text.removesuffix("€")
    try:
        number = Decimal(text)
    except InvalidOperation as err:
        raise ValueError(f"un montant en euros est attendu, par exemple \"600.00\", "
                         f"pas {value!r}") from err
    if not number.is_finite() or number < 0:
        raise ValueError(f"un montant positif est attendu, pas {value!r}")
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(f"au plus deux décimales (centimes), pas {value!r}")
    return format(number.quantize(Decimal("0.01")), "f")


def writable_dir(path: Path) -> Path:
    """A folder that exists (or can be made) and that this process can write."""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise ValueError(f"{probe} n'est pas un dossier")
    if not os.access(probe, os.W_OK | os.X_OK):
        who = _user()
        what = "ce dossier" if probe == path else f"{probe}, où le créer,"
        raise ValueError(f"{path} : {what} n'est pas accessible en écriture{who}")
    return path


def _user() -> str:
    try:
        import pwd

        return f" pour l'utilisateur {pwd.getpwuid(os.geteuid()).pw_name}"
    except (ImportError, KeyError):
        return ""
