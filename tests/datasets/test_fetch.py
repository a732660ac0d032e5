from __future__ import annotations

import gzip
import hashlib

import pytest

from orbitlearn.datasets import fetch
from orbitlearn.datasets.ks_dataset import load_ks
from orbitlearn.errors import DataNotFoundError, OrbitlearnError

from .ksfiles import SIMPLEX, SIMPLEX_HEADER, entry_text


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A local 'mirror' (file:// URL) holding a v05.gz whose checksum we register."""
    src = tmp_path / "mirror"
    src.mkdir()
    payload = gzip.compress(entry_text(SIMPLEX_HEADER, SIMPLEX).encode())
    (src / "v05.gz").write_bytes(payload)
    monkeypatch.setitem(fetch.KS_SHA256, "v05.gz", hashlib.sha256(payload).hexdigest())
    cache = tmp_path / "cache"
    monkeypatch.setenv("ORBITLEARN_DATA", str(cache))
    return src.as_uri() + "/{name}", cache


def test_fetch_downloads_verifies_and_caches(mirror):
    url, cache = mirror
    path = fetch.fetch_ks(5, mirrors=(url,))
    assert path == cache / "ks" / "v05.gz"
    assert fetch.sha256_of(path) == fetch.KS_SHA256["v05.gz"]
    assert list((cache / "ks").iterdir()) == [path]  # no temporary file left behind
    data = load_ks(vertices=5, download=False)
    assert len(data) == 1 and int(data.h11[0]) == 101


def test_cached_file_is_used_without_download(mirror):
    url, cache = mirror
    fetch.fetch_ks(5, mirrors=(url,))
    assert fetch.fetch_ks(5, mirrors=("file:///nonexistent/{name}",)) == cache / "ks" / "v05.gz"


def test_bad_checksum_keeps_nothing(mirror, monkeypatch):
    url, cache = mirror
    monkeypatch.setitem(fetch.KS_SHA256, "v05.gz", "0" * 64)
    with pytest.raises(DataNotFoundError, match="sha256"):
        fetch.fetch_ks(5, mirrors=(url,))
    assert list((cache / "ks").iterdir()) == []


def test_falls_back_to_the_next_mirror(mirror):
    url, cache = mirror
    path = fetch.fetch_ks(5, mirrors=("file:///nonexistent/{name}", url))
    assert path.exists()


def test_offline_error_names_urls_and_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ORBITLEARN_DATA", str(tmp_path))
    with pytest.raises(DataNotFoundError) as info:
        fetch.fetch_ks(7, mirrors=("file:///nonexistent/a/{name}", "file:///nonexistent/b/{name}"))
    msg = str(info.value)
    assert "file:///nonexistent/a/v07.gz" in msg and "file:///nonexistent/b/v07.gz" in msg
    assert str(tmp_path / "ks" / "v07.gz") in msg


def test_missing_cache_without_download_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("ORBITLEARN_DATA", str(tmp_path))
    with pytest.raises(DataNotFoundError, match="orbitlearn data fetch ks --vertices 26"):
        load_ks(vertices=26, download=False)


def test_corrupted_cache_is_detected(tmp_path, monkeypatch):
    monkeypatch.setenv("ORBITLEARN_DATA", str(tmp_path))
    (tmp_path / "ks").mkdir()
    (tmp_path / "ks" / "v26.gz").write_bytes(gzip.compress(b"4 5\n"))
    with pytest.raises(DataNotFoundError, match="sha256 does not match"):
        load_ks(vertices=26, download=False)


def test_vertex_count_out_of_range():
    with pytest.raises(OrbitlearnError, match="v05 to v33"):
        fetch.ks_filename(40)
