"""Byte-compile the classic bundle's start-up modules once, at build time.

Pyodide 0.17's packages (and its standard library) ship only `.py` sources and
the worker never writes bytecode, so every page load compiled the ~550 modules
that Python's own start and `import numpy, pandas, matplotlib.pyplot` pull in:
about 1.9 s of the start. Only a Python 3.8 compiler can write 3.8 bytecode,
and the only one here is the bundle itself, so this runs the freshly staged
bundle once in headless Chromium (the same Debian Chromium the tests use,
offline, on 127.0.0.1), imports what the worker pre-warms and byte-compiles
every `.py` module then loaded.

Two files, so Python's start does not wait for the big one:
- `pycache-boot.bin.gz`: the modules loaded while Python starts (~90, 0.5 MB);
  the worker writes them in a `preRun` callback, before `main()`;
- `pycache-packages.bin.gz`: the pre-warm's modules (~460, 3.9 MB), written
  before the first package import.
Each is gzip-compressed (level 9, mtime 0: reproducible); the server sends
`pycache-*.bin` from it with `Content-Encoding: gzip`, so the browser inflates
it off the worker's thread. Layout: a little-endian uint32 N, N bytes of JSON
`[[pyc_path, length], ...]`, then the `.pyc` bytes in that order. The paths
follow `PYTHONPYCACHEPREFIX` (`/kepler_pycache` + the source path, with
`.cpython-38.pyc`). They are unchecked-hash pycs (PEP 552): Python does not
read and hash each source before using its `.pyc`. That is safe here because
the bundle's sources never change in place: a rebuilt bundle brings rebuilt
`.pyc` files, and both are pinned by sha256 in the manifest.
"""

from __future__ import annotations

import base64
import gzip
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Two parts: what Python's own start imports (needed before main() runs, so it
# is small and arrives first) and what the pre-warm imports (needed later).
PYCACHE_FILES = {"boot": "pycache-boot.bin.gz", "packages": "pycache-packages.bin.gz"}
PYCACHE_PREFIX = "/kepler_pycache"
PREWARM = ["numpy", "pandas", "matplotlib"]

# Runs inside the bundle's Python 3.8: the worker's pre-warm, then compile.
COMPILE_SCRIPT = r"""
import sys
boot = {m.__file__ for m in list(sys.modules.values()) if isinstance(getattr(m, "__file__", None), str)}
import ast, builtins, hashlib, io, json, linecache, os, time, traceback, types, warnings
import importlib.util, marshal, struct
from importlib._bootstrap_external import _code_to_hash_pyc
warnings.filterwarnings("ignore")
os.environ["MPLBACKEND"] = "Agg"
import numpy, pandas, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot
sys.pycache_prefix = PREFIX
paths = sorted({m.__file__ for m in list(sys.modules.values())
                if isinstance(getattr(m, "__file__", None), str) and m.__file__.endswith(".py")})
parts = {"boot": ([], []), "packages": ([], [])}
for path in paths:
    with open(path, "rb") as f:
        source = f.read()
    code = compile(source, path, "exec", dont_inherit=True)
    data = bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))
    index, blobs = parts["boot" if path in boot else "packages"]
    index.append([importlib.util.cache_from_source(path), len(data)])
    blobs.append(data)
for name, (index, blobs) in parts.items():
    head = json.dumps(index, separators=(",", ":")).encode()
    with open("/tmp/pycache-%s.bin" % name, "wb") as f:
        f.write(struct.pack("<I", len(head)) + head + b"".join(blobs))
json.dumps({name: len(index) for name, (index, _) in parts.items()})
"""

WORKER = """
// A fixed "random" stream: Python's string-hash seed comes from it, and set
// constants are marshalled in hash order, so this makes the output reproducible.
let seed = 0x4b65706c;
self.crypto.getRandomValues = (array) => {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  for (let i = 0; i < bytes.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    bytes[i] = seed >>> 24;
  }
  return array;
};
self.onmessage = async (event) => {
  try {
    self.importScripts('/pyodide/pyodide.js');
    await self.loadPyodide({ indexURL: '/pyodide/' });
    await self.pyodide.loadPackage(%(prewarm)s, () => {}, () => {});
    const n = self.pyodide.runPython(event.data);
    const FS = self.pyodide._module.FS;
    const boot = FS.readFile('/tmp/pycache-boot.bin');
    const packages = FS.readFile('/tmp/pycache-packages.bin');
    self.postMessage({ n, boot, packages }, [boot.buffer, packages.buffer]);
  } catch (err) {
    self.postMessage({ error: String((err && err.stack) || err) });
  }
};
"""

PAGE_RUN = """async (script) => {
  const out = await new Promise((resolve) => {
    const w = new Worker('/precompile/worker.js');
    w.onmessage = (e) => resolve(e.data);
    w.postMessage(script);
  });
  if (out.error) return out;
  const b64 = (bytes) => {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  };
  return { n: out.n, boot: b64(out.boot), packages: b64(out.packages) };
}"""


def chromium_available() -> bool:
    sys.path.insert(0, str(ROOT / "playwright_tests"))
    try:
        import playwright  # noqa: F401
        from conftest import CHROMIUM
    except ImportError:
        return False
    finally:
        sys.path.pop(0)
    return Path(CHROMIUM).exists()


def build_pycache(bundle_dir: Path, log) -> list[Path]:
    """Write bundle_dir/pycache-*.bin.gz by running the bundle in headless Chromium."""
    sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))
    sys.path.insert(0, str(ROOT / "playwright_tests"))
    try:
        from conftest import CHROMIUM, CHROMIUM_ARGS
        from playwright.sync_api import sync_playwright
        from static_server import StaticServer
    finally:
        del sys.path[:2]
    script = COMPILE_SCRIPT.replace("PREFIX", repr(PYCACHE_PREFIX))
    with tempfile.TemporaryDirectory(prefix="kepler-precompile-") as tmp:
        (Path(tmp) / "worker.js").write_text(WORKER % {"prewarm": PREWARM})
        routes = {"/pyodide/": bundle_dir, "/precompile/": Path(tmp)}
        log("byte-compiling the start-up modules in headless Chromium")
        with StaticServer(routes=routes) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page()
                page.goto(server.url("/precompile/worker.js"))
                out = page.evaluate(PAGE_RUN, script)
            finally:
                browser.close()
    if "error" in out:
        sys.exit(f"byte-compiling in Chromium failed:\n{out['error']}")
    counts = json.loads(out["n"])
    for part, name in PYCACHE_FILES.items():
        target = bundle_dir / name
        # mtime=0 and a fixed level: the same input gives the same bytes (the manifest pins its sha256)
        target.write_bytes(gzip.compress(base64.b64decode(out[part]), compresslevel=9, mtime=0))
        log(f"{name}: {counts[part]} modules, {target.stat().st_size / 1e6:.1f} MB")
    return [bundle_dir / name for name in PYCACHE_FILES.values()]


# --- the modern profile (Pyodide 0.27, Python 3.12) ---------------------------------
#
# Pyodide 0.27's standard library is a zip of sources and its wheels hold only
# `.py` files, so a start compiled ~600 modules. The stdlib's modules get
# unchecked-hash `.pyc` entries inside a copy of the zip (zipimport prefers
# `name.pyc` next to `name.py`); the pre-warmed packages' modules go to
# pycache-packages.bin.gz under PYTHONPYCACHEPREFIX, as in the classic bundle.
# PYTHONHASHSEED=0 while compiling: set constants are marshalled in hash
# order, so the output is reproducible.

MODERN_PREWARM = ["numpy", "pandas", "matplotlib"]
MODERN_PYCACHE = "pycache-packages.bin.gz"
STDLIB_ZIP_PATH = "/lib/python312.zip/"

MODERN_COMPILE_SCRIPT = r"""
import sys, json, os, warnings
warnings.filterwarnings("ignore")
os.environ["MPLBACKEND"] = "Agg"
sys.path.insert(0, "/kepler")
import keplerlab_kernel
keplerlab_kernel.setup("/workspace")
keplerlab_kernel.import_modules(json.dumps(PREWARM))
import importlib.util, struct
from importlib._bootstrap_external import _code_to_hash_pyc
sys.pycache_prefix = PREFIX
paths = sorted({m.__file__ for m in list(sys.modules.values())
                if isinstance(getattr(m, "__file__", None), str) and m.__file__.endswith(".py")
                and not m.__file__.startswith("/kepler/")
                and getattr(getattr(m, "__spec__", None), "origin", None) != "frozen"})
index, blobs = [], []
for path in paths:
    if path.startswith(ZIP):
        import zipimport
        try:
            source = zipimport.zipimporter(ZIP.rstrip("/")).get_data(path[len(ZIP):])
        except OSError:
            continue
        target = "zip:" + path[len(ZIP):] + "c"
    else:
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            source = f.read()
        target = importlib.util.cache_from_source(path)
    code = compile(source, path, "exec", dont_inherit=True)
    data = bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))
    index.append([target, len(data)])
    blobs.append(data)
# matplotlib 3.8.4's wheel ships a fontlist.json of format 390 while its
# FontManager wants 330, so every start rebuilt the font list (~0.3-0.5 s):
# ship the one this import just built (the worker writes it after unpacking).
if "matplotlib.font_manager" in sys.modules:
    fm = sys.modules["matplotlib.font_manager"]
    fontlist = os.path.join(os.path.dirname(fm.__file__), "fontlist.json")
    fm.json_dump(fm.fontManager, fontlist)
    with open(fontlist, "rb") as f:
        data = f.read()
    index.append([fontlist, len(data)])
    blobs.append(data)
# dateutil.tz.gettz("UTC"), which pandas calls at import, finds no system
# zoneinfo in Pyodide and falls back to parsing dateutil's whole zone tarball
# (~600 members, ~1/4 of pandas' import): give it /usr/share/zoneinfo/UTC,
# the tarball's own UTC file, as on a Linux host.
if "dateutil.zoneinfo" in sys.modules:
    import tarfile
    with tarfile.open(fileobj=sys.modules["dateutil.zoneinfo"].getzoneinfofile_stream()) as tf:
        data = tf.extractfile("UTC").read()
    index.append(["/usr/share/zoneinfo/UTC", len(data)])
    blobs.append(data)
head = json.dumps(index, separators=(",", ":")).encode()
with open("/tmp/pycache.bin", "wb") as f:
    f.write(struct.pack("<I", len(head)) + head + b"".join(blobs))
json.dumps({"n": len(index), "compiled": [p for p in paths if not p.startswith(ZIP) and os.path.isfile(p)]})
"""

# Mode "compile": the start from sources, then MODERN_COMPILE_SCRIPT. Mode
# "trace": the start as the worker makes it (the pack written after the
# unpacking, pycs used), recording every file it opens.
MODERN_TRACE_SCRIPT = r"""
import sys, json
sys.path.insert(0, "/kepler")
import keplerlab_kernel
keplerlab_kernel.setup("/workspace")
keplerlab_kernel.import_modules(json.dumps(PREWARM))
"""

MODERN_WORKER = """
self.onmessage = async (event) => {
  try {
    const { mode, kernel, script, pack } = event.data;
    const { loadPyodide } = await import('/pyodide/pyodide.mjs');
    const env = { PYTHONHASHSEED: '0' };
    if (mode === 'trace') Object.assign(env, { PYTHONPYCACHEPREFIX: %(prefix)s, PYTHONDONTWRITEBYTECODE: '1' });
    const py = await loadPyodide({ indexURL: '/pyodide/', env });
    await py.loadPackage(%(prewarm)s, { messageCallback: () => {} });
    py.FS.mkdirTree('/kepler');
    py.FS.writeFile('/kepler/keplerlab_kernel.py', kernel);
    if (mode === 'trace') {
      const bytes = Uint8Array.from(atob(pack), (c) => c.charCodeAt(0));
      const n = new DataView(bytes.buffer).getUint32(0, true);
      let offset = 4 + n;
      for (const [path, length] of JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + n)))) {
        py.FS.mkdirTree(path.slice(0, path.lastIndexOf('/')));
        py.FS.writeFile(path, bytes.subarray(offset, offset + length));
        offset += length;
      }
      const opened = new Set();
      py.FS.trackingDelegate.onOpenFile = (path) => opened.add(path);
      py.runPython(script);
      py.FS.trackingDelegate.onOpenFile = undefined;
      self.postMessage({ opened: [...opened].sort() });
      return;
    }
    const n = py.runPython(script);
    const out = py.FS.readFile('/tmp/pycache.bin');
    self.postMessage({ n, out }, [out.buffer]);
  } catch (err) {
    self.postMessage({ error: String((err && err.stack) || err) });
  }
};
"""

MODERN_PAGE_RUN = """async (input) => {
  if (input.mode === 'trace') {
    return new Promise((resolve) => {
      const w = new Worker('/precompile/worker.mjs', { type: 'module' });
      w.onmessage = (e) => resolve(e.data);
      w.postMessage(input);
    });
  }
  const out = await new Promise((resolve) => {
    const w = new Worker('/precompile/worker.mjs', { type: 'module' });
    w.onmessage = (e) => resolve(e.data);
    w.postMessage(input);
  });
  if (out.error) return out;
  let s = '';
  for (let i = 0; i < out.out.length; i += 0x8000) s += String.fromCharCode(...out.out.subarray(i, i + 0x8000));
  return { n: out.n, out: btoa(s) };
}"""


def _split_pycache(blob: bytes) -> tuple[dict, list]:
    import struct

    (n,) = struct.unpack_from("<I", blob)
    index = json.loads(blob[4:4 + n])
    offset = 4 + n
    zipped, prefixed = {}, []
    for target, length in index:
        data = blob[offset:offset + length]
        offset += length
        if target.startswith("zip:"):
            zipped[target[4:]] = data
        else:
            prefixed.append((target, data))
    return zipped, prefixed


def _pack(entries: list) -> bytes:
    import struct

    head = json.dumps([[p, len(d)] for p, d in entries], separators=(",", ":")).encode()
    return struct.pack("<I", len(head)) + head + b"".join(d for _, d in entries)


def stdlib_with_pyc(src: Path, dest: Path, pycs: dict) -> None:
    """A copy of the stdlib zip with `.pyc` members added (fixed timestamps: reproducible)."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        names = set(zin.namelist())
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename), compress_type=info.compress_type)
        for name in sorted(pycs):
            if name in names:
                continue
            zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, pycs[name], compresslevel=9)


def build_pycache_modern(bundle_dir: Path, stdlib: str, stdlib_pyc: str, log) -> tuple[list[str], dict]:
    """Write bundle_dir/<stdlib_pyc> and pycache-packages.bin.gz. Returns their names
    and what a start with them uses: {"compiled": the package sources that have a
    .pyc in the pack, "opened": every file that start opened once the wheels were
    unpacked (a second run, as the worker starts: the pack written, pycs used)}."""
    sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))
    sys.path.insert(0, str(ROOT / "playwright_tests"))
    try:
        from conftest import CHROMIUM, CHROMIUM_ARGS
        from playwright.sync_api import sync_playwright
        from static_server import StaticServer
    finally:
        del sys.path[:2]
    script = (MODERN_COMPILE_SCRIPT.replace("PREFIX", repr(PYCACHE_PREFIX))
              .replace("PREWARM", repr(MODERN_PREWARM)).replace("ZIP", repr(STDLIB_ZIP_PATH)))
    trace_script = MODERN_TRACE_SCRIPT.replace("PREWARM", repr(MODERN_PREWARM))
    kernel = (HERE / "kernel" / "keplerlab_kernel.py").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="kepler-precompile-") as tmp:
        (Path(tmp) / "worker.mjs").write_text(
            MODERN_WORKER % {"prewarm": json.dumps(MODERN_PREWARM), "prefix": json.dumps(PYCACHE_PREFIX)})
        routes = {"/pyodide/": bundle_dir, "/precompile/": Path(tmp)}
        log("byte-compiling the start-up modules in headless Chromium")
        with StaticServer(routes=routes) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page()
                page.goto(server.url("/precompile/worker.mjs"))
                out = page.evaluate(MODERN_PAGE_RUN, {"mode": "compile", "script": script, "kernel": kernel})
                if "error" in out:
                    sys.exit(f"byte-compiling in Chromium failed:\n{out['error']}")
                zipped, prefixed = _split_pycache(base64.b64decode(out["out"]))
                pack = _pack(prefixed)
                log("tracing which files a start opens")
                trace = page.evaluate(MODERN_PAGE_RUN, {"mode": "trace", "script": trace_script, "kernel": kernel,
                                                        "pack": base64.b64encode(pack).decode()})
                if "error" in trace:
                    sys.exit(f"the traced start in Chromium failed:\n{trace['error']}")
            finally:
                browser.close()
    stdlib_with_pyc(bundle_dir / stdlib, bundle_dir / stdlib_pyc, zipped)
    (bundle_dir / MODERN_PYCACHE).write_bytes(gzip.compress(pack, compresslevel=9, mtime=0))
    log(f"{stdlib_pyc}: {len(zipped)} stdlib modules as .pyc, "
        f"{(bundle_dir / stdlib_pyc).stat().st_size / 1e6:.1f} MB; {MODERN_PYCACHE}: {len(prefixed)} modules, "
        f"{(bundle_dir / MODERN_PYCACHE).stat().st_size / 1e6:.1f} MB")
    used = json.loads(out["n"])
    return [stdlib_pyc, MODERN_PYCACHE], {"compiled": used["compiled"], "opened": trace["opened"]}
