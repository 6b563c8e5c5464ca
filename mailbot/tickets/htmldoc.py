"""A small, tolerant reading of ticket emails' HTML (stdlib only).

`parse_html` makes one pass with `html.parser.HTMLParser` and returns:

* ``text``: a line-oriented rendering (block elements and table cells end
  lines; scripts and styles dropped), normalised like PDF text;
* ``by_data_select``: the text of every element carrying a ``data-select``
  attribute, by attribute value, in document order (SNCF Connect marks its
  booking summary with ``data-select="travel-summary-origin"`` etc.);
* ``by_class``: the same for a few CSS classes (`WANTED_CLASSES`);
* ``strong``: the text of ``<strong>``/``<b>`` elements (OUIGO puts the
  booking reference in the second one);
* ``json_ld``: the raw content of ``application/ld+json`` scripts.

It never raises: on a parser failure it falls back to stripping tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

from mailbot.tickets.text import normalize

__all__ = ["HtmlDoc", "MAX_HTML_CHARS", "WANTED_CLASSES", "parse_html"]

#: HTML beyond this many characters is ignored.
MAX_HTML_CHARS = 2_000_000

#: CSS classes whose text is collected.
WANTED_CLASSES = frozenset({"transaction__total-amount-value"})

_BLOCK = frozenset(
    {"p", "div", "br", "tr", "td", "th", "li", "ul", "ol", "table", "tbody", "thead",
     "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer",
     "blockquote", "hr", "dt", "dd", "pre", "title"}
)  # fmt: skip
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip
_SKIP = frozenset({"script", "style", "head"})


@dataclass(slots=True)
class HtmlDoc:
    """What `parse_html` read; see the module documentation."""

    text: str = ""
    by_data_select: dict[str, list[str]] = field(default_factory=dict)
    by_class: dict[str, list[str]] = field(default_factory=dict)
    strong: list[str] = field(default_factory=list)
    json_ld: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Capture:
    kind: str  # "ds", "class", "strong", "jsonld"
    key: str
    tag: str
    depth: int = 0
    parts: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.captures: list[_Capture] = []
        self.doc = HtmlDoc()
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for capture in self.captures:
            if capture.tag == tag:
                capture.depth += 1
        if tag in _BLOCK:
            self.out.append("\n")
        if tag in _VOID:
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script" and "ld+json" in values.get("type", "").lower():
            self.captures.append(_Capture("jsonld", "", tag))
            return
        if tag in _SKIP:
            self.skip_depth += 1
            return
        if values.get("data-select"):
            self.captures.append(_Capture("ds", values["data-select"].strip(), tag))
        for css in values.get("class", "").split():
            if css in WANTED_CLASSES:
                self.captures.append(_Capture("class", css, tag))
        if tag in ("strong", "b"):
            self.captures.append(_Capture("strong", "", tag))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        json_open = any(c.kind == "jsonld" for c in self.captures)
        if tag in _SKIP and self.skip_depth and not (tag == "script" and json_open):
            self.skip_depth -= 1
        if tag in _BLOCK:
            self.out.append("\n")
        still_open: list[_Capture] = []
        for capture in self.captures:
            if capture.tag != tag:
                still_open.append(capture)
            elif capture.depth > 0:
                capture.depth -= 1
                still_open.append(capture)
            else:
                self._close(capture)
        self.captures = still_open

    def handle_data(self, data: str) -> None:
        for capture in self.captures:
            capture.parts.append(data)
        if not self.skip_depth and not any(c.kind == "jsonld" for c in self.captures):
            self.out.append(data)

    def _close(self, capture: _Capture) -> None:
        raw = "".join(capture.parts)
        if capture.kind == "jsonld":
            self.doc.json_ld.append(raw)
            return
        value = " ".join(normalize(raw).split())
        if capture.kind == "ds":
            self.doc.by_data_select.setdefault(capture.key, []).append(value)
        elif capture.kind == "class":
            self.doc.by_class.setdefault(capture.key, []).append(value)
        else:
            self.doc.strong.append(value)

    def finish(self) -> HtmlDoc:
        for capture in self.captures:
            self._close(capture)
        self.captures = []
        self.doc.text = _tidy("".join(self.out))
        return self.doc


def _tidy(text: str) -> str:
    return "\n".join(line for line in normalize(text).split("\n") if line)


def parse_html(html: str) -> HtmlDoc:
    """Read ``html`` (see the module documentation). Never raises."""
    html = html[:MAX_HTML_CHARS]
    if not html.strip():
        return HtmlDoc()
    reader = _Reader()
    try:
        reader.feed(html)
        reader.close()
        return reader.finish()
    except Exception:  # noqa: BLE001 - malformed HTML must not stop the robot
        stripped = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", html)
        stripped = re.sub(r"(?i)<br\s*/?>|</(?:p|div|tr|td|li|h\d)>", "\n", stripped)
        return HtmlDoc(text=_tidy(unescape(re.sub(r"<[^>]*>", " ", stripped))))
