"""The one exception tree of mailbot.

    MailbotError
    ├── ConfigError          config.toml is missing, unreadable or invalid
    ├── RulesError           a rule file in rules/ is invalid (names file and rule)
    ├── TemplateError        a template is missing or fails to render
    ├── MessageError         one message cannot be handled: it is quarantined
    │   ├── MalformedMessage     unparseable, or over a size/part/depth cap
    │   └── HandlerError         a handler refused the message
    ├── SourceError          the IMAP server or the Maildir cannot be read
    ├── DeliveryError        the SMTP server refused or could not be reached
    └── StorageError         the database cannot be written (locked, disk full)

Only the per-message boundary (pipeline) and the daemon loop catch these;
everything else lets them rise, wrapped with ``raise ... from err``.
"""

from __future__ import annotations


class MailbotError(Exception):
    """Base of every error mailbot raises on purpose."""


class ConfigError(MailbotError):
    """config.toml is missing, unreadable or invalid."""


class RulesError(MailbotError):
    """A rule file is invalid; the message names the file and the rule."""


class TemplateError(MailbotError):
    """A template is missing or fails to render."""


class MessageError(MailbotError):
    """One message cannot be handled; it goes to quarantine with this reason."""


class MalformedMessage(MessageError):
    """The message cannot be parsed, or exceeds a size, part or depth cap."""


class HandlerError(MessageError):
    """A handler refused the message."""


class SourceError(MailbotError):
    """The mail source (IMAP server or Maildir) cannot be read."""


class DeliveryError(MailbotError):
    """The SMTP server refused the message or could not be reached."""


class StorageError(MailbotError):
    """The database cannot be written (locked, disk full)."""
