"""HTML bodies as readable text: a small stdlib ``HTMLParser`` converter.

Drops ``<head>``, ``<style>``, ``<script>``; one line per ``<br>``/``<p>``/``<div>``/
``<tr>``/``<li>``; ``<blockquote>`` content prefixed with ``> `` so that quote
detection (`mailbot.mime.forwards`) works on HTML mail too. Never raises.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    "p div tr li br h1 h2 h3 h4 h5 h6 table ul ol dl dt dd blockquote pre hr address section "
    "article header footer center form fieldset".split()
)
_SKIPPED = frozenset({"style", "script", "title", "template", "head"})
_WS = re.compile(r"[ \t\r\n\f]+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.quote = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.skip = 0  # a <head> never closed
        elif tag in _SKIPPED:
            self.skip += 1
        elif tag == "br":
            self.flush(force=True)
        elif tag in _BLOCKS:
            self.flush()
            self.quote += tag == "blockquote"
            self.pre += tag == "pre"
            if tag == "li":
                self.current.append("- ")
        elif tag in ("td", "th") and self.current:
            self.current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCKS:
            self.flush()
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre:
            self.current.append(_WS.sub(" ", data))
            return
        chunks = data.replace("\r\n", "\n").split("\n")
        for chunk in chunks[:-1]:
            self.current.append(chunk)
            self.flush(force=True)
        self.current.append(chunks[-1])

    def flush(self, force: bool = False) -> None:
        raw = "".join(self.current)
        line = raw.strip()
        self.current = []
        if line or force or "\u00a0" in raw:  # Outlook's blank line: <p><o:p>&nbsp;</o:p></p>
            self.lines.append(("> " * self.quote + line).rstrip())


def html_to_text(html: str) -> str:
    """Readable text from an HTML body; never raises (falls back to stripping tags)."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
        parser.flush()
        text = "\n".join(parser.lines)
    except Exception:  # HTMLParser on hostile markup: a crude but safe fallback
        text = re.sub(r"<[^>]*>", " ", re.sub(r"(?is)<(style|script|head)\b.*?</\1\s*>", " ", html))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
