"""Write-ahead disk spool: one file per batch, written atomically before it is sent, deleted once settled.

Files are ``<time ns>-<pid>-<seq>-<count>.jsonl`` holding the batch's logs one per line, each exactly the
bytes sent for it (compact JSON never holds a raw newline), so a restarted exporter resends every log as it
was sent, one per request or as an array (same message ids; the server de-duplicates). A batch settled only
in part is rewritten with the logs still owed. Writing goes to a temporary file that is fsynced and renamed,
so a crash leaves either the whole file or none. The total size is capped: the oldest files are deleted and
their interactions counted as dropped. ``.json`` files (a JSON array, as earlier versions wrote) are read too.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

_logger = logging.getLogger("huggingplace.exporter")

_SUFFIX: Final = ".jsonl"
_LEGACY_SUFFIX: Final = ".json"  # a JSON array of logs, written by earlier versions
_TEMP_SUFFIX: Final = ".tmp"


@dataclass(frozen=True, slots=True)
class SpoolFile:
    path: Path
    count: int  # interactions in the batch
    size: int


class Spool:
    """Thread-safe. ``write`` returns the new file and the number of interactions evicted to make room."""

    def __init__(self, directory: Path, max_bytes: int, *, adopt_existing: bool = True) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._seq = itertools.count()
        directory.mkdir(parents=True, exist_ok=True)
        self._files: dict[Path, SpoolFile] = {}
        if adopt_existing:
            self._adopt(directory)

    def _adopt(self, directory: Path) -> None:
        """Index the files a previous process left (and remove its half-written temporaries)."""
        for path in sorted(directory.iterdir()):
            if path.name.endswith(_TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    path.unlink()  # an interrupted write: never renamed, so never promised to anyone
            elif path.name.endswith((_SUFFIX, _LEGACY_SUFFIX)):
                count = _count_from_name(path.name)
                if count is not None:
                    with contextlib.suppress(OSError):
                        self._files[path] = SpoolFile(path, count, path.stat().st_size)

    def pending(self) -> list[SpoolFile]:
        """Files present, oldest first."""
        with self._lock:
            return sorted(self._files.values(), key=lambda f: f.path.name)

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return sum(f.size for f in self._files.values())

    def write(self, body: bytes, count: int) -> tuple[SpoolFile | None, int]:
        """Persist one batch; returns (file or None when it alone exceeds the cap, interactions evicted)."""
        if len(body) > self.max_bytes:
            return None, 0
        evicted = 0
        with self._lock:
            total = sum(f.size for f in self._files.values())
            for oldest in sorted(self._files.values(), key=lambda f: f.path.name):
                if total + len(body) <= self.max_bytes:
                    break
                with contextlib.suppress(OSError):
                    oldest.path.unlink()
                del self._files[oldest.path]
                total -= oldest.size
                evicted += oldest.count
            name = f"{time.time_ns():020d}-{os.getpid()}-{next(self._seq):08d}-{count}{_SUFFIX}"
            path = self.directory / name
            _write_atomically(path, body)
            spooled = SpoolFile(path, count, len(body))
            self._files[path] = spooled
        return spooled, evicted

    def replace(self, spooled: SpoolFile, body: bytes, count: int) -> SpoolFile | None:
        """Rewrite a file with the logs still owed (same age, new count); the old file goes after the new
        one is durable, so a crash in between only resends logs the server de-duplicates."""
        stem = spooled.path.name.rsplit(".", 1)[0].rsplit("-", 1)[0]
        path = self.directory / f"{stem}-{count}{_SUFFIX}"
        with self._lock:
            if spooled.path not in self._files:
                return None  # evicted by the size cap meanwhile (already counted)
            _write_atomically(path, body)
            if path != spooled.path:
                with contextlib.suppress(FileNotFoundError):
                    spooled.path.unlink()
            del self._files[spooled.path]
            rewritten = SpoolFile(path, count, len(body))
            self._files[path] = rewritten
        return rewritten

    def read(self, spooled: SpoolFile) -> bytes | None:
        try:
            return spooled.path.read_bytes()
        except OSError:
            with self._lock:
                self._files.pop(spooled.path, None)
            return None

    def delete(self, spooled: SpoolFile) -> None:
        with self._lock:
            self._files.pop(spooled.path, None)
        with contextlib.suppress(FileNotFoundError):
            spooled.path.unlink()


def _write_atomically(path: Path, body: bytes) -> None:
    temp = path.with_name(path.name + _TEMP_SUFFIX)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        _write_all(fd, body)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)
    _fsync_directory(path.parent)


def _write_all(fd: int, body: bytes) -> None:
    view = memoryview(body)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _count_from_name(name: str) -> int | None:
    try:
        return int(name.rsplit(".", 1)[0].rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return None
