"""The walk of a parsed MIME tree: which parts are the body (plain preferred, HTML
converted), which are attachments and which forwarded message each came from,
attached messages (`Forwarded(how="rfc822")`) and winmail.dat (tnefparse).
"""

from __future__ import annotations

import binascii
import hashlib
import mimetypes
from dataclasses import dataclass, field, replace
from email.message import Message
from typing import NamedTuple

from tnefparse.tnef import TNEF

from mailbot.errors import MalformedMessage
from mailbot.mime.decode import decode_bytes
from mailbot.mime.filenames import display_filename, extension_for, part_filename, sniff_type
from mailbot.mime.htmltext import html_to_text
from mailbot.mime.incoming import Attachment, Forwarded
from mailbot.mime.transfer import base64_defect, is_document, unflow
from mailbot.mime.headers import addresses, decode_value, parse_date, read_items, unfold

_SKIPPED_TYPES = frozenset(
    {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature", "text/rfc822-headers"}
)
_TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})


class Piece(NamedTuple):
    """One stretch of body: its plain and/or HTML form; fallback pieces (winmail.dat) count only alone."""

    plain: str | None
    html: str | None
    fallback: bool = False


@dataclass(frozen=True)
class Ctx:
    forward_index: int | None = None
    related: bool = False  # a non-root child of multipart/related


@dataclass
class WalkState:
    max_parts: int
    attachments: list[Attachment] = field(default_factory=list)
    forwards: list[Forwarded] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)




def children(part: Message) -> list[Message]:
    """Sub-parts of a multipart or message/* part (never decodes a leaf's payload)."""
    if not part.is_multipart():
        return []
    return [child for child in part.get_payload() if isinstance(child, Message)]


def walk(part: Message, ctx: Ctx, state: WalkState, pieces: list[Piece]) -> None:
    """Sort one part into body pieces, attachments and forwards (depth already capped)."""
    ctype = part.get_content_type()
    if not part.is_multipart():
        _leaf(part, ctype, ctx, state, pieces)
        return
    inner = replace(ctx, related=False)
    if ctype in ("message/rfc822", "message/global"):
        _forward(part, inner, state)
    elif part.get_content_maintype() == "message":
        return  # delivery-status, disposition-notification...: reports, not content
    elif ctype == "multipart/alternative":
        _alternative(part, inner, state, pieces)
    elif ctype == "multipart/related":
        kids = children(part)
        root = _related_root(part, kids)
        for child in kids:
            walk(child, inner if child is root else replace(inner, related=True), state, pieces)
    else:  # mixed, report, signed, digest and unknown multiparts
        for child in children(part):
            walk(child, inner, state, pieces)


def _related_root(part: Message, kids: list[Message]) -> Message | None:
    start = part.get_param("start")
    if isinstance(start, str):
        for child in kids:
            if _raw_value(child, "content-id") == start.strip("<> "):
                return child
    return kids[0] if kids else None


def _alternative(part: Message, ctx: Ctx, state: WalkState, pieces: list[Piece]) -> None:
    """One piece: the plain alternative when it has text, and the last HTML one."""
    plain: str | None = None
    html: str | None = None
    for child in children(part):
        sub: list[Piece] = []
        walk(child, ctx, state, sub)
        child_plain = _join([p.plain for p in sub])
        child_html = _join([p.html for p in sub])
        if child_plain is not None and (plain is None or not plain.strip()):
            plain = child_plain
        if child_html is not None:
            html = child_html
    if plain is not None or html is not None:
        pieces.append(Piece(plain, html))


def _join(texts: list[str | None]) -> str | None:
    present = [t for t in texts if t is not None]
    return "\n".join(present) if present else None


def _leaf(part: Message, ctype: str, ctx: Ctx, state: WalkState, pieces: list[Piece]) -> None:
    """Body text, or a file. A part whose bytes are a document (a PDF between two
    text/plain parts, an inline PDF from iPhone Mail) is a file whatever it declares."""
    disposition = part.get_content_disposition()
    name = part_filename(part)
    if ctype in _SKIPPED_TYPES:
        return
    if part.get_content_maintype() == "multipart":  # a multipart whose boundary never came
        state.defects.append(f"{ctype} without a usable boundary: kept as text")
        pieces.append(Piece(_part_text(part, state), None))
        return
    data = _payload(part, state)
    sniffed = sniff_type(data, ctype)
    document = is_document(sniffed)
    if ctype in ("text/plain", "text/html") and name is None and disposition != "attachment" \
            and not document:
        text = _part_text(part, state, data)
        pieces.append(Piece(text, None) if ctype == "text/plain" else Piece(None, text))
        return
    if (ctype in _TNEF_TYPES or (name or "").lower() == "winmail.dat") and _tnef(data, ctx, state, pieces):
        return
    cid = _raw_value(part, "content-id")
    content_id = cid.strip("<> ") or None if cid else None
    inline = not document and (disposition == "inline" or (ctx.related and content_id is not None))
    _add_attachment(state, data, ctype, name, inline, content_id, ctx.forward_index,
                    _transfer_defect(part))


def _transfer_defect(part: Message) -> str:
    """What is wrong with a base64 body ("" when intact or not base64)."""
    if str(part.get("content-transfer-encoding", "")).strip().lower() != "base64":
        return ""
    encoded = part.get_payload()
    return (base64_defect(encoded) or "") if isinstance(encoded, str) else ""


def _raw_value(part: Message, name: str) -> str | None:
    for key, value in part.raw_items():
        if key.lower() == name:
            return unfold(str(value))
    return None


def _payload(part: Message, state: WalkState) -> bytes:
    """The decoded bytes of a leaf part; base64 in one C call, the stdlib decoder for the rest."""
    try:
        if str(part.get("content-transfer-encoding", "")).strip().lower() == "base64":
            encoded = part.get_payload()
            if isinstance(encoded, str):
                return binascii.a2b_base64(encoded)  # skips line breaks; bad padding raises
    except (binascii.Error, ValueError):
        pass  # the stdlib decoder repairs what it can and records the defect
    try:
        data = part.get_payload(decode=True)
    except Exception as err:  # stdlib decoders on hostile payloads
        state.defects.append(f"undecodable {part.get_content_type()} part ({type(err).__name__})")
        return b""
    return data if isinstance(data, bytes) else b""


def _part_text(part: Message, state: WalkState, data: bytes | None = None) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:  # RFC 2231 charset parameter in a bad encoding
        charset = None
    text, defect = decode_bytes(_payload(part, state) if data is None else data, charset)
    if defect:
        state.defects.append(defect)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if part.get_content_type() == "text/plain" and str(part.get_param("format", "")).lower() == "flowed":
        text = unflow(text, str(part.get_param("delsp", "")).lower() == "yes")
    return text


def pieces_text(pieces: list[Piece]) -> str:
    """Plain text of the body pieces; winmail.dat bodies only when nothing else has text."""
    texts = [_piece_text(p) for p in pieces if not p.fallback]
    if not any(t.strip() for t in texts):
        texts = [_piece_text(p) for p in pieces]
    return "\n".join(t.rstrip("\n") for t in texts)


def _piece_text(piece: Piece) -> str:
    if piece.plain is not None and (piece.plain.strip() or not piece.html):
        return piece.plain
    return html_to_text(piece.html) if piece.html else ""


# --- attachments, forwarded messages, winmail.dat ------------------------------------------------------


def _add_attachment(
    state: WalkState,
    data: bytes,
    declared: str,
    name: str | None,
    inline: bool,
    content_id: str | None,
    forward_index: int | None,
    transfer_defect: str = "",
) -> None:
    if len(state.attachments) >= state.max_parts:
        raise MalformedMessage(f"trop de pièces jointes (plus de {state.max_parts})")
    state.attachments.append(
        Attachment(
            filename=display_filename(name, extension_for(declared), len(state.attachments) + 1),
            content_type=declared,
            sniffed_type=sniff_type(data, declared),
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            inline=inline,
            content_id=content_id,
            forward_index=forward_index,
            transfer_defect=transfer_defect,
        )
    )


def _forward(part: Message, ctx: Ctx, state: WalkState) -> None:
    """An attached message: a `Forwarded(how="rfc822")`, its files tagged with its index."""
    kids = children(part)
    if not kids:
        return
    inner = kids[0]
    fields, _ = read_items(list(inner.raw_items()))
    senders = addresses(fields.get("from", []))
    forwarded = Forwarded(
        how="rfc822",
        sender=senders[0] if senders else None,
        subject=decode_value(fields.get("subject", [""])[0]).strip(),
        date=parse_date(fields.get("date", [])),
        text="",
    )
    state.forwards.append(forwarded)
    pieces: list[Piece] = []
    walk(inner, replace(ctx, forward_index=len(state.forwards) - 1), state, pieces)
    forwarded.text = pieces_text(pieces).strip()


def _tnef(data: bytes, ctx: Ctx, state: WalkState, pieces: list[Piece]) -> bool:
    """Unpack winmail.dat; False (keep it as a plain attachment) when tnefparse cannot read it."""
    try:
        tnef = TNEF(data, do_checksum=False)
    except Exception as err:  # tnefparse on arbitrary bytes raises anything
        state.defects.append(f"winmail.dat unreadable ({type(err).__name__})")
        return False
    for item in tnef.attachments:
        try:
            name = _tnef_text(item.long_filename()) or None
            content = bytes(item.data)
        except Exception as err:  # one broken attachment record
            state.defects.append(f"winmail.dat attachment unreadable ({type(err).__name__})")
            continue
        declared = (mimetypes.guess_type(name)[0] if name else None) or "application/octet-stream"
        _add_attachment(state, content, declared, name, False, None, ctx.forward_index)
    plain, html = _tnef_text(tnef.body), _tnef_text(tnef.htmlbody)
    if plain or html:
        pieces.append(Piece(plain or None, html or None, fallback=True))
    elif getattr(tnef, "_rtfbody", None):
        state.defects.append("winmail.dat body is RTF only (not converted)")
    return True


def _tnef_text(value: object) -> str:
    if isinstance(value, bytes):
        return decode_bytes(value.rstrip(b"\x00"), None)[0]
    return value.rstrip("\x00") if isinstance(value, str) else ""
