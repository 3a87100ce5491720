"""The runtime bundle's manifest: the package set the server tells the model
about must be the one the browser actually gets."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BUNDLE = ROOT / "pyodide_bundle"
CHECKED_IN = BUNDLE / "manifest.json"
BUILT = BUNDLE / "dist" / "manifest.json"

needs_dist = pytest.mark.skipif(not BUILT.exists(), reason="pyodide_bundle/dist is not built")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(CHECKED_IN.read_text())


def test_manifest_names_the_classic_runtime(manifest):
    assert manifest["profile"] == "classic"
    assert manifest["pyodide_version"] == "0.17.1"
    assert manifest["python_version"] == "3.8.2"
    assert manifest["index_url"] == "/pyodide/"


def test_every_package_has_name_version_imports_and_files(manifest):
    for pkg in manifest["packages"]:
        assert pkg["name"] and pkg["version"], pkg
        assert isinstance(pkg["imports"], list), pkg["name"]
        assert pkg["source"] in ("pyodide", "wheel"), pkg["name"]
        assert pkg["files"], pkg["name"]
        for f in pkg["files"]:
            assert f["size"] > 0 and len(f["sha256"]) == 64 and not f["path"].startswith("/")


def test_dependencies_are_all_in_the_bundle(manifest):
    names = {p["name"] for p in manifest["packages"]}
    for pkg in manifest["packages"]:
        assert set(pkg["depends"]) <= names, pkg["name"]


def test_the_product_package_set_is_present(manifest):
    by_import = {i: p for p in manifest["packages"] for i in p["imports"]}
    for module in ["numpy", "pandas", "matplotlib", "scipy", "sklearn", "networkx", "PIL", "plotly",
                   "xlrd", "jinja2", "micropip", "openpyxl", "docx", "fpdf", "seaborn", "tabulate", "lxml"]:
        assert module in by_import, module
    assert by_import["pandas"]["version"] == "1.0.5"
    assert by_import["openpyxl"]["source"] == "wheel" and by_import["openpyxl"]["version"] == "3.1.5"
    assert by_import["docx"]["depends"] == ["lxml", "typing-extensions"]


def test_excluded_packages_say_why(manifest):
    excluded = {e["name"]: e["reason"] for e in manifest["excluded"]}
    assert "kaleido" in excluded and excluded["kaleido"]


def test_manifest_is_deterministic_json(manifest):
    assert CHECKED_IN.read_text() == json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    names = [p["name"].lower() for p in manifest["packages"]]
    assert names == sorted(names)


@needs_dist
def test_checked_in_manifest_equals_the_built_one():
    assert CHECKED_IN.read_text() == BUILT.read_text()


@needs_dist
def test_every_built_file_matches_its_size_and_sha256(manifest):
    files = manifest["core_files"] + [f for p in manifest["packages"] for f in p["files"]]
    for f in files:
        data = (BUILT.parent / f["path"]).read_bytes()
        assert len(data) == f["size"], f["path"]
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]


@needs_dist
def test_a_second_build_is_a_fast_no_op():
    done = subprocess.run([sys.executable, str(BUNDLE / "build_bundle.py")], capture_output=True, text=True,
                          timeout=60, check=True)
    assert "is up to date" in done.stdout
