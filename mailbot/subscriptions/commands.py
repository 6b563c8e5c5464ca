"""Free-text commands, French and English: what a person asked, read from the
subject and the first lines of the NEW text only.

`Incoming.text` already holds the new text (quotes and forwards removed, HTML
converted when there is no plain part). Here we strip "Re:"/"TR:" and list
tags from the subject, cut the text at the signature or the closing formula,
keep the first `MAX_LINES` non-empty lines, and look for cues. Pure: strings
in, a small verdict out; the handler decides what to do with it.

Sympa's own syntax mailed to the bot (`SUB qpv-hpf Name`, `SIGNOFF qpv-hpf`,
`UNSUBSCRIBE qpv-hpf`, `SUBSCRIBE qpv-hpf`, `DEL qpv-hpf x@y`, with or without
`QUIET`) is read first, as the same requests, when it names our list; naming
another list it is no command of ours ("unknown").

Priority when several cues appear: a change of address that names an address,
then unsubscribe, then a change of address without one (we ask for it), then
subscribe, then help; nothing clear gives "unknown" (the handler sends help,
it never guesses).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_LINES = 10
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
SUBJECT_PREFIX = re.compile(
    r"^\s*((re|tr|fw|fwd|aw|wg|sv|r|réf|ref)\s*(\[\d+\])?\s*:\s*|\[[^\]]{1,40}\]\s*)+", re.I)
SIGNATURE = re.compile(
    r"^(--\s*|__+|-{3,}.*|(bien )?cordialement[ ,.!]*|bien [àa] (vous|toi)[ ,.!]*|"
    r"bonne (journ[ée]e|soir[ée]e)[ ,.!]*|(best |kind )?regards[ ,.!]*|"
    r"(envoy[ée] de|sent from) .*|merci( (d'avance|par avance|beaucoup))?[ ,.!]*|"
    r"thanks?( you)?[ ,.!]*|le .{5,80} a [ée]crit ?:|on .{5,80} wrote:)$", re.I)

UNSUB = re.compile(
    r"(d[ée]s-?inscri|d[ée]s-?abonn|\bunsubscribe\b|\bsign-?off\b|\bsignoff\b|"
    r"ne (plus|pas) (re[çc]evoir|[êe]tre (inscrit|abonn))|plus (re[çc]evoir|[êe]tre (inscrit|abonn))|"
    r"\b(me|nous) (retirer|supprimer|enlever|radier)\b|retirer (mon|notre) (adresse|nom)|"
    r"\bremove me\b|\btake me off\b|quitter la liste|^stop[ .!]*$)")
SUB = re.compile(
    r"(\binscri(re|s|t|te|ts|tes|ption)\b|\bsubscribe\b|\bm'?abonner\b|"
    r"\bajout(er|ez)? (mon adresse|moi|mon nom)\b|[êe]tre ajout[ée]|\badd me\b|"
    r"\b(ajouter|ajoutez|inscrire|inscrivez)\b[^.]{0,60}@|\badd [^ ]+@|"
    r"\bjoin (the|your) (mailing )?list\b|rejoindre la liste|recevoir les (messages|mails|courriels))")
CHANGE = re.compile(
    r"(nouvelle adresse|changement d'adresse|chang(e|é|er|ement|é) (d'|de mon |mon )?(adresse|e-?mail|mail|courriel)|"
    r"nouvel (e-?mail|adresse)|nouveau (mail|courriel|e-?mail)|new (e-?mail )?address|"
    r"change (of|my) (e-?mail )?address|rempla[cç](er|ez|ant|e) par|d[ée]sormais|dor[ée]navant|"
    r"[àa] la place de|plut[ôo]t|utiliser (cette|l'adresse|mon adresse))")
HELP = re.compile(r"^(aide|help|\?|commandes?|info|comment (me )?(d[ée]s)?inscrire.*)$")
KEEP = re.compile(
    r"(^(ok|okay|oui|yes|yep|d'accord|c'est bon|parfait|confirm[ée]?|je confirme|correct|exact|"
    r"valid[ée]?|toujours)\b|toujours (la )?bonne|toujours valable|toujours d'actualit|"
    r"toujours (la m[êe]me|valide|correcte|active)|inchang[ée]|reste (la m[êe]me|valable)|"
    r"je (la |vous )?confirme|adresse (est )?(correcte|bonne|valide)|pas chang[ée]|"
    r"still (valid|correct|good|the same|current)|is correct|keep (it|this|my))")
REFUSE = re.compile(
    r"(^(non|no|nope)\b|pas moi|ce n'est pas moi|pas [àa] l'origine|n'ai (rien|pas) demand|"
    r"\bannul|\bcancel|not me|did ?n[o']t (ask|request)|never (asked|requested))")
LIST_COMMAND = re.compile(  # only leaving: a short "inscription" post is likely an event
    r"^(unsubscribe|signoff|sig(noff)? qpv-hpf|d[ée]sinscription|d[ée]sabonnement|stop|"
    r"(merci de |je (veux|voudrais|souhaite|souhaiterais) )?"
    r"(me )?(d[ée]sinscrire|d[ée]sabonner|retirer de la liste))[ .!]*$")


SYMPA = re.compile(
    r"^(quiet\s+)?(?P<verb>sub|subscribe|sig|signoff|unsub|unsubscribe|del|delete)\s+"
    r"(?P<list>[a-z0-9][\w.+-]*(@[\w.-]+)?)(?P<rest>(\s.*)?)$")
SYMPA_ACTIONS = {"sub": "subscribe", "subscribe": "subscribe", "sig": "unsubscribe",
                 "signoff": "unsubscribe", "unsub": "unsubscribe", "unsubscribe": "unsubscribe",
                 "del": "unsubscribe", "delete": "unsubscribe"}


@dataclass(frozen=True)
class Command:
    """What the person asked: action, an explicitly named address, a new address."""

    action: str  # subscribe | unsubscribe | change_address | help | unknown
    address: str | None = None  # an address other than the sender's, named with the command
    new_address: str | None = None
    line: str = ""  # the words it was read from


@dataclass(frozen=True)
class RefreshAnswer:
    """A reply to the address-refresh message."""

    kind: str  # keep | change | stop | unclear
    new_address: str | None = None
    line: str = ""


def normalise(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").replace("\u00a0", " ").split()).lower()


def clean_subject(subject: str) -> str:
    """The subject without Re:/TR:/Fwd: prefixes and [list] tags."""
    return SUBJECT_PREFIX.sub("", subject or "").strip()


def new_lines(text: str, limit: int = MAX_LINES) -> list[str]:
    """The first non-empty lines of the new text, cut at the signature or closing."""
    lines: list[str] = []
    for raw in (text or "").splitlines():
        if raw.startswith(">"):
            break
        line = normalise(raw)
        if not line:
            continue
        if SIGNATURE.match(line):
            break
        lines.append(line)
        if len(lines) >= limit:
            break
    return lines


def addresses(lines: Iterable[str], ignore: Iterable[str] = ()) -> list[str]:
    """Email addresses in the lines, lower-cased, minus those to ignore."""
    skip = {a.lower() for a in ignore if a}
    found: list[str] = []
    for line in lines:
        for match in EMAIL_RE.findall(line):
            address = match.strip(".'").lower()
            if address not in skip and address not in found:
                found.append(address)
    return found


def parse_command(subject: str, text: str, sender: str | None,
                  ignore: Iterable[str] = (), lists: Iterable[str] = ()) -> Command:
    """The command in a message written to the bot (see the module docstring);
    `lists`: our list's names (qpv-hpf, its address) for Sympa's syntax."""
    head = normalise(clean_subject(subject))
    lines = ([head] if head else []) + new_lines(text)
    skip = [sender or "", *ignore]
    sympa = sympa_command(lines, {n.lower() for n in lists if n}, skip)
    if sympa is not None:
        return sympa
    found = addresses(lines, skip)

    def first(pattern: re.Pattern[str]) -> str | None:
        return next((line for line in lines if pattern.search(line)), None)

    change, unsub, sub = first(CHANGE), first(UNSUB), first(SUB)
    if change is not None and found:
        return Command("change_address", new_address=_nearest(change, lines, found), line=change)
    if unsub is not None:
        return Command("unsubscribe", address=_about(unsub, head, found, skip), line=unsub)
    if change is not None:
        return Command("change_address", line=change)
    if sub is not None:
        return Command("subscribe", address=_about(sub, head, found, skip), line=sub)
    helpline = next((line for line in lines if HELP.match(line)), None)
    if helpline is not None:
        return Command("help", line=helpline)
    return Command("unknown", line=lines[0] if lines else "")


def sympa_command(lines: list[str], lists: set[str], skip: list[str]) -> Command | None:
    """The first line in Sympa's syntax: our list's request, or "unknown" for another list."""
    for line in lines:
        match = SYMPA.match(line)
        if match is None:
            continue
        name = match.group("list")
        if name not in lists:
            if "-" in name and "@" not in name:  # another list's name: not ours to act on
                return Command("unknown", line=line)
            continue  # "subscribe me to the list": free text, read below
        return Command(SYMPA_ACTIONS[match.group("verb")],
                       address=_named(match.group("rest"), skip), line=line)
    return None


def _about(cue: str, head: str, found: list[str], skip: list[str]) -> str | None:
    """The address a request is about: the one on its line; for a request read in
    the subject alone ("Inscription"), the first one the text names."""
    on_line = _named(cue, skip)
    if on_line is not None or cue != head:
        return on_line
    return found[0] if found else None


def _named(line: str, skip: list[str]) -> str | None:
    named = addresses([line], skip)
    return named[0] if named else None


def _nearest(cue_line: str, lines: list[str], found: list[str]) -> str:
    """The address on the cue's line, else the first one after it, else the first."""
    on_line = addresses([cue_line])
    for address in on_line:
        if address in found:
            return address
    start = lines.index(cue_line)
    after = addresses(lines[start:])
    return next((a for a in after if a in found), found[0])


def parse_refresh_reply(text: str, ignore: Iterable[str] = ()) -> RefreshAnswer:
    """Keep, change (with the new address), stop, or unclear. An empty reply keeps."""
    lines = new_lines(text)
    if not lines:
        return RefreshAnswer("keep", line="")
    stop = next((line for line in lines if UNSUB.search(line)), None)
    found = addresses(lines, ignore)
    change = next((line for line in lines if CHANGE.search(line)), None)
    keep = next((line for line in lines if KEEP.search(line)), None)
    if stop is not None and not found:
        return RefreshAnswer("stop", line=stop)
    if found and (change is not None or keep is None):
        cue = change or next(line for line in lines if addresses([line], ignore))
        return RefreshAnswer("change", _nearest(cue, lines, found), line=cue)
    if keep is not None:
        return RefreshAnswer("keep", line=keep)
    return RefreshAnswer("unclear", line=lines[0])


def is_refusal(text: str) -> bool:
    """The person answered a confirmation request with "no, that was not me"."""
    return any(REFUSE.search(line) for line in new_lines(text, 3))


def list_command(subject: str, text: str) -> Command | None:
    """A subscription command posted to the list by mistake (strict: the whole post)."""
    head = normalise(clean_subject(subject))
    lines = new_lines(text, 5)
    candidates = ([head] if head else []) + lines[:1]
    if len(lines) > 3 or sum(len(line) for line in lines) > 240:
        return None
    for line in candidates:
        if LIST_COMMAND.match(line):
            return Command("unsubscribe", line=line)
    return None
