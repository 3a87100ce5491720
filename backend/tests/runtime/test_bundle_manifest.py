"""The runtime bundles' manifests: the package set the server tells the model
about must be the one the browser actually gets. Two profiles: modern (the
default, Pyodide 0.27.7) and classic (opt-in, 0.17.1)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BUNDLE = ROOT / "pyodide_bundle"
CHECKED_IN = {"modern": BUNDLE / "manifest.json", "classic": BUNDLE / "manifest.classic.json"}
BUILT = {"modern": BUNDLE / "dist" / "modern" / "manifest.json", "classic": BUNDLE / "dist" / "manifest.json"}


@pytest.fixture(scope="module", params=["modern", "classic"])
def profile(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def manifest(profile) -> dict:
    return json.loads(CHECKED_IN[profile].read_text())


def test_the_default_manifest_names_pyodide_0_27_7():
    modern = json.loads(CHECKED_IN["modern"].read_text())
    assert (modern["profile"], modern["pyodide_version"], modern["python_version"]) == ("modern", "0.27.7", "3.12.7")
    versions = {p["name"]: p["version"] for p in modern["packages"]}
    assert versions["numpy"] == "2.0.2" and versions["pandas"] == "2.2.3" and versions["matplotlib"] == "3.8.4"
    assert versions["scikit-learn"] == "1.6.1" and versions["scipy"] == "1.14.1" and versions["pyarrow"] == "18.1.0"
    classic = json.loads(CHECKED_IN["classic"].read_text())
    assert (classic["profile"], classic["pyodide_version"], classic["python_version"]) == ("classic", "0.17.1", "3.8.2")


def test_every_package_has_name_version_imports_and_files(manifest):
    for pkg in manifest["packages"]:
        assert pkg["name"] and pkg["version"], pkg
        assert isinstance(pkg["imports"], list), pkg["name"]
        assert pkg["source"] in ("pyodide", "wheel", "wasi"), pkg["name"]
        # a wasi package ships in the wasi companion's bundle, not this one
        assert bool(pkg["files"]) == (pkg["source"] != "wasi"), pkg["name"]
        for f in pkg["files"]:
            assert f["size"] > 0 and len(f["sha256"]) == 64 and not f["path"].startswith("/")


def test_dependencies_are_all_in_the_bundle(manifest):
    names = {p["name"] for p in manifest["packages"]}
    for pkg in manifest["packages"]:
        assert set(pkg["depends"]) <= names, pkg["name"]


def test_the_product_package_set_is_present(manifest, profile):
    by_import = {i: p for p in manifest["packages"] for i in p["imports"]}
    for module in ["numpy", "pandas", "matplotlib", "scipy", "sklearn", "networkx", "PIL", "plotly",
                   "xlrd", "micropip", "openpyxl", "docx", "fpdf", "seaborn", "tabulate", "lxml", "reportlab"]:
        assert module in by_import, module
    assert by_import["openpyxl"]["source"] == "wheel" and by_import["openpyxl"]["version"] == "3.1.5"
    if profile == "classic":
        assert by_import["pandas"]["version"] == "1.0.5"
        assert by_import["docx"]["depends"] == ["lxml", "typing-extensions"]
    else:
        assert by_import["pandas"]["version"] == "2.2.3"
        assert by_import["pyarrow"]["source"] == "pyodide"
        # python-docx needs lxml, which no registry has for this ABI: the wasi companion runs it
        assert by_import["docx"]["source"] == by_import["lxml"]["source"] == "wasi"
        assert by_import["seaborn"]["version"] == "0.13.2"


def test_excluded_packages_say_why(manifest):
    excluded = {e["name"]: e["reason"] for e in manifest["excluded"]}
    assert "kaleido" in excluded and excluded["kaleido"]


def test_manifest_is_deterministic_json(manifest, profile):
    assert CHECKED_IN[profile].read_text() == json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    names = [p["name"].lower() for p in manifest["packages"]]
    assert names == sorted(names)


def test_checked_in_manifest_equals_the_built_one(profile):
    if not BUILT[profile].exists():
        pytest.skip("not built")
    assert CHECKED_IN[profile].read_text() == BUILT[profile].read_text()


def test_every_built_file_matches_its_size_and_sha256(manifest, profile):
    if not BUILT[profile].exists():
        pytest.skip("not built")
    files = manifest["core_files"] + [f for p in manifest["packages"] for f in p["files"]] + [manifest["kernel"]]
    for f in files:
        data = (BUILT[profile].parent / f["path"]).read_bytes()
        assert len(data) == f["size"], f["path"]
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]


@pytest.mark.skipif(not BUILT["classic"].exists(), reason="pyodide_bundle/dist is not built")
def test_a_second_build_is_a_fast_no_op():
    done = subprocess.run([sys.executable, str(BUNDLE / "build_bundle.py")], capture_output=True, text=True,
                          timeout=60, check=True)
    assert "is up to date" in done.stdout
