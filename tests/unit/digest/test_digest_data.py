"""A fixed week of data for the digest and reminder tests (and tests of its labels).

The week: Monday 23 March 2026 08:00 to Monday 30 March 2026 08:00, Paris
time (the switch to summer time falls inside it). Dossiers and the
subscriptions report are fakes of the other domains' published contracts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from mailbot.digest import labels
from mailbot.proofs import labels as proof_labels
from mailbot.models import Member, Post, ProcessedMessage
from mailbot.models.jobs import Reminder

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2026, 3, 23, 8, 0, tzinfo=PARIS)
END = datetime(2026, 3, 30, 8, 0, tzinfo=PARIS)
COTECH = "cotech-qpv@habitatparticipatif-france.fr"


def paris(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


@dataclass(frozen=True)
class FakeDossier:
    """The proofs domain's Dossier, as its contract describes it."""

    member_email: str
    name: str
    complete: bool = False
    missing: list[str] = field(default_factory=list)
    proofs_by_kind: dict[str, int] = field(default_factory=dict)
    funded_elsewhere: bool = False
    short_of_cash: bool = False
    fee_eur: Decimal = Decimal("600.00")
    tickets_total_eur: Decimal = Decimal("0")
    amount_due_eur: Decimal = Decimal("0")
    tickets: list[dict[str, str | None]] = field(default_factory=list)
    invoice_received: bool = False
    invoice_amount_eur: Decimal | None = None
    invoice_matches: bool | None = None
    first_proof_at: datetime | None = None
    last_proof_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class FakeReport:
    changes: list[dict[str, str | None]]
    bounces: list[dict[str, object]]
    refresh: dict[str, int] | None
    sympa_differences: list[str]


def ticket(amount: str, day: str, origin: str, dest: str, ref: str) -> dict[str, str | None]:
    return {"amount_eur": amount, "travel_date": day, "origin": origin, "destination": dest,
            "reference": ref}


DOSSIERS = [
    FakeDossier("mathieu.lefort@gmail.com", "Mathieu Lefort", complete=True,
                proofs_by_kind={"thank_you": 1, "meeting_report": 1, "attendance_sheet": 1,
                                "mission_form": 1, "train_ticket": 1},
                tickets_total_eur=Decimal("67.00"), amount_due_eur=Decimal("667.00"),
                tickets=[ticket("67.00", "2026-03-05", "Lille", "Paris", "QX7K2P")],
                first_proof_at=paris(5), last_proof_at=paris(10), completed_at=paris(10)),
    FakeDossier("s.nguyen@cooperer-habiter.coop", "Sandrine Nguyen",
                missing=["attendance_sheet", "mission_form"],
                proofs_by_kind={"thank_you": 1, "meeting_report": 1},
                amount_due_eur=Decimal("600.00"), first_proof_at=paris(12),
                last_proof_at=paris(12)),
    FakeDossier("karim.belkacem@orange.fr", "Karim Belkacem", complete=True,
                funded_elsewhere=True,
                proofs_by_kind={"attendance_sheet": 1, "mission_form": 1, "train_ticket": 2,
                                "invoice": 1},
                tickets_total_eur=Decimal("134.00"), amount_due_eur=Decimal("134.00"),
                tickets=[ticket("67.00", "2026-03-04", "Marseille", "Lyon", "AB12CD"),
                         ticket("67.00", "2026-03-04", "Lyon", "Marseille", "AB12CE")],
                invoice_received=True, invoice_amount_eur=Decimal("134.00"),
                invoice_matches=True, first_proof_at=paris(4), last_proof_at=paris(20),
                completed_at=paris(6)),
    FakeDossier("claire.berard@terrhab-conseil.fr", "Claire Bérard", missing=["mission_form"],
                short_of_cash=True,
                proofs_by_kind={"thank_you": 1, "meeting_report": 1, "train_ticket": 1},
                tickets_total_eur=Decimal("89.50"), amount_due_eur=Decimal("689.50"),
                tickets=[ticket("89.50", "2026-03-18", "Lyon", "Paris", "ZZ9Y8X")],
                first_proof_at=paris(24), last_proof_at=paris(25)),
    FakeDossier("elodie.marchand@hab-ensemble.fr", "Élodie Marchand", complete=True,
                proofs_by_kind={"attendance_sheet": 1, "mission_form": 1, "invoice": 1},
                amount_due_eur=Decimal("600.00"), invoice_received=True,
                invoice_amount_eur=Decimal("650.00"), invoice_matches=False,
                first_proof_at=paris(2), last_proof_at=paris(26), completed_at=paris(3)),
    FakeDossier("thomas.keller@laposte.net", "Thomas Keller",
                missing=["mission_form", "attendance_sheet"], amount_due_eur=Decimal("600.00")),
]

REPORT = FakeReport(
    changes=[{"at": "2026-03-24T10:02:00+00:00", "action": "subscribe",
              "address": "nadia.benali@exemple.fr", "new_address": None,
              "asked_by": "nadia.benali@exemple.fr", "confirmed_by": "nadia.benali@exemple.fr",
              "state": "synced"},
             {"at": "2026-03-26T16:40:00+00:00", "action": "change_address",
              "address": "j.roux@atelier-commun.org",
              "new_address": "julien.roux@atelier-commun.org",
              "asked_by": "j.roux@atelier-commun.org", "confirmed_by": None,
              "state": "requested"}],
    bounces=[{"address": "ml.petit@amo-petit.fr", "score": 1.0, "flagged": False,
              "last_bounce_on": "2026-03-25"}],
    refresh={"pending": 5, "kept": 11, "changing": 0, "changed": 2, "bounced": 0, "silent": 0,
             "left": 0},
    sympa_differences=["gerard.fontaine@wanadoo.fr est abonné sur Sympa mais absent de l'annuaire"],
)


def _post(session: Session, n: int, thread: str, subject: str, author: str, email: str,
          tag: str | None, at: datetime) -> None:
    session.add(Post(message_id=f"p{n}@test", thread_id=thread, subject=subject,
                     author_email=email, author_name=author, tag=tag, tag_reason="subject",
                     posted_at=at))


def _message(session: Session, n: int, status: str, category: str, sender: str | None,
             subject: str, reason: str, at: datetime) -> None:
    session.add(ProcessedMessage(source_key=f"k{n}", role="inbox", mailbox="INBOX", uid=n,
                                 message_id=f"m{n}@test", category=category, status=status,
                                 from_email=sender, member_email=sender, subject=subject,
                                 reason=reason, processed_at=at))


def seed_week(session: Session) -> None:
    """The week's posts, held messages, reminders and an auto-reply."""
    posts = [
        ("t1", "[qpv-hpf] Formulaire de mission", "Mathieu Lefort", "mathieu.lefort@gmail.com",
         "GO", paris(24, 9, 12)),
        ("t1", "Re: [qpv-hpf] Formulaire de mission", "Sandrine Nguyen",
         "s.nguyen@cooperer-habiter.coop", "GO", paris(24, 11, 40)),
        ("t1", "RE : [qpv-hpf] Formulaire de mission", "Mathieu Lefort",
         "mathieu.lefort@gmail.com", "GO", paris(25, 8, 5)),
        ("t2", "[qpv-hpf] [GO] Logistique du 2 avril", "Claire Bérard",
         "claire.berard@terrhab-conseil.fr", "GO", paris(26, 14, 30)),
        ("t3", "Compte-rendu du GT du 24 mars", "Pascale Martin", "pascale.martin@anct.gouv.fr",
         "GT", paris(25, 17, 0)),
        ("t3", "Re: Compte-rendu du GT du 24 mars", "Yann Le Goff",
         "yann.legoff@ecohabitat-bzh.org", "GT", paris(27, 10, 20)),
        ("t4", "Visite du chantier de Mermoz", "Fatou Diallo", "fatou.diallo@hotmail.fr",
         "HABITANTS", paris(28, 18, 0)),
        ("t5", "Question sur l'AMI", "", "inconnu@exemple.fr", None, paris(29, 20, 15)),
        ("t0", "[qpv-hpf] Avant la période", "Mathieu Lefort", "mathieu.lefort@gmail.com", "GO",
         paris(20, 9, 0)),
    ]
    for n, (thread, subject, author, email, tag, at) in enumerate(posts):
        _post(session, n, thread, subject, author, email, tag, at)
    held = [
        ("held", "other", "karim.belkacem@orange.fr", "Question sur le formulaire",
         "message non reconnu", paris(24, 15, 0)),
        ("held", "proof", "inconnu@exemple.fr", "TR: justificatifs",
         "expéditeur inconnu : absent de l'annuaire", paris(26, 9, 30)),
        ("quarantined", "malformed", None, "", "MalformedMessage: no From header",
         paris(27, 11, 0)),
        ("held", "other", "avant@exemple.fr", "Avant la période", "message non reconnu",
         paris(21, 9, 0)),
        ("done", "autoreply", "s.nguyen@cooperer-habiter.coop", "Réponse automatique : absente",
         "auto-reply", paris(27, 9, 0)),
    ]
    for n, (status, category, sender, subject, reason, at) in enumerate(held):
        _message(session, n, status, category, sender, subject, reason, at)
    session.add(Reminder(member_email="mathieu.lefort@gmail.com", kind="invoice", n=1,
                         sent_at=paris(24, 9, 0), outbox_key="reminder:m:invoice:1",
                         summary="600,00\u00a0€ HT + 67,00\u00a0€ de billets de train "
                                 "= 667,00\u00a0€"))
    session.add(Reminder(member_email="claire.berard@terrhab-conseil.fr", kind="tickets_now",
                         n=1, sent_at=paris(26, 9, 0), outbox_key="reminder:c:tickets_now:1",
                         summary="89,50\u00a0€ de billets de train, sans attendre le reste "
                                 "du dossier"))
    session.add(Member(email="ml.petit@amo-petit.fr", name="Marie-Laure Petit", group="GO",
                       bounce_score=1.0))


# -- tests of the labels the digest and reminders use ------------------------------

def test_proof_kinds_in_french_known_first() -> None:
    assert proof_labels.proofs_summary({"train_ticket": 2, "zz_new": 1, "thank_you": 1}) == \
        "remerciement, billet\u00a0×2, zz_new"
    assert proof_labels.kind_long("thank_you+meeting_report") == \
        "le mail de remerciement et le compte-rendu"
    assert proof_labels.kind_short("attendance_sheet|mission_form") == "émargement ou mission"


def test_ticket_line() -> None:
    assert proof_labels.ticket_line(ticket("67.00", "2026-03-05", "Lille", "Paris", "QX7K2P")) == \
        "Lille → Paris, 5 mars 2026, 67,00\u00a0€ (réf. QX7K2P)"
    assert proof_labels.ticket_line({}) == "billet"


def test_change_and_bounce_lines() -> None:
    assert labels.change_line(REPORT.changes[0]) == \
        "inscription — nadia.benali@exemple.fr — appliqué sur Sympa (24 mars 2026)"
    assert labels.change_line(REPORT.changes[1]) == \
        "changement d'adresse — j.roux@atelier-commun.org → julien.roux@atelier-commun.org" \
        " — confirmation demandée (26 mars 2026)"
    assert labels.change_line({"action": "remove", "address": "a@b.fr", "state": "confirmed",
                               "asked_by": "mailbot refresh apply", "at": None}) == \
        "désinscription — a@b.fr — confirmé — demandé par mailbot refresh apply"
    assert labels.bounce_line(REPORT.bounces[0]) == \
        "ml.petit@amo-petit.fr — score 1 — dernier retour le 25 mars 2026"
    assert labels.bounce_line({"address": "x@y.fr", "score": 3.5, "flagged": True}) == \
        "x@y.fr — score 3,5 — seuil atteint"
