"""Pure parts of the proofs domain: trust, funded wording, invoices, storage, completeness."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from mailbot.errors import StorageError
from mailbot.mime.parse import parse_message
from mailbot.proofs.dossiers import evaluate
from mailbot.proofs.export import zip_name
from mailbot.proofs.funded import read_statement
from mailbot.proofs.invoices import invoice_amount
from mailbot.proofs.storage import BlobStore
from mailbot.decide.trust import assess
from mailbot.models.proofs import Proof
from tests.support.proofmail import AUTHSERV, auth_results, proof_mail

# --- trust ------------------------------------------------------------------------------------


def trust_of(**kw: object) -> tuple[bool, bool, str]:
    t = assess(parse_message(proof_mail(**kw)), AUTHSERV)  # type: ignore[arg-type]
    return t.trusted, t.forged, t.reason


def test_dmarc_pass_and_none_are_trusted() -> None:
    assert trust_of(dmarc="pass")[0] is True
    assert trust_of(dmarc="none")[0] is True


def test_dmarc_fail_is_not_trusted() -> None:
    trusted, forged, reason = trust_of(dmarc="fail")
    assert not trusted and not forged and "dmarc=fail" in reason


def test_forged_header_with_our_id_is_not_trusted() -> None:
    """GIVEN a sender-written A-R claiming our id, below the real one THEN forged."""
    trusted, forged, _ = trust_of(dmarc="pass", extra_ar=[auth_results("orange.fr")])
    assert not trusted and forged


def test_foreign_headers_are_ignored() -> None:
    foreign = "mx.google.com; dmarc=fail header.from=orange.fr"
    assert trust_of(dmarc="pass", extra_ar=[foreign])[0] is True


def test_unparseable_header_of_ours_is_not_trusted() -> None:
    msg = parse_message(proof_mail().replace(
        b"Authentication-Results: " + AUTHSERV.encode() + b";",
        b"Authentication-Results: " + AUTHSERV.encode() + b"; ===;;; dmarc"))
    assert not assess(msg, AUTHSERV).trusted


def test_spf_fail_without_dkim_or_dmarc_is_not_trusted() -> None:
    raw = proof_mail().replace(b"dkim=pass", b"dkim=none").replace(b"spf=pass", b"spf=fail") \
        .replace(b"dmarc=pass", b"dmarc=none")
    assert not assess(parse_message(raw), AUTHSERV).trusted


def test_no_header_or_no_config_is_trusted_but_unverified() -> None:
    msg = parse_message(proof_mail())
    assert assess(msg, "").verified is False and assess(msg, "").trusted
    other = assess(msg, "mx.other.example")
    assert other.trusted and not other.verified


# --- funded elsewhere, short of cash ----------------------------------------------------------


@pytest.mark.parametrize("text, funded", [
    ("Cette journée est financée par ailleurs (contrat de ville).", True),
    ("Je suis financée par ailleurs pour cette action.", True),
    ("je ne la facturerai donc pas à HPF", True),
    ("Cette action est déjà financée par la métropole.", True),
    ("This day is funded elsewhere.", True),
    ("Je ne suis pas financée par ailleurs.", False),
    ("je ne suis pas financée par ailleurs", False),
    ("Action non financée par ailleurs.", False),
    ("Financée par ailleurs : non", False),
    ("Financée par ailleurs : oui", True),
    ("Pas d'autre financement pour cette journée.", False),
    ("Si la journée est financée par ailleurs, faut-il le dire ?", None),
    ("Bonjour, voici mon billet.", None),
])
def test_funded_elsewhere_wording(text: str, funded: bool | None) -> None:
    assert read_statement("", text).funded_elsewhere is funded


@pytest.mark.parametrize("text, short", [
    ("Je suis un peu juste en trésorerie ce mois-ci.", True),
    ("Serait-il possible d'avoir une avance de trésorerie ?", True),
    ("je n'ai pas la trésorerie pour avancer les billets", True),
    ("J'ai des difficultés de trésorerie.", True),
    ("I am short of cash this month.", True),
    ("Voici mon billet.", False),
])
def test_short_of_cash_wording(text: str, short: bool) -> None:
    assert read_statement("", text).short_of_cash is short


# --- invoices ---------------------------------------------------------------------------------


def test_invoice_amount_prefers_the_total_before_tax() -> None:
    text = "FACTURE N° 12\nTotal HT\n600,00 €\nTVA 20 %\n120,00 €\nTotal TTC\n720,00 €\n"
    assert invoice_amount(text) == Decimal("600.00")
    assert invoice_amount("Net à payer : 667,00 €") == Decimal("667.00")
    assert invoice_amount("Bonjour") is None


# --- storage ----------------------------------------------------------------------------------


def test_storage_is_content_addressed_sharded_and_idempotent(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "files")
    sha = store.put(b"%PDF-1.4 hello")
    path = store.path(sha)
    assert path.relative_to(tmp_path / "files").parts == (sha[:2], sha[2:4], sha)
    mtime = path.stat().st_mtime_ns
    assert store.put(b"%PDF-1.4 hello") == sha and path.stat().st_mtime_ns == mtime
    assert store.get(sha) == b"%PDF-1.4 hello"
    assert [p.name for p in path.parent.iterdir()] == [sha]  # no temporary file left


def test_storage_refuses_names_that_are_not_hashes(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    for bad in ("../../etc/passwd", "a" * 63, "A" * 64):
        with pytest.raises(ValueError):
            store.path(bad)
    with pytest.raises(ValueError):
        store.put(b"x", "0" * 64)


def test_storage_error_is_a_storage_error(tmp_path: Path) -> None:
    """GIVEN a files_dir that is a file (disk trouble) THEN StorageError: the pipeline
    lets it rise and the message is retried later, not quarantined."""
    root = tmp_path / "files"
    root.write_bytes(b"not a directory")
    with pytest.raises(StorageError):
        BlobStore(root).put(b"data")


def test_zip_names_are_safe() -> None:
    proof = Proof(member_email="a@b", kind="invoice", message_id="m", filename="../../x\x00.pdf",
                  sha256="0" * 64)
    name = zip_name(3, proof)
    assert name.startswith("justificatifs/03 - facture - ") and name.count("/") == 1
    assert "\x00" not in name and ".." not in name.split("/", 1)[1].split(" - ")[-1][:2]


# --- completeness -----------------------------------------------------------------------------

DEFAULT = ((("mission_form",),), (("attendance_sheet",), ("thank_you", "meeting_report")))


@pytest.mark.parametrize("present, complete, missing", [
    ((), False, ["mission_form", "attendance_sheet"]),
    (("mission_form", "attendance_sheet"), True, []),
    (("mission_form", "thank_you", "meeting_report"), True, []),
    (("mission_form", "thank_you"), False, ["meeting_report"]),
    (("thank_you", "meeting_report", "invoice", "train_ticket"), False, ["mission_form"]),
])
def test_completeness_rule(present: tuple[str, ...], complete: bool, missing: list[str]) -> None:
    done, gaps, _ = evaluate(DEFAULT, present)
    assert done is complete and gaps == missing
