"""Email templates: Jinja2 over templates/<lang>/<kind>/, French filters from babel.

Each kind has `subject.txt.j2`, `body.txt.j2` and optionally `body.html.j2`
(autoescaped). Filters: `eur` (67,00 €), `date_fr` (mercredi 17 novembre 2021),
`datetime_fr`, `date_short`. Undefined variables are errors, not blanks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from babel.numbers import format_currency, format_decimal

from mailbot.errors import TemplateError
from mailbot.frdates import format_fr

LOCALE = "fr_FR"
_SPACES = re.compile(r"[ \t\r\n]+")  # not str.split(): no-break spaces must stay


@dataclass(frozen=True)
class Rendered:
    """A rendered mail: subject, plain text, optional HTML."""

    subject: str
    text: str
    html: str | None


def eur(value: Decimal | str | float | int | None) -> str:
    """67 -> '67,00 €' (no-break spaces as French typography wants)."""
    if value is None or value == "":
        return "—"
    return _eur(str(value))


@lru_cache(maxsize=1024)
def _eur(value: str) -> str:  # babel takes 0.2 ms a call; a digest shows the same sums often
    return format_currency(Decimal(value), "EUR", locale=LOCALE)


def number_fr(value: Decimal | str | float | int) -> str:
    return format_decimal(Decimal(str(value)), locale=LOCALE)


class Renderer:
    """Renders one kind of mail in one language from the templates directory."""

    def __init__(self, templates_dir: Path | Sequence[Path],
                 timezone: str = "Europe/Paris") -> None:
        # several folders: the first that has a file wins (the operator's, then the shipped)
        self.dirs = (templates_dir,) if isinstance(templates_dir, Path) else tuple(templates_dir)
        for folder in self.dirs:
            if not folder.is_dir():
                raise TemplateError(f"{folder}: templates directory not found")
        self.dir = self.dirs[-1]
        self.tz = ZoneInfo(timezone)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "html"),
                                                default_for_string=False),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            eur=eur, number_fr=number_fr, date_fr=self.date_fr,
            datetime_fr=self.datetime_fr, date_short=self.date_short,
        )

    def _local(self, value: date | datetime) -> date | datetime:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(self.tz)
        return value

    def date_fr(self, value: date | datetime | str | None) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return format_fr(self._local(value), "full")

    def date_short(self, value: date | datetime | str | None) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        return format_fr(self._local(value), "d MMMM yyyy")

    def datetime_fr(self, value: datetime | None) -> str:
        if value is None:
            return "—"
        return format_fr(self._local(value), "EEEE d MMMM yyyy 'à' HH'h'mm")

    def has_file(self, name: str) -> bool:
        """Whether a template file of this relative name exists in any folder."""
        return any((folder / name).is_file() for folder in self.dirs)

    def has(self, kind: str, lang: str = "fr") -> bool:
        return self.has_file(f"{lang}/{kind}/body.txt.j2")

    def render(self, kind: str, lang: str = "fr", **context: Any) -> Rendered:
        """Render subject, text and (when present) HTML of a kind."""
        base = f"{lang}/{kind}"
        try:
            subject = self.env.get_template(f"{base}/subject.txt.j2").render(**context)
            text = self.env.get_template(f"{base}/body.txt.j2").render(**context)
            html = None
            if self.has_file(f"{base}/body.html.j2"):
                html = self.env.get_template(f"{base}/body.html.j2").render(**context)
        except jinja2.TemplateNotFound as err:
            where = ", ".join(str(d) for d in self.dirs)
            raise TemplateError(f"template {err.name} not found under {where}") from err
        except jinja2.TemplateError as err:
            raise TemplateError(f"template {base}: {err}") from err
        return Rendered(_SPACES.sub(" ", subject).strip(" "), text, html)

    def kinds(self, lang: str = "fr") -> list[str]:
        return sorted({p.parent.name for folder in self.dirs
                       for p in (folder / lang).glob("*/body.txt.j2")})
