"""schema.org microdata (``itemscope``/``itemtype``/``itemprop``) of an HTML mail.

Some booking mails mark their reservations with microdata instead of JSON-LD.
`microdata_items` returns the top-level items as JSON-LD-shaped dicts
(``{"@type": "TrainReservation", "reservationNumber": ..., ...}``) so that
`mailbot.tickets.jsonld` reads both the same way. Values are the ``content``,
``datetime``, ``href`` or ``src`` attribute when present, else the element's
text. Never raises; bounded by `MAX_ITEMS`.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

__all__ = ["MAX_ITEMS", "microdata_items"]

MAX_ITEMS = 200
_VOID = frozenset({"meta", "link", "img", "br", "hr", "input", "source", "area", "base", "col",
                   "embed", "track", "wbr"})


class _Frame:
    def __init__(self, tag: str, item: dict[str, Any] | None, prop: str | None) -> None:
        self.tag, self.item, self.prop = tag, item, prop
        self.text: list[str] = []


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Frame] = []
        self.items: list[dict[str, Any]] = []
        self.count = 0

    def _owner(self) -> dict[str, Any] | None:
        for frame in reversed(self.stack):
            if frame.item is not None:
                return frame.item
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        prop = values.get("itemprop") or None
        item: dict[str, Any] | None = None
        if "itemscope" in values and self.count < MAX_ITEMS:
            self.count += 1
            kind = values.get("itemtype", "").rstrip("/").rsplit("/", 1)[-1]
            item = {"@type": kind}
            owner = self._owner()
            if prop and owner is not None:
                owner[prop] = item
            elif owner is None:
                self.items.append(item)
            prop = None
        if prop:
            direct = next((values[a] for a in ("content", "datetime", "href", "src") if a in values), None)
            if direct is not None or tag in _VOID:
                owner = self._owner()
                if owner is not None:
                    owner.setdefault(prop, (direct or "").strip())
                prop = None
        if tag in _VOID:
            return
        self.stack.append(_Frame(tag, item, prop))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            frame = self.stack.pop()
            if frame.prop:
                owner = self._owner()
                if owner is not None:
                    owner.setdefault(frame.prop, " ".join("".join(frame.text).split()))
            if frame.tag == tag:
                return

    def handle_data(self, data: str) -> None:
        for frame in self.stack:
            if frame.prop:
                frame.text.append(data)


def microdata_items(html: str) -> list[dict[str, Any]]:
    """The top-level microdata items of ``html`` (see the module docstring)."""
    if "itemscope" not in html.lower():
        return []
    reader = _Reader()
    try:
        reader.feed(html)
        reader.close()
    except Exception:  # noqa: BLE001 - malformed HTML must not stop the robot
        pass
    return reader.items
