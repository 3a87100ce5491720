"""The modern loader's JavaScript unpacker for stored wheels
(modern_loader_patches.UNPACK_STORED), run in Node against a real directory
standing in for Emscripten's FS: it writes the same tree as Python's
`shutil.unpack_archive` plus the INSTALLER / PYODIDE_SOURCE files
`set_wheel_installer` writes, returns the shared libraries Pyodide would load,
and declines (null, Pyodide's own unpack_buffer then runs) every wheel it does
not handle exactly."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "pyodide_bundle"))

import modern_loader_patches  # noqa: E402

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs node")

# Module.FS with the two calls the unpacker makes, on a real directory; the
# Python side of the API only answers should_load_dynlib (SHAREDLIB_REGEX) and
# sys.prefix ('/', as in Pyodide).
RUNNER = r"""
const fs = require('fs'), path = require('path')
const [wheel, root, fileName] = process.argv.slice(2)
const real = (p) => path.join(root, p)
globalThis.Module = { FS: {
  mkdirTree: (p) => fs.mkdirSync(real(p), { recursive: true }),
  writeFile: (p, data) => fs.writeFileSync(real(p), data),
} }
const should_load_dynlib = (p) => /\.so(.\d+)*$/.test(p)
should_load_dynlib.destroy = () => {}
const api = { package_loader: { should_load_dynlib, sys: { prefix: '/', destroy: () => {} } } }
%s
const out = keplerUnpackStored(api, new Uint8Array(fs.readFileSync(wheel)), fileName,
  '/lib/python3.12/site-packages/', 'pyodide.loadPackage', 'pyodide')
console.log(JSON.stringify({ out }))
"""


def make_wheel(path: Path, members: dict[str, bytes], compression=zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def unpack_in_node(tmp_path: Path, wheel: Path) -> tuple[list[str] | None, Path]:
    root = tmp_path / "fs"
    root.mkdir()
    runner = tmp_path / "runner.js"
    runner.write_text(RUNNER % modern_loader_patches.UNPACK_STORED)
    done = subprocess.run([NODE, str(runner), str(wheel), str(root), wheel.name],
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)["out"], root / "lib/python3.12/site-packages"


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


MEMBERS = {
    "demo/__init__.py": b"x = 1\n",
    "demo/_core.cpython-312-wasm32-emscripten.so": b"\0asm fake",
    "demo/sub/": b"",
    "demo/sub/data.json": "{\"caf\u00e9\": 1}".encode(),
    "demo/caf\u00e9.txt": b"accented name",
    "demo.libs/libfoo.so": b"\0asm lib",
    "demo-1.0.dist-info/METADATA": b"Name: demo\nVersion: 1.0\n",
    "demo-1.0.dist-info/RECORD": b"",
}


def test_a_stored_wheel_unpacks_to_the_tree_python_writes(tmp_path):
    wheel = make_wheel(tmp_path / "demo-1.0-cp312-cp312-pyodide_2024_0_wasm32.whl", MEMBERS)
    dynlibs, site = unpack_in_node(tmp_path, wheel)

    expected = tmp_path / "python"
    shutil.unpack_archive(wheel, expected, "zip")
    (expected / "demo-1.0.dist-info/INSTALLER").write_text("pyodide.loadPackage")
    (expected / "demo-1.0.dist-info/PYODIDE_SOURCE").write_text("pyodide")
    assert tree(site) == tree(expected)
    assert (site / "demo/sub").is_dir()
    assert dynlibs == ["/lib/python3.12/site-packages/demo/_core.cpython-312-wasm32-emscripten.so",
                       "/lib/python3.12/site-packages/demo.libs/libfoo.so"]


def python_unpack(wheel: Path, into: Path) -> tuple[Path, Path]:
    """What Pyodide's unpack_buffer writes: the archive into site-packages, then
    install_datafiles copies `<name>.data/data/` under sys.prefix ('/')."""
    site = into / "lib/python3.12/site-packages"
    shutil.unpack_archive(wheel, site, "zip")
    (site / "demo-1.0.dist-info/INSTALLER").write_text("pyodide.loadPackage")
    (site / "demo-1.0.dist-info/PYODIDE_SOURCE").write_text("pyodide")
    data = site / "demo-1.0.data" / "data"
    if data.is_dir():
        shutil.copytree(data, into, dirs_exist_ok=True)
    return site, into


def test_a_data_directory_is_installed_as_pyodide_installs_it(tmp_path):
    # fonttools' wheel carries share/man/man1/ttx.1 this way; it took Python's path on every start
    members = {**MEMBERS, "demo-1.0.data/data/share/man/man1/demo.1": b".TH DEMO 1\n",
               "demo-1.0.data/scripts/demo-tool": b"#!python\n"}
    wheel = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl", members)
    dynlibs, site = unpack_in_node(tmp_path, wheel)

    _, expected = python_unpack(wheel, tmp_path / "python")
    assert tree(tmp_path / "fs") == tree(expected)
    assert (tmp_path / "fs/share/man/man1/demo.1").read_bytes() == b".TH DEMO 1\n"
    assert (site / "demo-1.0.data/scripts/demo-tool").exists()  # other schemes stay where unpacked
    assert len(dynlibs) == 2


def test_a_data_directory_named_for_another_project_is_only_unpacked(tmp_path):
    members = {**MEMBERS, "other-2.0.data/data/share/x.txt": b"x"}
    wheel = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl", members)
    _, site = unpack_in_node(tmp_path, wheel)
    assert (site / "other-2.0.data/data/share/x.txt").read_bytes() == b"x"
    assert not (tmp_path / "fs/share").exists()


@pytest.mark.parametrize("case", ["deflated", "two_data_dirs", "two_dist_infos", "no_dist_info", "dotdot", "not_a_wheel"])
def test_anything_else_is_left_to_pyodide(tmp_path, case):
    members = dict(MEMBERS)
    compression = zipfile.ZIP_STORED
    name = "demo-1.0-py3-none-any.whl"
    if case == "deflated":
        compression = zipfile.ZIP_DEFLATED
    elif case == "two_data_dirs":  # Pyodide would pick one of them at random
        members["demo-1.0.data/data/a"] = b"a"
        members["demo_x-1.0.data/data/b"] = b"b"
    elif case == "two_dist_infos":
        members["other-2.0.dist-info/METADATA"] = b"Name: other\n"
    elif case == "no_dist_info":
        members = {k: v for k, v in members.items() if ".dist-info" not in k}
    elif case == "dotdot":
        members["demo/../../escape.py"] = b"boom"
    elif case == "not_a_wheel":
        name = "demo-1.0.zip"
    wheel = make_wheel(tmp_path / name, members, compression)
    dynlibs, site = unpack_in_node(tmp_path, wheel)
    assert dynlibs is None
    assert not site.exists()  # nothing written before it declined
