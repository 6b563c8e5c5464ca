"""Proof files on disk, content-addressed: `files_dir/ab/cd/<sha256>`.

The name is the SHA-256 of the bytes, never anything the sender wrote (the
display name lives in the database), so a hostile filename cannot reach the
file system. Writes are atomic (a temporary file in the same directory, fsync,
rename) and idempotent (a file already there is left alone). That is what makes
writing before the message's transaction commits safe: a crash leaves at worst
an unreferenced file, which a re-run writes again to the same name.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from mailbot.errors import StorageError

_SHA = re.compile(r"[0-9a-f]{64}")


class BlobStore:
    """Files under a root directory, by SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if not _SHA.fullmatch(sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes, sha256: str | None = None) -> str:
        """Store the bytes (once); return their SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        if sha256 is not None and sha256 != digest:
            raise ValueError("the bytes do not match the given SHA-256")
        target = self.path(digest)
        if target.is_file() and target.stat().st_size == len(data):
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(tmp, 0o640)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as err:
            raise StorageError(f"cannot store file {digest}: {err}") from err
        return digest

    def get(self, sha256: str) -> bytes:
        try:
            return self.path(sha256).read_bytes()
        except OSError as err:
            raise StorageError(f"file {sha256} not found in {self.root}: {err}") from err
