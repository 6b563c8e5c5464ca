"""A local Maildir folder as a mail source: the embedded default.

`<root>/<folder>/{cur,new,tmp}`. Keys are the Maildir unique names. A recorded
message leaves `new/` for `cur/` (`settle`, as a mail reader does: it stays
unseen), so a pass lists `new/` alone and costs what arrived; a full pass lists
both. Keywords follow Dovecot's convention (`dovecot-keywords` maps letters a-z to names),
so a Dovecot later pointed at the same Maildir shows them. Quarantine is an
atomic rename into `<root>/<quarantine>/cur/`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from mailbot.errors import SourceError
from mailbot.sources import Envelope

SUBDIRS = ("cur", "new", "tmp")


class MaildirSource:
    """One Maildir folder, polled."""

    def __init__(self, root: Path, folder: str, role: str, quarantine_folder: str,
                 poll_seconds: float = 1.0) -> None:
        self.root, self.role, self.mailbox = root, role, folder
        self.path = root / folder
        self.quarantine_path = root / quarantine_folder
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._files: dict[str, Path] = {}

    def open(self) -> None:
        for base in (self.path, self.quarantine_path):
            for sub in SUBDIRS:
                try:
                    (base / sub).mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    raise SourceError(f"cannot create Maildir {base}: {err}") from err

    def close(self) -> None:
        self._files.clear()

    def known_prefix(self) -> str:
        return f"maildir:{self.mailbox}/"

    def _scan(self, subdirs: tuple[str, ...] = ("new", "cur")) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for sub in subdirs:
            directory = self.path / sub
            try:
                entries = list(os.scandir(directory))
            except FileNotFoundError:
                continue
            for entry in entries:
                if entry.is_file() and not entry.name.startswith("."):
                    files[entry.name.split(":", 1)[0]] = Path(entry.path)
        return files

    def pending(self, since: int | None = None) -> list[Envelope]:
        """Every message (`since` None), or those still in `new/`."""
        self._files = self._scan() if since is None else self._scan(("new",))
        return [Envelope(self.role, self.mailbox, 0, 0, name, 0) for name in sorted(self._files)]

    def sized(self, envelopes: list[Envelope]) -> list[Envelope]:
        paths = [(e, self._find(e)) for e in envelopes]
        return [replace(e, size=self._size(p)) for e, p in paths if p is not None]

    @staticmethod
    def _size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:
            return 0

    def _path(self, env: Envelope) -> Path:
        path = self._find(env)
        if path is None:
            raise SourceError(f"{self.path}: message {env.name} has disappeared")
        return path

    def size(self, envelope: Envelope) -> int:
        return self._size(self._path(envelope))

    def fetch(self, envelopes: list[Envelope], fields: Sequence[str] | None = None
              ) -> Iterator[tuple[Envelope, bytes]]:
        """With `fields`: the whole header block (a file is read whole anyway)."""
        for env in envelopes:
            data = self.fetch_one(env)
            if fields is not None:
                end = data.find(b"\r\n\r\n")
                end = data.find(b"\n\n") if end < 0 else end
                data = data if end < 0 else data[: end + 2]
            yield env, data

    def fetch_one(self, envelope: Envelope) -> bytes:
        try:
            return self._path(envelope).read_bytes()
        except OSError as err:
            raise SourceError(f"cannot read {envelope.key}: {err}") from err

    def _letter(self, keyword: str) -> str:
        index_file = self.path / "dovecot-keywords"
        lines = index_file.read_text().splitlines() if index_file.exists() else []
        names = dict(line.split(" ", 1)[::-1] for line in lines if " " in line)
        if keyword not in names:
            used = {int(i) for i in names.values()}
            free = next(i for i in range(26) if i not in used)
            names[keyword] = str(free)
            lines.append(f"{free} {keyword}")
            tmp = index_file.with_suffix(".tmp")
            tmp.write_text("\n".join(lines) + "\n")
            os.replace(tmp, index_file)
        return chr(ord("a") + int(names[keyword]))

    def add_keyword(self, envelopes: list[Envelope], keyword: str) -> None:
        letter = self._letter(keyword)
        for env in envelopes:
            path = self._path(env)
            base, _, info = path.name.partition(":2,")
            flags = "".join(sorted(set(info) | {letter}))
            target = self.path / "cur" / f"{base}:2,{flags}"
            if path != target:
                os.replace(path, target)
                self._files[env.name] = target

    def keywords(self, env: Envelope) -> set[str]:
        """The keyword names set on a message (for tests and the CLI)."""
        index_file = self.path / "dovecot-keywords"
        lines = index_file.read_text().splitlines() if index_file.exists() else []
        letters = {chr(ord("a") + int(i)): n for i, n in (line.split(" ", 1) for line in lines)}
        info = self._path(env).name.partition(":2,")[2]
        return {letters[ch] for ch in info if ch in letters}

    def quarantine(self, envelopes: list[Envelope]) -> None:
        for env in envelopes:
            path = self._find(env)
            if path is None:
                continue  # already moved: idempotent
            os.replace(path, self.quarantine_path / "cur" / path.name)
            self._files.pop(env.name, None)

    def settle(self, envelopes: list[Envelope]) -> None:
        """`new/` to `cur/` (no flag set: the message stays unseen); idempotent."""
        for env in envelopes:
            path = self._files.get(env.name)
            if path is not None and path.parent.name != "new":
                continue  # listed in cur/: no need to look (a full pass lists thousands)
            path = self._find(env)
            if path is None or path.parent.name != "new":
                continue
            target = self.path / "cur" / f"{path.name}:2,"
            os.replace(path, target)
            self._files[env.name] = target

    def _find(self, env: Envelope) -> Path | None:
        """The message's file now, or None when it has left the folder."""
        path = self._files.get(env.name)
        if path is None or not path.exists():
            self._files = self._scan()
            path = self._files.get(env.name)
        return path

    def wait(self, timeout: float) -> bool:
        fired = self._wake.wait(min(timeout, self.poll_seconds))
        self._wake.clear()
        return fired

    def interrupt(self) -> None:
        self._wake.set()
