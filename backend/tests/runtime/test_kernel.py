"""The worker's Python side (pyodide_bundle/kernel/keplerlab_kernel.py), run here
on the host's CPython against a temporary workspace: the same module both
browser profiles import."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "pyodide_bundle" / "kernel"))

import keplerlab_kernel as kernel  # noqa: E402


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    kernel.setup(str(tmp_path))
    return tmp_path


def test_run_captures_output_streams_traceback_and_vars(workspace):
    emitted = []
    out = json.loads(kernel.run("import sys\nx = 41\nprint('hi')\nprint('err', file=sys.stderr)\n1/0\n",
                                "out", lambda s, t: emitted.append((s, t))))
    assert out["ok"] is False
    assert out["stdout"] == "hi\n"
    assert out["stderr"].startswith("err\nTraceback")
    assert "ZeroDivisionError" in out["stderr"] and "keplerlab_kernel" not in out["stderr"]
    assert out["vars"] == {"x": "int"}
    assert "".join(t for s, t in emitted if s == "stdout") == "hi\n"  # streamed in batches


def test_files_changed_under_the_output_dir_and_file_saved_lines(workspace):
    (workspace / "other.txt").write_text("x")
    out = json.loads(kernel.run("open('out/a.csv', 'w').write('a')\nprint('FILE_SAVED:other.txt')", "out"))
    assert out["files"] == [str(workspace / "out" / "a.csv"), str(workspace / "other.txt")]
    again = json.loads(kernel.run("pass", "out"))
    assert again["files"] == []  # unchanged files are not returned twice


def test_globals_persist_until_reset_and_imports_are_tracked(workspace):
    kernel.run("import json as j\nkept = 1", "")
    out = json.loads(kernel.run("print(kept)", ""))
    assert out["stdout"] == "1\n" and "json" in out["imported"]
    kernel.reset()
    assert not json.loads(kernel.run("print(kept)", ""))["ok"]


def test_required_imports_include_implicit_packages():
    assert json.loads(kernel.required_imports("import pandas as pd\npd.read_excel('a.xlsx')")) == [
        "openpyxl", "pandas"]
    assert json.loads(kernel.required_imports("df.to_markdown()")) == ["tabulate"]
    assert json.loads(kernel.required_imports("this is not python")) == []


def test_output_is_kept_head_and_tail(monkeypatch):
    monkeypatch.setattr(kernel, "STREAM_LIMIT", 20)
    stream = kernel.OutputStream("stdout", None)
    for i in range(10):
        stream.write(f"{i:04d}\n")
    text = stream.getvalue()
    assert text.startswith("0000\n0001\n") and text.endswith("0009\n") and "characters cut" in text


def test_setup_keeps_the_listing_of_archives_on_sys_path(tmp_path, monkeypatch):
    """Pyodide's loadPackage ends with importlib.invalidate_caches(), which made the standard
    library's zipimporter re-read the archive's whole directory on every load. After setup, a
    zip on sys.path keeps its listing; directories still see files written later."""
    import importlib
    import zipfile
    import zipimport

    archive = tmp_path / "lib.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped_one.py", "VALUE = 1\n")
    late_dir = tmp_path / "late"
    late_dir.mkdir()
    monkeypatch.syspath_prepend(str(late_dir))
    monkeypatch.syspath_prepend(str(archive))
    assert importlib.import_module("zipped_one").VALUE == 1
    kernel.setup(str(tmp_path))
    kernel.setup(str(tmp_path))  # a reset sets up again
    with zipfile.ZipFile(archive, "a") as z:
        z.writestr("zipped_two.py", "VALUE = 2\n")
    (late_dir / "late_mod.py").write_text("VALUE = 3\n")

    importlib.invalidate_caches()

    assert importlib.import_module("late_mod").VALUE == 3
    with pytest.raises(ModuleNotFoundError):  # the archive's directory was not read again
        importlib.import_module("zipped_two")
    other = tmp_path / "other.zip"  # not on sys.path at setup: re-read as before
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("other_one.py", "VALUE = 4\n")
    finder = zipimport.zipimporter(str(other))
    with zipfile.ZipFile(other, "a") as z:
        z.writestr("other_two.py", "VALUE = 5\n")
    finder.invalidate_caches()
    assert finder.find_spec("other_two") is not None
    for name in ("zipped_one", "late_mod"):
        sys.modules.pop(name, None)
    sys.path_importer_cache.pop(str(archive), None)


def test_matplotlib_docstrings_are_the_same_with_each_setter_parsed_once():
    """setup_matplotlib() parses each Artist setter's own docstring once; every set() docstring
    and kwdoc must read as matplotlib writes them. A fresh interpreter, so the classes are created
    after setup (the host's matplotlib; the browser's 3.8.4 runs the same check in
    test_runtime_modern)."""
    import subprocess

    pytest.importorskip("matplotlib")
    check = ROOT / "pyodide_bundle" / "harness" / "matplotlib_docs_check.py"
    script = (f"import sys\nsys.path.insert(0, {str(ROOT / 'pyodide_bundle' / 'kernel')!r})\n"
              "import keplerlab_kernel\nkeplerlab_kernel.setup_matplotlib()\n" + check.read_text())
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.split()[0]) > 100
