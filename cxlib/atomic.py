"""Write files whole or not at all: a temporary file in the same folder, then a rename.

A reader (a browser refreshing ``index.html``, a notebook reading ``mapping.yml``)
sees either the previous file or the new one, never half of one: the text is written
to a hidden temporary file beside the target, flushed to disk and renamed over it
(``os.replace`` is atomic within one file system). When writing fails (a full disk,
a read-only folder) the temporary file is removed, the previous file is left as it
was, and :class:`cxlib.errors.OutputError` says which file and why.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError

__all__ = ["write_text", "write_bytes", "replacing"]

_REASONS = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "the disk quota is used up",
            errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
            errno.EPERM: "permission denied"}


def _error(path: Path, err: OSError) -> OutputError:
    reason = _REASONS.get(err.errno, err.strerror or str(err))
    kept = "the previous file is kept as it was" if path.exists() else "nothing was written"
    return OutputError(f"cannot write {path}: {reason} ({kept})", err.errno)


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed over ``path`` when the block succeeds.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with replacing(target) as tmp:
    ...     _ = tmp.write_text("whole")
    >>> target.read_text()
    'whole'
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        os.close(fd)
    except OSError as err:
        raise _error(path, err) from None
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:  # on disk before the rename, so a crash cannot leave an empty file
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise _error(path, err) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see the module docstring)."""
    path = Path(path)
    with replacing(path) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(data)
    return path


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see the module docstring)."""
    return write_bytes(path, text.encode(encoding))
