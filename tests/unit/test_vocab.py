"""mailbot.vocab: the shared words, and the handler registry held to the categories."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mailbot import handlers
from mailbot.decide.classify import CATEGORIES
from mailbot.job import Job
from mailbot.vocab import Category, Role, Status


def test_one_handler_per_category() -> None:
    assert sorted(handlers.registry()) == sorted(Category) == sorted(CATEGORIES)


def test_a_missing_or_extra_handler_fails_at_import() -> None:
    @dataclass
    class Stray:
        name: str = "newsletter"
        description: str = "pas une catégorie"

        def handle(self, job: Job) -> None: ...

    without_sympa = tuple(h for h in handlers.REGISTRY if h.name != Category.SYMPA)
    with pytest.raises(RuntimeError, match="sympa"):
        handlers._check(without_sympa)
    with pytest.raises(RuntimeError, match="newsletter"):
        handlers._check((*handlers.REGISTRY, Stray()))


def test_the_words_are_their_codes() -> None:
    # Stored, written in rule files and printed by --json as plain strings.
    assert Category.REFRESH_REPLY == "refresh_reply" and f"{Status.HELD}" == "held"
    assert Role.LIST == "list" and str(Role.INBOX) == "inbox"
