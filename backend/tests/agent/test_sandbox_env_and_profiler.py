"""What the prompts are told about the runtime, and the cached dataset profile."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from app.core.config import get_settings
from app.services.agent.tools import data_profiler
from app.services.agent.tools.data_profiler import profile_file
from app.services.code_execution import sandbox_env


@pytest.fixture
def bundle_dir(tmp_path, monkeypatch):
    """A settings object whose bundle dir is a temporary copy of the checked-in manifest."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYODIDE_BUNDLE_DIR", str(tmp_path / "bundle"))
    get_settings.cache_clear()
    yield tmp_path / "bundle"
    get_settings.cache_clear()


def test_the_package_list_is_the_manifests_not_a_constant(bundle_dir):
    manifest = json.loads(sandbox_env.CHECKED_IN_MANIFESTS["modern"].read_text())  # the default profile
    versions = {p["name"]: p["version"] for p in manifest["packages"]}
    assert sandbox_env.PREINSTALLED_PACKAGES == sorted(versions, key=str.lower)
    text = sandbox_env.available_libraries_text()
    assert f"pandas {versions['pandas']}" in text
    assert f"Python {manifest['python_version']}" in text
    assert "NOT available: kaleido" in text
    imports = sandbox_env.PACKAGE_IMPORT_MAP
    assert "matplotlib.use('Agg')" in imports["matplotlib"] and imports["python-docx"] == "from docx import Document"


def test_ensure_packages_reports_a_missing_bundle_with_the_build_command(bundle_dir):
    status = sandbox_env.ensure_packages()
    assert not status.ok and "bash pyodide_bundle/build.sh" in status.message


def test_ensure_packages_notices_a_file_of_the_wrong_size(bundle_dir):
    modern = bundle_dir / "modern"  # the default profile's bundle
    modern.mkdir(parents=True)
    entry = {"path": "pyodide.js", "size": 10, "sha256": "x"}
    (modern / "manifest.json").write_text(json.dumps({"profile": "modern", "python_version": "3.12.7",
                                                      "core_files": [entry], "packages": []}))
    (modern / "pyodide.js").write_text("0123456789")
    assert sandbox_env.ensure_packages().ok
    (modern / "pyodide.js").write_text("short")
    status = sandbox_env.ensure_packages()
    assert not status.ok and "1 wrong size" in status.message


def test_a_built_manifest_wins_over_the_checked_in_copy(bundle_dir):
    (bundle_dir / "modern").mkdir(parents=True)
    (bundle_dir / "modern" / "manifest.json").write_text(json.dumps({"profile": "modern", "python_version": "3.12.1",
                                                          "packages": [{"name": "numpy", "version": "2.0.0",
                                                                        "imports": ["numpy"]}]}))
    assert sandbox_env.runtime_info() == {"profile": "modern", "python_version": "3.12.1",
                                          "packages": {"numpy": "2.0.0"}}


def test_profile_is_computed_once_per_file_version(tmp_path, monkeypatch):
    source = tmp_path / "sales.csv"
    source.write_text("region,units\nNorth,3\nSouth,5\nNorth,7\n")
    first = profile_file(source, "csv")
    assert first["shape"] == [3, 2] and first["describe"]["units"]["mean"] == 5.0
    assert first["top_categories"]["region"] == {"North": 2, "South": 1}

    def must_not_read(*args, **kwargs):
        raise AssertionError("the cached profile should have been used")

    monkeypatch.setattr(data_profiler, "_read_frame", must_not_read)
    assert profile_file(source, "csv") == first

    monkeypatch.undo()
    source.write_text("region,units\nEast,1\n")
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 1_000_000))
    assert profile_file(source, "csv")["shape"] == [1, 2]


def test_profile_is_bounded_for_large_files(tmp_path, monkeypatch):
    monkeypatch.setattr(data_profiler, "MAX_ROWS", 100)
    source = tmp_path / "big.csv"
    source.write_text("x\n" + "\n".join(str(i) for i in range(1_000)) + "\n")
    profile = profile_file(source, "csv")
    assert profile["truncated"] and profile["rows_read"] == 100


def test_profile_reads_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["name", "score"])
    book.active.append(["a", 1])
    book.active.append(["b", 3])
    book.save(tmp_path / "s.xlsx")
    profile = profile_file(tmp_path / "s.xlsx", "xlsx")
    assert profile["columns"] == ["name", "score"] and profile["numeric_columns"] == ["score"]
    shutil.rmtree(tmp_path)
