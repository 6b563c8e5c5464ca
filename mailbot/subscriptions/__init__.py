"""The subscriptions domain: people join, leave and change address by writing to
the bot; the Sympa list is kept in step; the mid-AMI address refresh; bounces.

    commands   free-text command parsing (French and English)
    tokens     the XXXX-XXXX references
    trust      what our own server said about the sender (Authentication-Results)
    mailer     queueing our mail (confirmations, Sympa commands, COTECH notices)
    audit      the audit trail of every subscription change
    confirm    confirmation requests: ask, confirm, apply, expire
    sympa      owner commands to the Sympa robot, AUTH answers, REVIEW reconciliation
    refresh    the address-refresh campaign, per-subscriber state machine
    bounces    bounce scoring
    forget     RGPD erasure
    report     the period report read by the weekly digest
    jobs       the scheduled jobs (refresh_step, sympa_review)
"""
