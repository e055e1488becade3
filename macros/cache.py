"""A content cache that never serves a damaged file.

Entries are named by the hash of their inputs and carry the hash of their content: a file cut short
(a full disk, a killed writer) or changed by hand fails the check on read, is reported and made again.
Entries are written to a temporary file and renamed into place, so a reader never sees half a file,
and two builds writing the same entry at once both write whole files. The cache is an optimisation:
when it cannot be read or written, the build warns and carries on without it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

LOG = logging.getLogger("mentoring.build")
MAGIC = b"MSCACHE1"  # then the 32-byte SHA-256 of the content, then the content


class Cache:
    def __init__(self, folder: Path | None):
        self.folder = folder
        self.warned = False
        self.damaged: list[str] = []

    def _warn(self, message: str) -> None:
        if not self.warned:
            LOG.warning("%s; continuing without the download cache", message)
            self.warned = True

    def get(self, key: str) -> bytes | None:
        """The content stored under ``key``, or None (missing, damaged or unreadable)."""
        if self.folder is None:
            return None
        path = self.folder / key
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._warn(f"cannot read the cache ({exc.strerror or exc})")
            return None
        body = data[len(MAGIC) + 32:]
        if data[:len(MAGIC)] != MAGIC or hashlib.sha256(body).digest() != data[len(MAGIC):len(MAGIC) + 32]:
            self.damaged.append(key)
            LOG.warning("cache entry %s was damaged (cut short or changed); making it again", key)
            try:
                path.unlink()
            except OSError:
                pass
            return None
        return body

    def put(self, key: str, content: bytes) -> None:
        if self.folder is None:
            return
        try:
            _replace(self.folder / key, MAGIC + hashlib.sha256(content).digest() + content, sync=True)
        except OSError as exc:
            self._warn(f"cannot write the cache in {self.folder} ({exc.strerror or exc})")


def write_atomic(path: Path, data: bytes) -> bool:
    """Write a file by renaming a complete temporary file over it; False when it was unchanged."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    _replace(path, data)
    return True


def _replace(path: Path, data: bytes, sync: bool = False) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path`` (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
