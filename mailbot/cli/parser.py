"""The argument parser of the command line, in French.

`Parser` is argparse's, with its headings, its `-h` and its error messages
in French (the usual ones; a rarer message stays as argparse writes it), and
usage errors ending in exit code 2. `hoist_options` lets the options common
to every command (`--config FILE`, `-v`) be written before or after the
sub-command: they are moved to the front before parsing.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

#: options taking a value / flags that are accepted anywhere on the line
HOISTED_VALUE = ("--config",)
HOISTED_FLAG = ("-v", "--verbose")

_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), french) for pattern, french in (
        (r"^unrecognized arguments: (.*)$", r"argument(s) inconnu(s) : \1"),
        (r"^the following arguments are required: (.*)$", r"il manque : \1"),
        (r"^argument (\S+): invalid choice: (\S+) \(choose from (.*)\)$",
         r"\1 : choix inconnu \2 (possibles : \3)"),
        (r"^argument (\S+): invalid (\w+) value: (.*)$", r"\1 : valeur invalide \3"),
        (r"^argument (\S+): expected one argument$", r"\1 : une valeur est attendue"),
        (r"^argument (\S+): expected (.*)$", r"\1 : attendu \2"),
        (r"^ambiguous option: (\S+) could match (.*)$", r"option ambiguë \1 (\2 ?)"),
        (r"^argument (\S+): not allowed with argument (\S+)$", r"\1 : incompatible avec \2"),
        (r"^argument (\S+): (.*)$", r"\1 : \2"),
    ))


def french_error(message: str) -> str:
    """argparse's English error as French, when it is one of the usual ones."""
    for pattern, french in _ERRORS:
        if pattern.match(message):
            return pattern.sub(french, message)
    return message


class Formatter(argparse.HelpFormatter):
    """Help with a French "utilisation :" line."""

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[Any], prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups,
                          "utilisation\u00a0: " if prefix is None else prefix)


class _Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Sub-commands whose own --help opens with the line the list shows."""

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if "help" in kwargs:
            kwargs.setdefault("description", kwargs["help"][:1].upper() + kwargs["help"][1:] + ".")
        return super().add_parser(name, **kwargs)


class Parser(argparse.ArgumentParser):
    """argparse with French headings, -h and errors; a usage error exits with 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="afficher cette aide")
        self.register("action", "parsers", _Commands)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : {french_error(message)}\n"
                     f"(« {self.prog} -h » pour l'aide)\n")


def hoist_options(argv: Sequence[str]) -> list[str]:
    """Move `--config FILE`, `--config=FILE` and `-v` to the front (not after `--`)."""
    front: list[str] = []
    rest: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg == "--":
            rest.extend(items[i:])
            break
        if arg in HOISTED_VALUE and i + 1 < len(items):
            front += [arg, items[i + 1]]
            i += 2
            continue
        if arg.split("=", 1)[0] in HOISTED_VALUE and "=" in arg or arg in HOISTED_FLAG:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest
