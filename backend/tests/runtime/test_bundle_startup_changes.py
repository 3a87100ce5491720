"""What the classic build changes in Pyodide 0.17.1's files to make the start
fast: the loader patches (pyodide_bundle/loader_patches.py) and the package
loaders that leave test suites packed (build_bundle.without_test_suites)."""

from __future__ import annotations

import json
import re
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BUNDLE = ROOT / "pyodide_bundle"
DIST = BUNDLE / "dist"
sys.path.insert(0, str(BUNDLE))

import build_bundle  # noqa: E402
import loader_patches  # noqa: E402

TARBALL = BUNDLE / "cache" / build_bundle.PYODIDE_TARBALL
needs_tarball = pytest.mark.skipif(not TARBALL.exists(), reason="run pyodide_bundle/build.sh first (fills the cache)")
needs_dist = pytest.mark.skipif(not (DIST / "manifest.json").exists(), reason="pyodide_bundle/dist is not built")

LOADER = (
    'var Module=typeof pyodide._module!=="undefined"?pyodide._module:{};(function(){'
    'function runWithFS(){Module["FS_createPath"]("/","lib",true,true);'
    'Module["FS_createPath"]("/lib/python3.8/site-packages/demo","tests",true,true);'
    'Module["FS_createPath"]("/lib/python3.8/site-packages/demo/tests","io",true,true);'
    'Module["FS_createPath"]("/lib/python3.8/site-packages/demo","core",true,true);}'
    'loadPackage({files:[{filename:"/lib/python3.8/site-packages/demo/__init__.py",start:0,end:10,audio:0},'
    '{filename:"/lib/python3.8/site-packages/demo/tests/test_a.py",start:10,end:113e3,audio:0},'
    '{filename:"/lib/python3.8/site-packages/demo/core/tests.py",start:113e3,end:114e3,audio:0},'
    '{filename:"/lib/python3.8/site-packages/demo/tests/io/data.csv",start:114e3,end:114500,audio:0},'
    '{filename:"/lib/python3.8/site-packages/demo/testing.py",start:114500,end:114600,audio:0}],'
    'remote_package_size:9000,package_uuid:"x"})})();'
)


def listed_files(loader_js: str) -> list[str]:
    return re.findall(r'filename:"([^"]*)"', loader_js)


def test_test_suites_are_left_packed_and_everything_else_is_unpacked():
    text, dropped = build_bundle.without_test_suites(LOADER)
    assert dropped == 2
    assert listed_files(text) == [
        "/lib/python3.8/site-packages/demo/__init__.py",
        "/lib/python3.8/site-packages/demo/core/tests.py",  # a module named tests, not a test suite
        "/lib/python3.8/site-packages/demo/testing.py",
    ]
    assert "files:[{filename" in text and "audio:0}],remote_package_size:9000" in text
    assert '"demo","tests"' not in text and '"demo/tests","io"' not in text
    assert 'Module["FS_createPath"]("/lib/python3.8/site-packages/demo","core",true,true);' in text
    # offsets into the .data file are kept as they were
    assert '{filename:"/lib/python3.8/site-packages/demo/core/tests.py",start:113e3,end:114e3,audio:0}' in text


def test_a_loader_the_build_cannot_read_stops_the_build():
    broken = LOADER.replace("start:10,end:113e3", "start:10,end:null")
    with pytest.raises(SystemExit, match="did not parse"):
        build_bundle.without_test_suites(broken)
    with pytest.raises(SystemExit, match="no files list"):
        build_bundle.without_test_suites("loadPackage({})")


def test_a_patch_whose_snippet_is_missing_or_repeated_stops_the_build(tmp_path):
    patch = loader_patches.PATCHES[0]
    (tmp_path / "pyodide.asm.js").write_text("nothing to patch here")
    (tmp_path / "pyodide.js").write_text("")
    with pytest.raises(SystemExit, match="found it 0 times"):
        loader_patches.apply(tmp_path, log=lambda m: None)
    (tmp_path / "pyodide.asm.js").write_text(patch.old + patch.old)
    with pytest.raises(SystemExit, match="found it 2 times"):
        loader_patches.apply(tmp_path, log=lambda m: None)


@needs_tarball
def test_every_patch_applies_once_to_the_pinned_release(tmp_path):
    with tarfile.open(TARBALL) as tar:
        for name in ("pyodide.js", "pyodide.asm.js"):
            (tmp_path / name).write_bytes(tar.extractfile(f"package/dist/{name}").read())
    loader_patches.apply(tmp_path, log=lambda m: None)
    for patch in loader_patches.PATCHES:
        text = (tmp_path / patch.file).read_text()
        assert patch.new in text, patch.why
        assert patch.old not in text or patch.old in patch.new, patch.why


@needs_dist
def test_the_built_bundle_carries_the_patches_and_trimmed_loaders():
    for patch in loader_patches.PATCHES:
        assert patch.new in (DIST / patch.file).read_text(), patch.why
    for name in ("numpy", "pandas", "matplotlib"):
        files = listed_files((DIST / f"{name}.js").read_text())
        assert files and not [f for f in files if build_bundle.is_test_suite(f)], name
    manifest = json.loads((DIST / "manifest.json").read_text())
    assert {"pycache-boot.bin.gz", "pycache-packages.bin.gz"} <= {f["path"] for f in manifest["core_files"]}
