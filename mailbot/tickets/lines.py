"""What one line of ticket text says, whatever the layout.

`classify` turns a line into a `Line`: a leg marker (``ALLER``, ``Retour``,
``Trajet 2``), a travel date, clock times, a station with or without its
time, a station pair (``A → B``, ``A -> B``, ``A / B``, ``De A à B``), a
labelled station (``De : A``, ``Arrivée : B``), prices, fees, totals. Lines
of a mail client's forward header (``De :``/``Date :``/``Objet :``) are
recognised by `chrome_lines` so that their dates are never travel dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mailbot.tickets.dates import find_dates
from mailbot.tickets.money import find_amounts, is_fee_line, is_total_line
from mailbot.tickets.text import TIME

__all__ = ["Line", "chrome_lines", "classify", "is_issue_line", "station_like"]

_TIMES = re.compile(TIME)
_TIMED = re.compile(rf"\(?\s*(?:(?<!\w)[àa]\s+)?{TIME}\s*\)?")
_NUMBER = re.compile(r"\d{3}")  # a train, coach or ticket number: never in a station's name
_MARKER = re.compile(
    r"(?i)^(?:trajet\s+)?(?:aller|retour)\b|^trajet\s*(?:n°\s*)?\d\b|^(?:outward|return)\b")
_NOT_STATION = re.compile(
    r"(?i)^(?:TGV|INOUI|TER|INTERCIT\w*|OUIGO|CAR|BUS|AUTOCAR|TRAIN|TRAM|EUROSTAR|LYRIA|N°|No\b|"
    r"Voiture|Place|Placement|Standard|Business|Op[ée]r[ée]|Classe|\d+(?:re|e|de|nde|[èe]re)\s+classe|Tarif|Prix|Montant|Total|"
    r"D[ée]part|Arriv[ée]e|Correspondance|ALLER|RETOUR|TRAJET|Dur[ée]e|Voyageur|Passager|Carte|"
    r"R[ée]f|REF|PAO|Conditions|[ÉE]mis|Valable|Bonjour|Merci|Date|Heure|Nom|Pr[ée]nom|Billet|"
    r"E-BILLET|Dossier|Siège|Ce\b|Les\b|Vous\b|Votre\b|Bagage|Option|Frais|Assurance|Direct|"
    r"Titulaire|Aucun|Commande|Num[ée]ro|SNCF|VOYAGEURS|Page|Imprim|Pr[ée]sence|Bon voyage|"
    r"Cordialement|Bienvenue|Profitez|Retrouvez|Consultez|Accompagn|Adulte|Enfant)\b")
# when the document was booked or issued; a line with other dates no journey has
_BOOKED_WORDS = (r"[ée]mis|g[ée]n[ée]r[ée]|achet[ée]|command[ée]|commande\s+pass[ée]e|"
                 r"r[ée]serv[ée]\s+le|imprim[ée]")
_BOOKED = re.compile(rf"(?i)\b(?:{_BOOKED_WORDS})")
_ISSUE = re.compile(rf"(?i)\b(?:{_BOOKED_WORDS}|valable\s+(?:jusqu|du)|n[ée]e?\s+le|naissance)")
_REF_LABEL = re.compile(r"(?i)\b(?:REF|PAO|PNR|r[ée]f[ée]rence|dossier)\b\s*:?")
_DATE_WORDS = re.compile(
    r"(?i)\b(?:aller|retour|trajet|date|du|de|le|voyage|d[ée]part|travel|départ\s+le|"
    r"(?:lun|mar|mer|jeu|ven|sam|dim)(?:di|credi|dredi|edi|anche)?)\b\.?|[-:,–—|]|\s+")
_PAIR_SPLIT = re.compile(r"\s+(?:→|->|=>|>|–|—|/|-)\s+|\s*(?:→|->|=>)\s*")
_ARROW = re.compile(r"\s*(?:→|->|=>)\s*|\s+>\s+")  # "Paris Bercy Bourgogne - Pays d'Auvergne" is one name
_DE_A = re.compile(r"(?i)^(?:trajet\s*:?\s*)?de\s+(?P<a>.+?)\s+(?:à|a|vers)\s+(?P<b>.+)$")
_FROM_LABEL = re.compile(
    r"(?i)^(?:de|depuis|origine|gare\s+de\s+d[ée]part|d[ée]part(?:\s+de)?)\s*:\s*(?P<s>.+)$")
_TO_LABEL = re.compile(
    r"(?i)^(?:à|a|vers|destination|gare\s+d.arriv[ée]e|arriv[ée]e(?:\s+[àa])?)\s*:\s*(?P<s>.+)$")
_NOT_PRICE = re.compile(
    r"(?i)\bTVA\b|\bdont\b|\bHT\b|/\s*min\b|\bpar\s+(?:an|mois|minute)\b|[ée]conomis|\bremise\b|"
    r"r[ée]duction|\bcarte\b|[àa] partir de|\bjusqu|\bpromo|\bcr[ée]dit|\bavoir\b|\bbon d.achat")
_PRICE_LABEL = re.compile(r"(?i)\b(?:prix|tarif|billet|montant\s+du\s+(?:trajet|billet)|trajet|aller|retour)\b")
_TRAIN_TAIL = re.compile(
    r"(?i)\s+(?:-\s+|–\s+|\|\s*)|\s+(?=(?:TGV\s+INOUI|INOUI|OUIGO|INTERCIT\w*|TER|TRAIN|Voiture|"
    r"Place|N°|Car)\b)")
# What a removed date or time leaves behind: "Marseille Saint-Charles, le".
_DANGLING = re.compile(r"(?i)(?:[\s,]+(?:le|du|au|à|a|dès))*[\s,]*$")
_SEGMENTS = re.compile(r"\s*[|·•]\s*")
_REMARK = re.compile(r"\s*\([^)]{0,40}\)")
_LABEL_PREFIX = re.compile(r"^[^:\d]{1,30}:\s*(?P<rest>.+)$")
_HEADER = re.compile(
    r"(?i)^(?:de|from|date|envoy[ée]|sent|à|a|to|objet|subject|sujet|pour|cc|cci|r[ée]pondre\s+à)\s*:")
_HEADER_STRONG = re.compile(r"(?i)^(?:objet|subject|sujet|envoy[ée]|sent|from|pour|to)\s*:|@")
_SEPARATOR = re.compile(
    r"(?i)^-{2,}\s*(?:forwarded|message|original)|^d[ée]but du message|^_{10,}|^-{5,}$"
    r"|^(?:le|on)\b.{5,200}(?:a\s+[ée]crit|wrote)\s*:?$")  # "Le mer. 27 oct. 2021 à 09:31, X a écrit :"


@dataclass(slots=True)
class Line:
    """What one line holds (empty fields when it holds nothing of that kind)."""

    text: str
    marker: bool = False
    anchor: date | None = None  # a travel date heading a leg
    day: date | None = None  # a date printed with a stop (``15/07 à 17h50``)
    times: list[str] = field(default_factory=list)
    station: str | None = None  # a station printed with a time on this line
    bare_station: str | None = None  # the line is only a station's name
    pair: tuple[str, str] | None = None
    from_station: str | None = None
    to_station: str | None = None
    price: Decimal | None = None  # a leg's price (not a fee, not a total)
    dashed: bool = False  # the pair was split at a dash only ("A - B"), not at an arrow


def is_issue_line(text: str) -> bool:
    """The line dates the booking, not the journey (``Émis le 05/11/2021``,
    ``12/10/2024 REF : ABC123``)."""
    return bool(_BOOKED.search(text) or _REF_LABEL.search(text))


def station_like(text: str) -> bool:
    """``text`` could be a station's name as printed."""
    text = text.strip()
    if not 2 <= len(text) <= 50 or any(c in text for c in ":@,;!?()") or text[-1] == ".":
        return False
    if _NOT_STATION.match(text) or find_amounts(text) or _TIMES.search(text) or _NUMBER.search(text):
        return False
    if find_dates(text, message_date=date(2000, 1, 1)) or len(text.split()) > 6:
        return False
    letters = sum(c.isalpha() for c in text)
    return letters >= 2 and letters >= len(text) * 0.6 and text[0].isalpha()


def chrome_lines(lines: list[str]) -> set[int]:
    """Indexes of forward-header lines: runs of two or more ``Label :`` lines
    of which one names a sender, subject or address, and separator lines."""
    found: set[int] = set()
    index = 0
    while index < len(lines):
        if _SEPARATOR.match(lines[index]):
            found.add(index)
            index += 1
            continue
        end = index
        while end < len(lines) and _HEADER.match(lines[end]):
            end += 1
        run = range(index, end)
        if len(run) >= 2 and any(_HEADER_STRONG.search(lines[i]) for i in run):
            found.update(run)
        index = max(end, index + 1)
    return found


def _leg_price_line(text: str, start: int, end: int) -> bool:
    """The line prices a journey: not a fee, total, tax or offer, and either
    short around its amount or labelled as a price."""
    if is_fee_line(text) or is_total_line(text) or _NOT_PRICE.search(text):
        return False
    return len(text) - (end - start) <= 30 or bool(_PRICE_LABEL.search(text))


def _pair(text: str, dash: bool = True) -> tuple[str, str] | None:
    labelled = _LABEL_PREFIX.match(text)
    if labelled:  # "Trajet : A → B", "Votre voyage : A -> B"
        text = labelled["rest"]
    m = _DE_A.match(text)
    if m and station_like(m["a"]) and station_like(m["b"]):
        return m["a"].strip(), m["b"].strip()
    parts = [_DANGLING.sub("", _REMARK.sub("", p)) for p in (_PAIR_SPLIT if dash else _ARROW).split(text)]
    if len(parts) == 2 and all(station_like(p) for p in parts):
        return parts[0].strip(), parts[1].strip()
    return None


def _date_dominates(text: str, start: int, end: int) -> bool:
    rest = _DATE_WORDS.sub("", text[:start] + " " + text[end:])
    return len(rest) <= 2


def classify(text: str, *, message_date: date | None) -> Line:
    """Read one (stripped, non-empty) line."""
    line = Line(text)
    line.marker = bool(_MARKER.match(text))
    amounts = find_amounts(text)
    if amounts and _leg_price_line(text, amounts[0].start, amounts[0].end):
        line.price = amounts[0].value
    stripped = _cut(text, [(a.start, a.end) for a in amounts]).strip(" -–")
    dates = [] if _ISSUE.search(text) or _REF_LABEL.search(text) else find_dates(
        stripped, message_date=message_date)
    line.times = [t.replace(" ", "") for t in _TIMES.findall(stripped)]
    if dates:
        if _date_dominates(stripped, dates[0].start, dates[0].end):
            line.anchor = dates[0].value
        elif line.times:
            line.day = dates[0].value
    undated = _cut(stripped, [(d.start, d.end) for d in dates])
    core = _TIMED.sub(" ", undated).strip(" -–")
    if _labelled(line, core):
        return line
    dash = len(line.times) != 1  # "13h16 Paris Bercy Bourgogne - Pays d'Auvergne": one stop
    segments = [seg.strip(" -–") for seg in _SEGMENTS.split(core)]
    line.pair = next((p for seg in segments if (p := _pair(seg, False))), None)
    if line.pair is None and dash:
        line.pair = next((p for seg in segments if (p := _pair(seg, True))), None)
        line.dashed = line.pair is not None
    if line.pair is not None:
        if amounts and not (is_fee_line(text) or is_total_line(text)):
            line.price = amounts[0].value  # "A / B   35,00 EUR": the pair's price
        return line
    if line.times:
        line.station = _station_with_time(undated)
    elif not dates and not amounts and (station_like(bare := _REMARK.sub("", stripped))
                                        or _side_by_side(bare)):
        line.bare_station = bare
    return line


def _side_by_side(text: str) -> bool:
    """Station names printed in columns on one line (runs of spaces between)."""
    parts = re.split(r"\s{2,}", text)
    return 1 < len(parts) <= 8 and all(station_like(p) for p in parts)


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + "  " + text[end:]
    return text


def _labelled(line: Line, core: str) -> bool:
    """``De : A`` / ``Arrivée : 09h45 B`` lines (times already removed)."""
    for pattern in (_FROM_LABEL, _TO_LABEL):
        m = pattern.match(core.strip())
        name = _REMARK.sub("", m["s"]).strip(" -–·|") if m else ""
        if name and station_like(name):
            if pattern is _FROM_LABEL:
                line.from_station = name
            else:
                line.to_station = name
            return True
    return False


def _station_with_time(text: str) -> str | None:
    """The station on a ``06h28 Paris Gare de Lyon`` or ``Paris 06:28`` line."""
    m = _TIMES.search(text)
    if m is None:
        return None
    before = re.sub(r"(?:\s|^)[àa]$", "", text[: m.start()].strip()).strip(" -–")
    before = re.split(r"\s{4,}", before)[-1]
    after = re.split(r"\s{4,}", text[m.end() :].strip(" -–"))[0]
    after = _TRAIN_TAIL.split(after, maxsplit=1)[0]  # "06h28 Paris Gare de Lyon TGV INOUI 6101"
    for candidate in (after, before):
        candidate = _REMARK.sub("", candidate)  # "Paris Gare de Lyon (Hall 1)"
        candidate = " ".join(candidate.split())  # OCR: "BORDEAUX  ST JEAN"
        if candidate and station_like(candidate):
            return candidate
    return None
