"""Server-rendered pages: the Jinja2 environment over mailbot/web/templates/ and the
response helpers. Autoescaping is on for every template: a subject, a file name or
a header is always shown as text.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date, format_datetime
from starlette.requests import Request
from starlette.responses import HTMLResponse

from mailbot.proofs.labels import label
from mailbot.mail.render import LOCALE, eur
from mailbot.web.context import web
from mailbot.web.session import Visitor

NAV = (("tableau", "/", "Tableau de bord"), ("dossiers", "/dossiers", "Dossiers"),
       ("traiter", "/a-traiter", "À traiter"), ("membres", "/membres", "Membres"),
       ("liste", "/liste", "La liste"), ("taches", "/taches", "Tâches"))
ACTIONS = {"signin": "connexion", "signout": "déconnexion", "attach": "rattachement",
           "replay": "nouveau traitement", "dismiss": "écarté", "retag": "reclassement",
           "export": "export ZIP"}
FLASH = {  # ?ok=<code> after an action: only these texts can be shown
    "attache": "Le message a été rattaché au membre et traité de nouveau.",
    "retraite": "Le message a été traité de nouveau.",
    "ecarte": "Le message a été écarté.",
    "tag": "Le fil a été reclassé.",
    "introuvable": "Le message est introuvable dans sa boîte : il n'a pas pu être traité de nouveau.",
    "deja": "Ce message a déjà été traité par ailleurs.",
    "erreur": "L'action n'a pas abouti ; elle est consignée dans le journal.",
}


def kilobytes(size: int) -> str:
    """5 427 -> '5,3\u00a0Ko'."""
    return f"{size / 1024:.1f}".replace(".", ",") + "\u00a0Ko"


@lru_cache(maxsize=4)
def environment(timezone: str) -> jinja2.Environment:
    tz = ZoneInfo(timezone)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mailbot.web", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True)

    @lru_cache(maxsize=4096)  # babel takes ~0.2 ms a call; a page shows hundreds of dates
    def when(value: datetime | None) -> str:
        if value is None:
            return "—"
        return format_datetime(value.astimezone(tz), "d MMM yyyy HH'h'mm", locale=LOCALE)

    @lru_cache(maxsize=4096)
    def day(value: date | datetime | str | None) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        if isinstance(value, datetime):
            value = value.astimezone(tz).date()
        return format_date(value, format="d MMM yyyy", locale=LOCALE)

    env.filters.update(eur=eur, when=when, day=day, kind=label,
                       action=lambda name: ACTIONS.get(name, name), ko=kilobytes)
    return env


def page(request: Request, visitor: Visitor, template: str, status: int = 200,
         **context: Any) -> HTMLResponse:
    """Render a page for the visitor (navigation, CSRF token, flash message)."""
    ctx = web(request)
    env = environment(ctx.services.settings.bot.timezone)
    html = env.get_template(template).render(
        me=visitor.email, csrf=visitor.csrf, nav=NAV, flash=FLASH.get(request.query_params.get("ok", ""), ""),
        **context)
    response = HTMLResponse(html, status_code=status)
    if visitor.fresh:
        ctx.sessions.write(response, visitor)
    return response
