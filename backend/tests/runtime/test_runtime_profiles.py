"""PYODIDE_PROFILE: the server reads the active profile's manifest, checks that
profile's bundle, and tells the page which worker to start (GET /api/runtime)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.core.config import get_settings
from app.services.code_execution import sandbox_env

ROOT = Path(__file__).resolve().parents[3]
BUILT_MODERN = ROOT / "pyodide_bundle" / "dist" / "modern" / "manifest.json"
CHECKED_IN = ROOT / "pyodide_bundle" / "manifest.classic.json"
CHECKED_IN_MODERN = ROOT / "pyodide_bundle" / "manifest.json"


def write_modern_bundle(bundle: Path, packages: list[dict] | None = None) -> dict:
    """A modern bundle dir with one real file per manifest entry."""
    modern = bundle / "modern"
    (modern / "wheels").mkdir(parents=True)
    (modern / "pyodide.mjs").write_text("export {}")
    (modern / "wheels" / "tabulate-0.9.0-py3-none-any.whl").write_bytes(b"wheel")
    manifest = {
        "profile": "modern", "pyodide_version": "314.0.7", "python_version": "3.14.2",
        "index_url": "/pyodide/modern/",
        "packages": packages or [{"name": "tabulate", "version": "0.9.0", "imports": ["tabulate"],
                                  "source": "wheel", "depends": [],
                                  "files": [{"path": "wheels/tabulate-0.9.0-py3-none-any.whl", "size": 5,
                                             "sha256": "0" * 64}]}],
        "core_files": [{"path": "pyodide.mjs", "size": 9, "sha256": "0" * 64}],
        "excluded": [{"name": "numpy", "reason": "not in the npm core"}],
    }
    (modern / "manifest.json").write_text(json.dumps(manifest))
    return manifest


@pytest.fixture
def profile_env(tmp_path, monkeypatch):
    """(bundle dir, set_profile(name)) with settings re-read after each change."""
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYODIDE_BUNDLE_DIR", str(bundle))
    monkeypatch.delenv("PYODIDE_FULL_ARCHIVE", raising=False)

    def set_profile(name: str) -> None:
        monkeypatch.setenv("PYODIDE_PROFILE", name)
        get_settings.cache_clear()

    set_profile("classic")
    yield bundle, set_profile
    get_settings.cache_clear()


def test_profile_defaults_to_modern(profile_env, monkeypatch):
    monkeypatch.delenv("PYODIDE_PROFILE")
    get_settings.cache_clear()
    assert get_settings().PYODIDE_PROFILE == "modern"
    assert get_settings().PYODIDE_FULL_ARCHIVE is None


def test_an_unknown_profile_is_rejected(profile_env):
    _bundle, set_profile = profile_env
    set_profile("nightly")
    with pytest.raises(ValueError):
        get_settings()


def test_classic_falls_back_to_the_checked_in_manifest(profile_env):
    manifest = sandbox_env.load_manifest()
    assert manifest.source == CHECKED_IN and manifest.profile == "classic"
    assert manifest.python_version == "3.8.2"


def test_modern_profile_reads_dist_modern_manifest(profile_env):
    bundle, set_profile = profile_env
    write_modern_bundle(bundle)
    set_profile("modern")
    manifest = sandbox_env.load_manifest()
    assert manifest.source == bundle / "modern" / "manifest.json"
    assert manifest.profile == "modern" and manifest.python_version == "3.14.2"
    assert sandbox_env.preinstalled_packages() == ["tabulate"]
    text = sandbox_env.available_libraries_text()
    assert "Python 3.14.2" in text and "tabulate 0.9.0" in text
    assert "NOT available: numpy" in text and "pandas" not in text
    assert sandbox_env.runtime_info()["profile"] == "modern"


def test_modern_profile_falls_back_to_its_own_checked_in_copy(profile_env):
    _bundle, set_profile = profile_env
    set_profile("modern")
    manifest = sandbox_env.load_manifest()
    assert manifest.source == CHECKED_IN_MODERN and manifest.profile == "modern"
    assert manifest.python_version == "3.12.7"
    status = sandbox_env.ensure_packages()
    assert not status.ok and "(modern) missing" in status.message and "build.sh" in status.message


def test_ensure_packages_checks_the_modern_bundle(profile_env):
    bundle, set_profile = profile_env
    write_modern_bundle(bundle)
    set_profile("modern")
    status = sandbox_env.ensure_packages()
    assert status.ok, status.message
    assert "1 packages (modern)" in status.message
    (bundle / "modern" / "wheels" / "tabulate-0.9.0-py3-none-any.whl").unlink()
    status = sandbox_env.ensure_packages()
    assert not status.ok and "1 missing" in status.message


def test_ensure_packages_rejects_a_bundle_of_the_other_profile(profile_env):
    bundle, set_profile = profile_env
    write_modern_bundle(bundle)
    shutil.copytree(bundle / "modern", bundle / "copy")
    shutil.rmtree(bundle / "modern")
    (bundle / "copy").rename(bundle / "modern")
    shutil.copy(bundle / "modern" / "manifest.json", bundle / "manifest.json")  # a modern manifest at the classic place
    status = sandbox_env.ensure_packages()
    assert not status.ok and "is a modern bundle, PYODIDE_PROFILE is classic" in status.message


def test_ensure_packages_notices_an_archive_the_bundle_was_not_built_with(profile_env, monkeypatch, tmp_path):
    bundle, set_profile = profile_env
    write_modern_bundle(bundle)
    monkeypatch.setenv("PYODIDE_FULL_ARCHIVE", str(tmp_path / "pyodide-314.0.7.tar.bz2"))
    set_profile("modern")
    status = sandbox_env.ensure_packages()
    assert not status.ok and "PYODIDE_FULL_ARCHIVE" in status.message


@pytest.mark.skipif(not BUILT_MODERN.exists(), reason="pyodide_bundle/dist/modern is not built")
def test_the_built_modern_manifest_has_the_classic_format(profile_env):
    built = json.loads(BUILT_MODERN.read_text())
    classic = json.loads(CHECKED_IN.read_text())
    assert built.keys() == classic.keys() | {"stdlib", "prewarm_rest"}
    assert built["profile"] == "modern" and built["index_url"] == "/pyodide/modern/"
    assert built["python_version"] == "3.12.7"
    lock = json.loads((BUILT_MODERN.parent / "pyodide-lock.json").read_text())
    assert built["python_version"] == lock["info"]["python"]
    # the lock names exactly the manifest's packages, file for file (a stored
    # `<wheel>.gz` is served as its `inflated` wheel, whose sha256 the lock has)
    served = {p["name"]: p["files"][0].get("inflated") or p["files"][0]
              for p in built["packages"] if p["source"] != "wasi"}
    assert {n: f["path"] for n, f in served.items()} == {n: e["file_name"] for n, e in lock["packages"].items()}
    assert all(served[n]["sha256"] == e["sha256"] for n, e in lock["packages"].items())
    stored = {p["name"] for p in built["packages"] if p["files"] and "inflated" in p["files"][0]}
    assert {"numpy", "pandas", "matplotlib", "pytz"} <= stored
    assert all(p["files"][0]["path"] == p["files"][0]["inflated"]["path"] + ".gz"
               for p in built["packages"] if p["name"] in stored)
    by_name = {p["name"]: p for p in built["packages"]}
    assert by_name["openpyxl"]["depends"] == ["et-xmlfile"] and by_name["openpyxl"]["source"] == "wheel"
    package_keys = set(classic["packages"][0])
    assert all(set(p) == package_keys for p in built["packages"] if p["source"] != "wasi")
    assert {"pyodide.mjs", "pyodide.asm.wasm", "python_stdlib.pyc.zip", "pyodide-lock.json"} <= {
        f["path"] for f in built["core_files"]}


def api_client():
    """A synchronous client (the route needs no database, so no lifespan): these
    tests also run in one pytest process with the sync Playwright tests."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    return TestClient(create_app(get_settings()))


def test_api_runtime_names_the_classic_profile_by_default(profile_env):
    response = api_client().get("/api/runtime")  # no sign-in needed
    assert response.status_code == 200
    assert response.json() == {"profile": "classic", "index_url": "/pyodide/",
                               "manifest_url": "/pyodide/manifest.json", "python_version": "3.8.2"}


def test_api_runtime_names_the_modern_profile(profile_env):
    bundle, set_profile = profile_env
    write_modern_bundle(bundle)
    set_profile("modern")
    client = api_client()
    body = client.get("/api/runtime").json()
    assert body == {"profile": "modern", "index_url": "/pyodide/modern/",
                    "manifest_url": "/pyodide/modern/manifest.json", "python_version": "3.14.2"}
    served = client.get(body["manifest_url"])
    assert served.status_code == 200 and served.json()["profile"] == "modern"
    assert served.headers["cache-control"] == "no-cache"


def test_api_runtime_of_an_unbuilt_modern_bundle_names_the_checked_in_version(profile_env):
    _bundle, set_profile = profile_env
    set_profile("modern")
    body = api_client().get("/api/runtime").json()
    # the checked-in manifest tells the version before a build
    assert body["profile"] == "modern" and body["python_version"] == "3.12.7"


def test_the_prewarm_wheels_defer_what_a_start_does_not_open(profile_env):
    """A pre-warm wheel keeps its shared libraries and metadata; sources with a .pyc
    in the pack are empty there and whole in prewarm-rest.bin, with the fonts."""
    import gzip
    import io
    import struct
    import zipfile

    built = json.loads(BUILT_MODERN.read_text())
    rest_entry = built["prewarm_rest"]
    blob = gzip.decompress((BUILT_MODERN.parent / rest_entry["path"]).read_bytes())
    assert len(blob) == rest_entry["inflated"]["size"]
    (n,) = struct.unpack_from("<I", blob)
    rest = {path: length for path, length in json.loads(blob[4:4 + n])}
    pandas = next(p for p in built["packages"] if p["name"] == "pandas")["files"][0]
    wheel = zipfile.ZipFile(io.BytesIO(gzip.decompress((BUILT_MODERN.parent / pandas["path"]).read_bytes())))
    members = {i.filename: i.file_size for i in wheel.infolist()}
    site = "/lib/python3.12/site-packages/"
    assert members["pandas/core/frame.py"] == 0 and rest[site + "pandas/core/frame.py"] > 100_000
    assert any(m.endswith(".so") and size > 0 for m, size in members.items())
    assert all(site + m not in rest for m in members if ".so" in m or ".dist-info/" in m)
    assert site + "matplotlib/mpl-data/fonts/ttf/DejaVuSans.ttf" in rest
