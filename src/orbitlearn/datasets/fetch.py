"""Where KS files live: the cache, the public download addresses, and checksum-verified fetching.

The cache is ``$ORBITLEARN_DATA/ks/`` when that variable is set, else the platform's user cache
directory (``platformdirs.user_cache_dir("orbitlearn")/ks``). A download goes to a temporary file
that is renamed to ``vNN.gz`` only after its sha256 matches the known checksum.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from orbitlearn.errors import DataNotFoundError, OrbitlearnError

#: Public homes of the Kreuzer-Skarke lists of reflexive 4-polytopes, by vertex count (v05 ... v33).
KS_MIRRORS = (
    "http://quark.itp.tuwien.ac.at/~kreuzer/V/{name}",
    "http://hep.itp.tuwien.ac.at/~kreuzer/V/{name}",
)

#: sha256 of the files whose content we have verified.
KS_SHA256 = {
    "v26.gz": "cbade2915ea4d67c5b673bd3721446dcd7b1b5f11955e8e16c39633840254bbc",
}

KS_VERTEX_RANGE = range(5, 34)


def data_root() -> Path:
    """$ORBITLEARN_DATA if set, else the platform cache directory for orbitlearn."""
    env = os.environ.get("ORBITLEARN_DATA")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("orbitlearn"))


def ks_filename(vertices: int) -> str:
    """The file name of the KS list of polytopes with `vertices` vertices (``v26.gz``)."""
    if vertices not in KS_VERTEX_RANGE:
        raise OrbitlearnError(
            f"no KS file for {vertices} vertices: the lists go from v05 to v33 (vertices 5..33)"
        )
    return f"v{vertices:02d}.gz"


def ks_cache_path(vertices: int) -> Path:
    """Where the KS file for `vertices` lives in the cache folder."""
    return data_root() / "ks" / ks_filename(vertices)


def sha256_of(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """The hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _download(
    url: str, dest: Path, timeout: float, report: Callable[[int, int | None], None] | None
) -> None:
    with urllib.request.urlopen(url, timeout=timeout) as resp, open(dest, "wb") as out:
        total = resp.headers.get("Content-Length")
        total_n = int(total) if total and total.isdigit() else None
        done = 0
        while block := resp.read(1 << 16):
            out.write(block)
            done += len(block)
            if report:
                report(done, total_n)


def fetch_ks(
    vertices: int,
    *,
    force: bool = False,
    mirrors: tuple[str, ...] = KS_MIRRORS,
    timeout: float = 30.0,
    report: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Download vNN.gz into the cache (verified by sha256 where known) and return its path.

    A file already in the cache is returned unless `force`, once its sha256 matches (where known). When every mirror fails the
    error names each URL, why it failed, and where to put the file by hand.
    """
    name = ks_filename(vertices)
    target = ks_cache_path(vertices)
    if target.exists() and not force:
        expected = KS_SHA256.get(name)
        if expected is not None and (digest := sha256_of(target)) != expected:
            raise OrbitlearnError(
                f"{target}: the cached file's sha256 {digest} is not the expected {expected} "
                "(damaged, or another file); fetch it again with: orbitlearn data fetch --force"
            )
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    expected = KS_SHA256.get(name)
    failures: list[str] = []
    for pattern in mirrors:
        url = pattern.format(name=name)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            _download(url, tmp, timeout, report)
            digest = sha256_of(tmp)
            if expected is not None and digest != expected:
                failures.append(f"{url}: sha256 {digest} is not the expected {expected}")
                continue
            shutil.move(str(tmp), target)
            return target
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            failures.append(f"{url}: {reason}")
        finally:
            if tmp.exists():
                tmp.unlink()
    raise DataNotFoundError(
        f"could not fetch {name} ({'; '.join(failures)}); {_where_data_goes(target)}"
    )


def _where_data_goes(target: Path) -> str:
    """Where a KS file is looked for, naming ORBITLEARN_DATA (the usual fix when it is unset)."""
    if os.environ.get("ORBITLEARN_DATA"):
        return f"download it by hand and put it at {target} (under $ORBITLEARN_DATA)"
    return (
        f"ORBITLEARN_DATA is not set, so it was looked for in {target}: set ORBITLEARN_DATA to the "
        "folder whose ks/ holds the file, or put it there by hand"
    )


def resolve_ks_path(vertices: int = 26, *, download: bool = True) -> Path:
    """The cached file for `vertices`, fetched first if absent and `download` is allowed."""
    path = ks_cache_path(vertices)
    if path.exists():
        return path
    if not download:
        raise DataNotFoundError(
            f"{path} does not exist: run `orbitlearn data fetch ks --vertices {vertices}`; "
            + _where_data_goes(path)
        )
    return fetch_ks(vertices)
