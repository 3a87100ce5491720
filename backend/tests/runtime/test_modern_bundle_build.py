"""pyodide_bundle/build_modern.py with a full release archive: a tiny fake
archive (a pyodide-lock.json for the core's Python + one pure wheel) made
here, as an extracted directory and as a .tar.bz2. Uses the build cache
(pyodide_bundle/cache), never the network."""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BUNDLE = ROOT / "pyodide_bundle"
sys.path.insert(0, str(BUNDLE))

import build_modern  # noqa: E402

CORE = BUNDLE / "cache" / build_modern.PYODIDE_TARBALL
pytestmark = pytest.mark.skipif(not CORE.exists(), reason="run pyodide_bundle/build.sh first (fills the cache)")

WHEEL = "keplerdemo-1.0-py3-none-any.whl"


def core_lock_info() -> dict:
    with tarfile.open(CORE) as tar:
        return json.load(tar.extractfile("package/pyodide-lock.json"))["info"]


def demo_wheel() -> bytes:
    buf = io.BytesIO()
    entries = {
        "keplerdemo/__init__.py": "VALUE = 42\n",
        "keplerdemo-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: keplerdemo\nVersion: 1.0\n",
        "keplerdemo-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "keplerdemo-1.0.dist-info/RECORD": "",
    }
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in entries.items():  # a fixed timestamp: the same bytes on every call
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


def make_archive(root: Path, info: dict | None = None, sha256: str | None = None) -> Path:
    """An extracted full release: root/pyodide/{pyodide-lock.json, keplerdemo wheel, unrelated wheel}."""
    folder = root / "pyodide"
    folder.mkdir(parents=True)
    wheel = demo_wheel()
    (folder / WHEEL).write_bytes(wheel)
    (folder / "other-2.0-py3-none-any.whl").write_bytes(b"not wanted")
    entry = {"name": "keplerdemo", "version": "1.0", "file_name": WHEEL, "install_dir": "site",
             "sha256": sha256 or hashlib.sha256(wheel).hexdigest(), "package_type": "package",
             "imports": ["keplerdemo"], "depends": [], "unvendored_tests": False, "tool": {}}
    other = {**entry, "name": "other", "version": "2.0", "file_name": "other-2.0-py3-none-any.whl",
             "imports": ["other"], "sha256": "0" * 64}
    lock = {"info": info or core_lock_info(), "packages": {"keplerdemo": entry, "other": other}, "tool": {}}
    (folder / "pyodide-lock.json").write_text(json.dumps(lock))
    return root


def build(tmp_path: Path, archive_path: Path) -> tuple[dict, Path]:
    dist = tmp_path / "dist" / "modern"
    manifest = build_modern.build(dist, build_modern.Archive(archive_path), archive_packages=["keplerdemo", "numpy"])
    return manifest, dist


def test_archive_directory_packages_join_the_lock_and_the_manifest(tmp_path):
    manifest, dist = build(tmp_path, make_archive(tmp_path / "release"))
    by_name = {p["name"]: p for p in manifest["packages"]}
    assert set(by_name) == {"keplerdemo", "et-xmlfile", "openpyxl", "tabulate"}  # "other" is not wanted
    demo = by_name["keplerdemo"]
    assert demo["source"] == "pyodide" and demo["imports"] == ["keplerdemo"] and demo["version"] == "1.0"
    assert demo["files"][0]["path"] == WHEEL
    assert (dist / WHEEL).read_bytes() == demo_wheel()
    assert not (dist / "other-2.0-py3-none-any.whl").exists()
    lock = json.loads((dist / "pyodide-lock.json").read_text())
    assert sorted(lock["packages"]) == ["et-xmlfile", "keplerdemo", "openpyxl", "tabulate"]
    assert lock["packages"]["openpyxl"]["file_name"] == "wheels/openpyxl-3.1.5-py2.py3-none-any.whl"
    assert lock["info"] == core_lock_info()
    assert {e["name"]: e["reason"] for e in manifest["excluded"]}["numpy"] == "not in the full release archive"
    assert build_modern.common.dist_matches_manifest(dist)


def test_archive_tar_bz2_gives_the_same_bundle(tmp_path):
    release = make_archive(tmp_path / "release")
    tarball = tmp_path / "pyodide-314.0.7.tar.bz2"
    with tarfile.open(tarball, "w:bz2") as tar:
        tar.add(release / "pyodide", arcname="pyodide")
    from_dir, _ = build(tmp_path / "a", release)
    from_tar, dist = build(tmp_path / "b", tarball)
    assert from_tar == from_dir
    assert (dist / WHEEL).read_bytes() == demo_wheel()


def test_an_archive_for_another_python_is_refused(tmp_path):
    info = {**core_lock_info(), "python": "3.13.2", "abi_version": "2025_0"}
    with pytest.raises(SystemExit, match="matching full release"):
        build(tmp_path, make_archive(tmp_path / "release", info=info))


def test_a_file_that_does_not_match_the_archives_sha256_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="does not match the archive's lock"):
        build(tmp_path, make_archive(tmp_path / "release", sha256="1" * 64))


def test_the_stamp_changes_with_the_archive(tmp_path):
    release = make_archive(tmp_path / "release")
    without = build_modern.fingerprint(None)
    with_archive = build_modern.fingerprint(build_modern.Archive(release))
    assert without != with_archive
    assert with_archive == build_modern.fingerprint(build_modern.Archive(release))
