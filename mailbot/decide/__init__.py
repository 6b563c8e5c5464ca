"""Pure decisions: an `Incoming` and its `Context` in, a verdict and its reasons out.
No database session, no I/O: everything here is a function of its arguments.

    guards       the fixed table run first (our own mail, Sympa, bounces, auto-replies,
                 malformed); first hit wins
    rules        the rule files (rules/*.toml) loaded and validated: data, not code
    facts        the `Context` and the facts a rule may test
    classify     guards, then the rules: the category (and the GO/GT tag of a list post)
    tagging      GO/GT: subject tag, thread, the author's roster group, keywords
    replypolicy  Mailman's replybot rule: what we must never answer
    trust        our own server's Authentication-Results: may this From act?
"""
