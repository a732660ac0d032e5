"""Writing files so that a reader sees the old file or the whole new one, never a part.

`atomic_write(path)` opens a hidden temporary file in the destination folder and renames it over
`path` only when the block ends without an exception; on any exception (Ctrl-C included) the
temporary file is removed (the CLI turns SIGTERM into such an exception too). A process killed
with SIGKILL can leave one hidden ``.NAME.PID.tmp`` file beside the destination, never a
truncated destination. A destination that is a symbolic link stays a link: the file it points
to is replaced; an existing destination keeps its permission bits.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from orbitlearn.errors import OrbitlearnError


def temp_path(path: Path) -> Path:
    """The temporary file `atomic_write` uses for `path` (same folder, hidden, per process)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextmanager
def atomic_write(
    path: str | os.PathLike,
    mode: str = "w",
    *,
    encoding: str | None = None,
    newline: str | None = None,
    compress: bool | None = None,
) -> Iterator[IO[Any]]:
    """A file object for `path` that replaces it atomically when the block ends.

    `mode` is "w" (text) or "wb"; `compress` gzips the content (default: when the name ends
    in .gz). Raises `OrbitlearnError` if `path` is a directory.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write mode must be 'w' or 'wb', not {mode!r}")
    path = Path(path)
    if path.is_symlink():  # replace the file the link points to, and keep the link
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise OrbitlearnError(f"{path}: is a directory, expected a file name to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    try:
        keep_mode: int | None = stat.S_IMODE(path.stat().st_mode)  # an existing file's mode
    except OSError:
        keep_mode = None
    if compress is None:
        compress = path.suffix == ".gz"
    try:
        with open(tmp, "wb") as raw:
            # gzip named after the destination with mtime 0: the same content gives the same bytes
            gz = (
                gzip.GzipFile(filename=path.name, mode="wb", fileobj=raw, mtime=0)
                if compress
                else None
            )
            binary = gz if gz is not None else raw
            if mode == "wb":
                yield binary
            else:
                text = io.TextIOWrapper(binary, encoding=encoding or "utf-8", newline=newline)
                yield text
                text.flush()
                text.detach()
            if gz is not None:
                gz.close()
        if keep_mode is not None:
            os.chmod(tmp, keep_mode)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is None:  # a failed write (disk full): name the file being written
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


#: the path that means standard output wherever a command writes a file
STDOUT = "-"


def is_stdout(path: str | os.PathLike | None) -> bool:
    """Whether a path to write means standard output (none given, or ``-``)."""
    return path is None or str(path) == STDOUT


@contextmanager
def output_stream(
    path: str | os.PathLike | None,
    mode: str = "w",
    *,
    compress: bool | None = None,
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Standard output for None or ``-`` (left open), else `atomic_write(path, mode)`."""
    if is_stdout(path):
        import sys

        stream = sys.stdout.buffer if mode == "wb" else sys.stdout
        yield stream
        stream.flush()
        return
    with atomic_write(path, mode, compress=compress, newline=newline) as fh:  # type: ignore[arg-type]
        yield fh


def remove_stale_temps(path: str | os.PathLike) -> list[Path]:
    """Delete the temporary files that killed writers of `path` left behind (their process is
    gone); returns what was removed."""
    path = Path(path)
    removed = []
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        pid_text = tmp.name[len(path.name) + 2 : -len(".tmp")]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but is not ours
        return True
    return True


@contextmanager
def held_lock(path: str | os.PathLike) -> Iterator[None]:
    """An exclusive advisory lock on the file `path` (created if missing) for the block: another
    process asking for it waits until this one leaves the block (or dies: the system releases
    it). Where the platform has no `fcntl` (Windows), no lock is taken."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - POSIX only
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write `text` to `path` atomically; returns the path."""
    with atomic_write(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(path)


def save_figure(fig: Any, path: str | os.PathLike, dpi: int = 110) -> Path:
    """A matplotlib figure saved atomically as PNG."""
    with atomic_write(path, "wb") as fh:
        fig.savefig(fh, dpi=dpi, format="png")
    return Path(path)


def _same_file(a: str, b: str) -> bool:
    """Whether paths `a` and `b` name one file (symlinks followed, hard links included)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): not the same file
        return False


def refuse_output_over_input(outputs: dict[str, Any], inputs: list[Any]) -> None:
    """OrbitlearnError, before anything is written, if an output path (``{option: path}``;
    None and ``-`` skipped) resolves to an input path (symlinks followed, hard links too)."""
    named = [str(p) for p in inputs if p is not None and str(p) != "-"]
    written: list[tuple[str, str]] = []
    for option, out in outputs.items():
        if out is None or str(out) == "-":
            continue
        for other_option, other in written:
            if _same_file(str(out), other):
                raise OrbitlearnError(
                    f"{out}: {option} and {other_option} name the same file; give two files"
                )
        written.append((option, str(out)))
        for path in named:
            if _same_file(str(out), path):
                raise OrbitlearnError(
                    f"{out}: {option} is also an input ({path}); refusing to overwrite an input"
                )
