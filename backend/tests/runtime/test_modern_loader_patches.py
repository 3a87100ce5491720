"""The modern build's loader patch (pyodide_bundle/modern_loader_patches.py):
it applies exactly once to the pinned Pyodide 0.27.7 core, a changed core
stops the build, and the built modern bundle carries it. That the patched
loader still loads and links every package is checked in Chromium by
playwright_tests/test_runtime_modern.py."""

from __future__ import annotations

import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BUNDLE = ROOT / "pyodide_bundle"
MODERN_DIST = BUNDLE / "dist" / "modern"
sys.path.insert(0, str(BUNDLE))

import build_bundle  # noqa: E402
import build_modern  # noqa: E402
import modern_loader_patches  # noqa: E402

TARBALL = build_bundle.CACHE / build_modern.PYODIDE_TARBALL
needs_tarball = pytest.mark.skipif(not TARBALL.exists(), reason="run pyodide_bundle/build.sh first (fills the cache)")
needs_dist = pytest.mark.skipif(not (MODERN_DIST / "manifest.json").exists(), reason="the modern dist is not built")


@needs_tarball
def test_every_patch_applies_once_to_the_pinned_core(tmp_path):
    with tarfile.open(TARBALL) as tar:
        (tmp_path / "pyodide.asm.js").write_bytes(tar.extractfile("package/pyodide.asm.js").read())
    modern_loader_patches.apply(tmp_path, log=lambda m: None)
    text = (tmp_path / "pyodide.asm.js").read_text()
    for patch in modern_loader_patches.PATCHES:
        assert text.count(patch.new) == 1, patch.why
    assert "WebAssembly.compile(k.FS.readFile(o))" in text


def test_a_core_without_the_snippet_stops_the_build(tmp_path):
    (tmp_path / "pyodide.asm.js").write_text("nothing to patch here")
    with pytest.raises(SystemExit, match="found it 0 times"):
        modern_loader_patches.apply(tmp_path, log=lambda m: None)


@needs_dist
def test_the_built_modern_bundle_carries_the_patch():
    text = (MODERN_DIST / "pyodide.asm.js").read_text()
    for patch in modern_loader_patches.PATCHES:
        assert patch.new in text, patch.why
