"""The rules and templates shipped with mailbot, and the operator's overrides.

The repository keeps `rules/` and `templates/` at its top level; the wheel
carries them inside the package as `mailbot/data/rules` and
`mailbot/data/templates`, with `config.example.toml` beside them (pyproject.toml, hatchling `force-include`). This
module finds them either way: package data read with `importlib.resources`
in an installed wheel, the clone's folders in an editable install or a
checkout.

An operator's folder (`[paths] rules` / `templates` in config.toml) overlays
the shipped one file by file: a file of the same relative name replaces the
shipped one, a new name is added. `layers()` gives the folders in the order
they are searched, the override first.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

KINDS = ("rules", "templates")


def shipped(kind: str) -> Path:
    """The folder of shipped `rules` or `templates` (installed, or the clone's)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of shipped data: {kind!r}")
    packaged = Path(str(resources.files("mailbot") / "data" / kind))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / kind


def example_config() -> str:
    """The text of config.example.toml (shipped in the wheel, or the clone's)."""
    packaged = resources.files("mailbot") / "data" / "config.example.toml"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parent.parent / "config.example.toml").read_text(
        encoding="utf-8")


def layers(kind: str, override: Path | None) -> tuple[Path, ...]:
    """The folders to search, first match wins: the operator's, then the shipped one."""
    base = shipped(kind)
    if override is None or override.resolve() == base.resolve():
        return (base,)
    return (override, base)


def overlay(kind: str, override: Path | None, pattern: str) -> dict[str, Path]:
    """Relative name -> file, the operator's file replacing a shipped one of the same name."""
    found: dict[str, Path] = {}
    for folder in reversed(layers(kind, override)):
        for path in sorted(folder.glob(pattern)):
            if path.is_file():
                found[path.relative_to(folder).as_posix()] = path
    return dict(sorted(found.items()))


def copy_tree(kind: str, dest: Path) -> list[Path]:
    """Copy the shipped files of `kind` under dest for editing; never overwrite a file."""
    src = shipped(kind)
    written = []
    for path in sorted(src.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        target = dest / path.relative_to(src)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        written.append(target)
    return written
