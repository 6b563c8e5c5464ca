"""Raw bytes to one normalised `Incoming` message: everything about reading mail.

    parse      the entry points: `parse_message` (a whole message), `parse_headers`
               (a header block, for list posts fetched by their header fields)
    incoming   `Incoming`, `Address`, `Attachment`: what the rest of mailbot reads
    headers    header fields: decoded once, indexed, the Message-ID scan, RFC 5322 dates
    walk       the MIME tree: text parts, attachments with provenance, forwarded
               messages (message/rfc822), winmail.dat; caps on parts, depth and size
    forwards   new text vs quoted text, inline forwards as mail clients write them
    dates      dates as mail clients print them in forwarded headers
    decode     RFC 2047 words, raw 8-bit headers, text under a missing or wrong charset
    filenames  an attachment's display name (never a path) and its sniffed type
    htmltext   HTML bodies to plain text
"""
