"""The proofs inbox: AMOs' proofs filed in their dossier, read and acknowledged.

Modules, one job each:

    labels       the proof kinds and their French names (one table)
    attribution  which roster member a proof message is filed under (or a guess, never filed)
    doctext      bounded text of a document (PDF, DOCX, ODT, plain text)
    validity     is a file a usable proof (opens, not encrypted, what it claims, intact)?
    kinds        the candidate proofs of a message and their kind (rules stage "proof_kind")
    funded       "financée par ailleurs" and "short of cash" statements in the AMO's own words
    invoices     the amount an invoice asks for
    storage      content-addressed files under files_dir (SHA-256, sharded, atomic, idempotent)
    intake       one proof message: analyse (no database), then record (in the message's transaction)
    dossiers     each AMO's dossier: complete or not, what is missing, what to invoice
    ack          the acknowledgement's template context
    grouped      acknowledgements past the daily cap, grouped in one later mail (members)
    export       a dossier as a zip (files + CSV + readable summary) for the treasurer
    reminders    the invoice reminders: who gets one, when, saying what
    pdftext      bounded, never-raising PDF text extraction

The handler (mailbot.handlers.proof) only strings these together.
"""
