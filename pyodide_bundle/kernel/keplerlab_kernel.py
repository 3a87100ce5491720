"""The Python side of KeplerLab's browser runtime (both Pyodide profiles).

The worker (frontend/src/runtime/pyodide.worker.core.js) writes this file into
the browser's file system, imports it once and calls:

    setup(workspace)                          once, after Python boots
    required_imports(code) -> JSON list       top-level modules the code needs
    run(code, output_dir, emit) -> JSON       one cell; see run()
    import_modules(names) -> JSON list        pre-warm / warm restart (init.preload)
    reset()                                   a fresh user namespace

User code runs in the dict NAMESPACE, never in this module's globals. The
module must stay importable on Python 3.8 (the classic 0.17.1 profile): no
`match`, no runtime `X | Y` types, no 3.9+ str/dict methods.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import io
import json
import linecache
import os
import re
import sys
import time
import traceback
import types
import warnings
import zipimport

WORKSPACE = "/workspace"
STREAM_LIMIT = 1000000  # characters kept per stream (contract: MAX_STREAM_CHARS * 5)
EMIT_BYTES = 8192  # a batch goes to the page when this much is pending ...
EMIT_SECONDS = 0.1  # ... or this long after the previous batch

# Packages some code needs without importing them by name.
IMPLICIT_IMPORTS = [
    (re.compile(r"\b(to_excel|read_excel|ExcelWriter)\b|\.xlsx\b"), ["openpyxl"]),
    (re.compile(r"\bto_markdown\b"), ["tabulate"]),
    (re.compile(r"\.xls\b"), ["xlrd"]),
]

NAMESPACE: dict = {}
_state = {"cell": 0, "imported": set()}


def _fresh_namespace() -> dict:
    return {"__name__": "__main__", "__builtins__": builtins, "__doc__": None}


def quiet_warnings() -> None:
    """Filters re-applied before every run: imported libraries reset filters."""
    # pandas 1.0 (classic) warns that its Python has no lzma; the user must never see it.
    warnings.filterwarnings("ignore", message=".*lzma module.*")
    # Old bundled libraries trip SyntaxWarning (invalid escapes) on import.
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    # scikit-learn's joblib: a browser has no processes, serial mode is expected.
    warnings.filterwarnings("ignore", message=".*operate in serial mode.*")


def _patch_hashlib_for_python38() -> None:
    """Python 3.8's hashlib rejects usedforsecurity= (3.9+), which fpdf2 passes."""
    import hashlib

    def wrap(fn):
        def wrapper(*args, **kwargs):
            kwargs.pop("usedforsecurity", None)
            return fn(*args, **kwargs)

        wrapper.__name__ = getattr(fn, "__name__", "hash")
        wrapper.__doc__ = getattr(fn, "__doc__", None)
        return wrapper

    hashlib.new = wrap(hashlib.new)
    for name in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512"):
        if hasattr(hashlib, name):
            setattr(hashlib, name, wrap(getattr(hashlib, name)))


def keep_archive_listings() -> None:
    """importlib.invalidate_caches() (Pyodide's loadPackage calls it after every
    load) makes every zipimporter re-read its archive's whole directory, once
    per package imported from it: 0.15 s in wasm for the standard library's
    zip, which never changes. The archives on sys.path now keep their listings;
    any other zip is re-read as before."""
    current = getattr(zipimport.zipimporter, "invalidate_caches", None)
    if current is None:  # Python < 3.10 (classic): zipimporters keep their listings anyway
        return
    kept = {p for p in sys.path if p.endswith(".zip")}
    reread = getattr(current, "__wrapped__", current)

    @functools.wraps(reread)
    def invalidate_caches(self) -> None:
        if self.archive not in kept:
            reread(self)

    zipimport.zipimporter.invalidate_caches = invalidate_caches


def setup(workspace: str = "/workspace") -> None:
    global WORKSPACE
    WORKSPACE = workspace
    quiet_warnings()
    keep_archive_listings()
    os.environ["MPLBACKEND"] = "Agg"
    if sys.version_info < (3, 9):  # noqa: UP036 (the classic profile runs Python 3.8)
        _patch_hashlib_for_python38()
    os.makedirs(os.path.join(WORKSPACE, "uploads"), exist_ok=True)
    os.chdir(WORKSPACE)
    NAMESPACE.clear()
    NAMESPACE.update(_fresh_namespace())


def parse_each_setter_once(inspector: type) -> None:
    """matplotlib writes every Artist subclass's set() docstring at import, and
    its ArtistInspector parses each setter's docstring again for every class
    that inherits it (4,252 parses of about 800 setters in 3.8): 0.1 s of the
    0.65 s `import matplotlib.pyplot` in wasm. The parse of a setter's own
    docstring depends only on the two, so each is parsed once; the text is the same."""
    method = inspector.get_valid_values
    if hasattr(method, "__wrapped__"):
        return
    parsed: dict = {}

    @functools.wraps(method)
    def get_valid_values(self, attr):
        func = getattr(self.o, "set_" + attr, None)
        if getattr(func, "__doc__", None) is None:
            # missing (raises as before), or a docstring inherited through the class,
            # which inspect finds only once the class is bound in its module
            return method(self, attr)
        key = (func, func.__doc__)
        if key not in parsed:
            parsed[key] = method(self, attr)
        return parsed[key]

    inspector.get_valid_values = get_valid_values


def setup_matplotlib() -> None:
    """Agg backend and a plt.show() that does nothing (there is no display)."""
    if "matplotlib" not in sys.modules:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            return
    import matplotlib

    matplotlib.use("Agg")
    if "matplotlib.pyplot" not in sys.modules:
        import matplotlib.artist

        parse_each_setter_once(matplotlib.artist.ArtistInspector)
    import matplotlib.pyplot as plt

    if getattr(plt.show, "__name__", "") != "_kepler_no_show":
        def _kepler_no_show(*args, **kwargs):
            """Figures are saved to files; there is no display."""

        plt.show = _kepler_no_show


class OutputStream(io.TextIOBase):
    """Collects a run's output (head + tail) and forwards it to the page in batches."""

    def __init__(self, name: str, emit, clock=time.monotonic):
        self.name = name
        self._emit = emit
        self._clock = clock
        self._head: list[str] = []
        self._head_len = 0
        self._tail = ""
        self._dropped = 0
        self._pending: list[str] = []
        self._pending_len = 0
        self._last_emit = None  # the first write goes out at once

    def writable(self) -> bool:
        return True

    def write(self, s) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        half = STREAM_LIMIT // 2
        if self._head_len < half:
            self._head.append(s)
            self._head_len += len(s)
        else:
            self._tail += s
            if len(self._tail) > half:
                cut = len(self._tail) - half
                self._dropped += cut
                self._tail = self._tail[cut:]
        self._pending.append(s)
        self._pending_len += len(s)
        if (self._last_emit is None or self._pending_len > EMIT_BYTES
                or self._clock() - self._last_emit > EMIT_SECONDS):
            self.flush()
        return len(s)

    def flush(self) -> None:
        if self._pending:
            text = "".join(self._pending)[-STREAM_LIMIT:]
            self._pending, self._pending_len = [], 0
            self._last_emit = self._clock()
            if self._emit is not None:
                self._emit(self.name, text)

    def getvalue(self) -> str:
        head = "".join(self._head)
        if self._dropped:
            return f"{head}\n... [{self._dropped} characters cut] ...\n{self._tail}"
        return head + self._tail


def _snapshot(root: str) -> dict:
    found = {}
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            try:
                st = os.stat(p)
            except OSError:
                continue
            found[p] = (st.st_mtime, st.st_size)
    return found


def user_vars() -> dict:
    out = {}
    for k, v in NAMESPACE.items():
        if k.startswith("_") or isinstance(v, (types.ModuleType, types.FunctionType,
                                                types.BuiltinFunctionType, type)):
            continue
        out[k] = type(v).__name__
    return out


def saved_paths(stdout: str) -> list:
    paths = []
    for line in stdout.splitlines():
        if line.startswith("FILE_SAVED:"):
            p = line[len("FILE_SAVED:"):].strip()
            if p:
                paths.append(os.path.normpath(os.path.join(WORKSPACE, p)))
    return paths


def imports_of(code: str) -> list:
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


def required_imports(code: str) -> str:
    """JSON list: the code's imports plus the packages it needs implicitly."""
    names = set(imports_of(code))
    for pattern, extra in IMPLICIT_IMPORTS:
        if pattern.search(code):
            names.update(extra)
    return json.dumps(sorted(names))


def imported() -> list:
    """Top-level modules the user's code imported so far (for a warm restart)."""
    return sorted(n for n in _state["imported"] if n in sys.modules)


def import_modules(names_json: str) -> str:
    """Import each module (pre-warm, or a warm restart's preload); JSON list of the ones that failed."""
    failed = []
    for name in json.loads(names_json):
        try:
            if name == "matplotlib":
                setup_matplotlib()
            else:
                __import__(name)
            _state["imported"].add(name)
        except Exception:
            failed.append(name)
    return json.dumps(failed)


def run(code: str, output_dir: str, emit=None) -> str:
    """Run one cell in NAMESPACE with cwd WORKSPACE.

    Output goes to `emit(stream, text)` in batches while it runs. Returns JSON
    {ok, stdout, stderr, files, vars, imported}: files are the paths new or
    changed under WORKSPACE/output_dir plus existing files named by
    `FILE_SAVED:<path>` stdout lines.
    """
    _state["cell"] += 1
    cell = f"<cell-{_state['cell']}>"
    out_root = os.path.normpath(os.path.join(WORKSPACE, output_dir or "."))
    os.makedirs(out_root, exist_ok=True)
    before = _snapshot(out_root)
    stdout, stderr = OutputStream("stdout", emit), OutputStream("stderr", emit)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, stderr
    ok = True
    os.chdir(WORKSPACE)
    quiet_warnings()
    try:
        linecache.cache[cell] = (len(code), None, code.splitlines(True), cell)
        exec(compile(code, cell, "exec"), NAMESPACE)
    except SystemExit as exc:
        ok = exc.code in (None, 0)
        if not ok:
            stderr.write(f"SystemExit: {exc.code}\n")
    except BaseException:
        ok = False
        etype, value, tb = sys.exc_info()
        # Drop this function's frame: the traceback starts in the user's code.
        stderr.write("".join(traceback.format_exception(etype, value, tb.tb_next or tb)))
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:
            pass
        sys.stdout, sys.stderr = saved
        stdout.flush()
        stderr.flush()
    _state["imported"].update(imports_of(code))
    setup_matplotlib()  # the code may have imported matplotlib just now
    after = _snapshot(out_root)
    changed = sorted(p for p, sig in after.items() if before.get(p) != sig)
    out_text = stdout.getvalue()
    for p in saved_paths(out_text):
        if p not in changed and os.path.isfile(p):
            changed.append(p)
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        with contextlib.suppress(Exception):
            plt.close("all")
    return json.dumps({"ok": ok, "stdout": out_text, "stderr": stderr.getvalue(), "files": changed,
                       "vars": user_vars(), "imported": imported()})


def reset() -> None:
    NAMESPACE.clear()
    NAMESPACE.update(_fresh_namespace())
    os.chdir(WORKSPACE)
