"""`mailbot init DIR`: a commented config.toml with absolute paths, and on
request a copy of the shipped rules and templates to edit.

The config is the shipped `config.example.toml` with `data_dir` made absolute
and, when the rules and templates are copied, its `[paths]` section filled in.
Nothing that exists is overwritten.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from mailbot import shipped
from mailbot.cli import Cli
from mailbot.cli.labels import os_error

_DATA_DIR = re.compile(r'^data_dir = "[^"]*"', re.MULTILINE)
_PATHS = re.compile(r"^# \[paths\].*\n# rules = .*\n# templates = .*$", re.MULTILINE)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "init", help="écrire DOSSIER/config.toml (chemins absolus), pour commencer",
        description="Écrit DOSSIER/config.toml à partir de l'exemple commenté, avec des "
                    "chemins absolus. Avec --copy, copie aussi les règles et les modèles "
                    "livrés dans DOSSIER/rules et DOSSIER/templates pour les modifier.")
    p.add_argument("dir", type=Path, metavar="DOSSIER", help="le dossier de la configuration")
    p.add_argument("--data-dir", type=Path, metavar="CHEMIN",
                   help="le dossier des données (défaut : DOSSIER/data)")
    p.add_argument("--copy", action="store_true",
                   help="copier les règles et les modèles livrés pour les modifier")
    p.set_defaults(func=cmd_init, needs_config=False)


def config_text(example: str, data_dir: Path, overrides: Path | None) -> str:
    """The example config with an absolute data_dir and, if given, filled [paths]."""
    text, n = _DATA_DIR.subn(f'data_dir = "{data_dir}"', example, count=1)
    if n != 1:
        raise ValueError("config.example.toml has no data_dir line")
    if overrides is not None:
        text, n = _PATHS.subn(
            "[paths]                         # your copies; a file missing here is the shipped one\n"
            f'rules = "{overrides / "rules"}"\n'
            f'templates = "{overrides / "templates"}"', text, count=1)
        if n != 1:
            raise ValueError("config.example.toml has no commented [paths] section")
    return text


def cmd_init(args: argparse.Namespace, cli: Cli) -> int:
    folder: Path = args.dir.expanduser().resolve()
    target = folder / "config.toml"
    if target.exists():
        print(f"mailbot\u00a0: {target} existe déjà\u202f; rien n'a été écrit.",
              file=sys.stderr)
        return 2
    data_dir = (args.data_dir.expanduser().resolve() if args.data_dir else folder / "data")
    text = config_text(shipped.example_config(), data_dir, folder if args.copy else None)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        copied = {kind: shipped.copy_tree(kind, folder / kind) for kind in shipped.KINDS
                  } if args.copy else {}
    except OSError as err:
        print(f"mailbot\u00a0: impossible d'écrire dans {folder}\u00a0: {os_error(err, False)}",
              file=sys.stderr)
        return 2
    print(f"écrit\u00a0: {target}")
    for kind, files in copied.items():
        print(f"copié\u00a0: {len(files)} fichier(s) dans {folder / kind}")
    print(f"À faire\u00a0: modifier {target} (serveur, adresses, COTECH), "
          f"puis « mailbot --config {target} check ».")
    return 0
