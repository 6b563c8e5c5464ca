"""Our outgoing mail: rendered from templates, queued in the outbox table in the
caller's transaction, delivered once after the commit.

    mailer      `Mailer`: render a template kind, compose, queue under a unique key
    render      Jinja2 templates (templates/fr/<kind>/) with babel's French filters
    outbox      composing (our Message-ID, Auto-Submitted, X-Loop), the daily cap, the
                exactly-once sender
    transports  SMTP (aiosmtplib) or the local outbox folder of the embedded default
"""
