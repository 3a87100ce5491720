/* KeplerLab Python runtime: Pyodide 0.17.1 (classic profile) in a classic Web Worker.
 *
 * Plain JS with no imports, so the same file is served raw to tests and
 * bundled by Vite. The page talks to it through runtimeClient.js.
 *
 * Message protocol (page -> worker):
 *   {type: 'init', indexURL?: '/pyodide/'}
 *       Boot Python, pre-load numpy + pandas + matplotlib. Any message sent
 *       before init finishes waits for it; 'run' without 'init' inits first.
 *   {type: 'run', id, code, output_dir, mounts: [{path, bytes: ArrayBuffer}], timeout_s}
 *       Write each mount to its path (mkdir -p), load the packages the code
 *       imports (Pyodide packages and the bundle's wheels), run the code in
 *       the session namespace with cwd /workspace, then report what changed
 *       under /workspace/<output_dir>. timeout_s is enforced by the page,
 *       which terminates this worker when it is exceeded.
 *   {type: 'reset'}
 *       Clear the user namespace (globals persist between runs until then).
 *
 * Messages (worker -> page):
 *   {type: 'progress', stage, loaded, total}      during init
 *   {type: 'ready', python_version, packages: [{name, version, source}], profile,
 *    timings: {boot_ms, prewarm_ms, prewarm_load_ms, marks: {step: ms since the worker started}}}
 *   {type: 'stdout' | 'stderr', id, text}         streamed while a run executes
 *   {type: 'result', id, ok, stdout, stderr, duration_ms,
 *    files: [{name, path, size, type, bytes: ArrayBuffer}], vars: {name: type}}
 *       files: every file new or changed under OUTPUT_DIR plus any existing
 *       file named by a `FILE_SAVED:<path>` stdout line; bytes are transferred.
 *   {type: 'reset_done'}
 *   {type: 'error', id?, message}                 init failed / protocol error
 */

// Everything lives inside this function: a classic worker shares one global
// scope with the scripts importScripts() runs (pyodide.js, py.asm.js and
// the package loaders), so top-level names of a minified build could clash.
(function keplerWorker() {
'use strict';

const WORKSPACE = '/workspace';
const MAX_FILES_PER_RUN = 50; // mirror of contract.MAX_FILES_PER_RUN
const STREAM_LIMIT = 1000000; // chars kept per stream (contract: MAX_STREAM_CHARS * 5)
const PREWARM = ['numpy', 'pandas', 'matplotlib'];

// Packages some code needs without importing them by name.
const IMPLICIT_IMPORTS = [
  { pattern: /\b(to_excel|read_excel|ExcelWriter)\b|\.xlsx\b/, imports: ['openpyxl'] },
  { pattern: /\bto_markdown\b/, imports: ['tabulate'] },
  { pattern: /\.xls\b/, imports: ['xlrd'] },
];

const MIME_TYPES = {
  csv: 'text/csv', txt: 'text/plain', md: 'text/markdown', json: 'application/json',
  html: 'text/html', htm: 'text/html', svg: 'image/svg+xml', png: 'image/png',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  pdf: 'application/pdf', xml: 'application/xml', zip: 'application/zip',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xls: 'application/vnd.ms-excel',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

// Python side of the runtime. Lives in Pyodide's own globals; user code runs
// in the separate dict _kepler_ns.
const PRELUDE = String.raw`
import ast, builtins, hashlib, io, json, linecache, os, sys, time, traceback, types, warnings

def _kepler_quiet_warnings():
    """Filters re-applied before every run: imported libraries reset filters."""
    # pandas 1.0 warns that this Python has no lzma; the user must never see it.
    warnings.filterwarnings("ignore", message=".*lzma module.*")
    # Old bundled libraries (scipy 0.17) trip Python 3.8's SyntaxWarning on import.
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    # scikit-learn's joblib: a browser has no processes, serial mode is expected.
    warnings.filterwarnings("ignore", message=".*operate in serial mode.*")

_kepler_quiet_warnings()
os.environ["MPLBACKEND"] = "Agg"

# Python 3.8's hashlib rejects usedforsecurity= (3.9+), which fpdf2 passes.
def _kepler_wrap_hash(fn):
    def wrapper(*args, **kwargs):
        kwargs.pop("usedforsecurity", None)
        return fn(*args, **kwargs)
    wrapper.__name__ = getattr(fn, "__name__", "hash")
    wrapper.__doc__ = getattr(fn, "__doc__", None)
    return wrapper

_kepler_hashlib_new = hashlib.new
def _kepler_new(name, data=b"", **kwargs):
    kwargs.pop("usedforsecurity", None)
    return _kepler_hashlib_new(name, data, **kwargs)
hashlib.new = _kepler_new
for _n in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512"):
    if hasattr(hashlib, _n):
        setattr(hashlib, _n, _kepler_wrap_hash(getattr(hashlib, _n)))

os.makedirs("${WORKSPACE}/uploads", exist_ok=True)
os.chdir("${WORKSPACE}")

def _kepler_fresh_namespace():
    return {"__name__": "__main__", "__builtins__": builtins, "__doc__": None}

_kepler_ns = _kepler_fresh_namespace()
_kepler_cell = 0


def _kepler_setup_matplotlib():
    if "matplotlib" not in sys.modules:
        try:
            import matplotlib
        except ImportError:
            return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    if getattr(plt.show, "__name__", "") != "_kepler_no_show":
        def _kepler_no_show(*args, **kwargs):
            """Figures are saved to files; there is no display."""
        plt.show = _kepler_no_show


class _KeplerStream(io.TextIOBase):
    """Collects a run's output and forwards it to the page in batches."""

    def __init__(self, name, emit):
        self.name = name
        self._emit = emit
        self._head = []
        self._head_len = 0
        self._tail = ""
        self._dropped = 0
        self._pending = []
        self._pending_len = 0
        self._last_emit = 0.0  # the first write goes out at once

    def writable(self):
        return True

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        if self._head_len < ${STREAM_LIMIT} // 2:
            self._head.append(s)
            self._head_len += len(s)
        else:
            self._tail += s
            if len(self._tail) > ${STREAM_LIMIT} // 2:
                cut = len(self._tail) - ${STREAM_LIMIT} // 2
                self._dropped += cut
                self._tail = self._tail[cut:]
        self._pending.append(s)
        self._pending_len += len(s)
        if self._pending_len > 8192 or time.monotonic() - self._last_emit > 0.1:
            self.flush()
        return len(s)

    def flush(self):
        if self._pending:
            text = "".join(self._pending)[-${STREAM_LIMIT}:]
            self._pending, self._pending_len = [], 0
            self._last_emit = time.monotonic()
            self._emit(self.name, text)

    def getvalue(self):
        head = "".join(self._head)
        if self._dropped:
            return "%s\n... [%d characters cut] ...\n%s" % (head, self._dropped, self._tail)
        return head + self._tail


def _kepler_snapshot(root):
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


def _kepler_user_vars():
    out = {}
    for k, v in _kepler_ns.items():
        if k.startswith("_") or isinstance(v, (types.ModuleType, types.FunctionType,
                                                types.BuiltinFunctionType, type)):
            continue
        out[k] = type(v).__name__
    return out


def _kepler_saved_paths(stdout):
    paths = []
    for line in stdout.splitlines():
        if line.startswith("FILE_SAVED:"):
            p = line[len("FILE_SAVED:"):].strip()
            if p:
                paths.append(os.path.normpath(os.path.join("${WORKSPACE}", p)))
    return paths


def _kepler_imports(code):
    """Top-level module names the code imports (anywhere in it)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return "[]"
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return json.dumps(sorted(names))


def _kepler_run(code, output_dir, emit):
    global _kepler_cell
    _kepler_cell += 1
    cell = "<cell-%d>" % _kepler_cell
    out_root = os.path.normpath(os.path.join("${WORKSPACE}", output_dir or "."))
    os.makedirs(out_root, exist_ok=True)
    before = _kepler_snapshot(out_root)
    stdout, stderr = _KeplerStream("stdout", emit), _KeplerStream("stderr", emit)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, stderr
    ok = True
    os.chdir("${WORKSPACE}")
    _kepler_quiet_warnings()
    try:
        linecache.cache[cell] = (len(code), None, code.splitlines(True), cell)
        exec(compile(code, cell, "exec"), _kepler_ns)
    except SystemExit as exc:
        ok = exc.code in (None, 0)
        if not ok:
            stderr.write("SystemExit: %s\n" % (exc.code,))
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
    _kepler_setup_matplotlib()  # the code may have imported matplotlib just now
    after = _kepler_snapshot(out_root)
    changed = sorted(p for p, sig in after.items() if before.get(p) != sig)
    out_text = stdout.getvalue()
    for p in _kepler_saved_paths(out_text):
        if p not in changed and os.path.isfile(p):
            changed.append(p)
    try:
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")
    except Exception:
        pass
    return json.dumps({"ok": ok, "stdout": out_text, "stderr": stderr.getvalue(),
                       "files": changed, "vars": _kepler_user_vars()})


def _kepler_reset():
    global _kepler_ns
    _kepler_ns.clear()
    _kepler_ns.update(_kepler_fresh_namespace())
    os.chdir("${WORKSPACE}")
`;

let py = null; // the Pyodide API object
const marks = {}; // ms since the worker started, per start-up step (the bench prints them)
const mark = (name) => { marks[name] = Math.round(performance.now()); };
let manifest = null;
let indexURL = '/pyodide/';
let initPromise = null;
const installedWheels = new Set();
let queue = Promise.resolve(); // runs and resets execute one at a time

function post(msg, transfer) {
  self.postMessage(msg, transfer || []);
}

function progress(stage, loaded, total) {
  post({ type: 'progress', stage, loaded, total });
}

// Start-up modules byte-compiled at build time (pyodide_bundle/precompile.py):
// Pyodide 0.17 ships only sources, and compiling them was most of the start.
// Two parts: what Python's own start imports (small, needed before main())
// and what the pre-warm imports (needed once Python runs).
const PYCACHE_BOOT = 'pycache-boot.bin';
const PYCACHE_PACKAGES = 'pycache-packages.bin';
const PYCACHE_PREFIX = '/kepler_pycache';

// -> the file's bytes, or null: without it Python compiles the sources.
// The bundle holds `<name>.gz`; asking for `<name>` lets the server send it
// gzip-encoded, so the browser inflates it off this thread. A server that
// cannot answers 404, and the worker inflates the .gz itself.
async function fetchPycache(name) {
  try {
    let res = await fetch(indexURL + name);
    if (!res.ok) {
      res = await fetch(indexURL + name + '.gz');
      if (!res.ok || typeof DecompressionStream === 'undefined') return null;
      res = new Response(res.body.pipeThrough(new DecompressionStream('gzip')));
    }
    const buf = await res.arrayBuffer();
    mark(name);
    return buf;
  } catch (err) {
    console.warn(`${name}: ${err && err.message}`);
    return null;
  }
}

// Layout: uint32 LE n, n bytes of JSON [[pyc_path, length], ...], the .pyc bytes.
function writePycache(FS, buf) {
  const bytes = new Uint8Array(buf);
  const n = new DataView(buf).getUint32(0, true);
  const index = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + n)));
  const dirs = new Set();
  let offset = 4 + n;
  for (const [path, length] of index) {
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (!dirs.has(dir)) {
      FS.mkdirTree(dir);
      dirs.add(dir);
    }
    FS.writeFile(path, bytes.subarray(offset, offset + length));
    offset += length;
  }
}

// A preRun callback (the bundle's patched loadPyodide runs it before Python's
// main()): Python starts with its start-up .pyc files in place, so it does not
// compile its own modules either. Unchecked-hash .pyc: the bundle's sources
// never change, and a rebuilt bundle comes with rebuilt .pyc files.
function pycachePreRun(bootReq) {
  return (Module) => {
    Module.ENV.PYTHONPYCACHEPREFIX = PYCACHE_PREFIX;
    Module.addRunDependency('kepler-pycache');
    bootReq.then((buf) => buf && writePycache(Module.FS, buf))
      .catch((err) => console.warn(`${PYCACHE_BOOT}: ${err && err.message}`))
      .finally(() => Module.removeRunDependency('kepler-pycache'));
  };
}

// Pyodide packages `names` need, dependencies included (manifest order).
function withDependencies(names) {
  const byName = new Map(manifest.packages.map((p) => [p.name, p]));
  const out = new Set();
  const visit = (name) => {
    const pkg = byName.get(name);
    if (!pkg || out.has(pkg.name)) return;
    pkg.depends.forEach(visit);
    out.add(pkg.name);
  };
  names.forEach(visit);
  return [...out].filter((n) => byName.get(n).source === 'pyodide');
}

// The pre-warm set's .data files are fetched in parallel while Python boots;
// Pyodide's package loader then takes them from here (Emscripten's
// getPreloadedPackage hook) instead of requesting each one itself later.
const prefetched = new Map(); // package URL -> Promise<ArrayBuffer | null>
const prefetchedData = new Map(); // package URL -> ArrayBuffer, once arrived

function prefetchPackages(names) {
  for (const name of withDependencies(names)) {
    const url = indexURL + name + '.data';
    if (prefetched.has(url)) continue;
    prefetched.set(url, fetch(url)
      .then((r) => (r.ok ? r.arrayBuffer() : null))
      .then((buf) => {
        mark(`data_${name}`);
        if (buf) prefetchedData.set(url, buf);
        return buf;
      })
      .catch(() => null)); // the loader then fetches it itself and reports errors
  }
}

function takePrefetched(url) {
  const buf = prefetchedData.get(url) || null;
  prefetchedData.delete(url);
  return buf;
}

// Load Pyodide packages once their prefetched files (if any) have arrived.
async function loadPrefetched(names, warn) {
  await Promise.all(withDependencies(names).map((n) => prefetched.get(indexURL + n + '.data')));
  return py.loadPackage(names, () => {}, warn);
}

async function init(url) {
  if (url) indexURL = url.endsWith('/') ? url : url + '/';
  const steps = 3 + PREWARM.length;
  progress('runtime', 0, steps);
  const manifestReq = fetch(indexURL + 'manifest.json').then((r) => {
    if (!r.ok) throw new Error(`manifest.json: HTTP ${r.status}`);
    return r.json();
  });
  const bootPycacheReq = fetchPycache(PYCACHE_BOOT); // downloads while the runtime loads
  const packagesPycacheReq = fetchPycache(PYCACHE_PACKAGES);
  // numpy (needed first) is read alongside the runtime's own files; the rest
  // of the pre-warm set once those have arrived (it would only compete with them).
  const manifestSet = manifestReq.then((m) => {
    manifest = m;
    prefetchPackages([PREWARM[0]]);
  });
  manifestSet.catch(() => {}); // a failure surfaces below, through prefetchReq
  let prefetchReq = null;
  const startPrefetch = () => {
    mark('wasm_ready');
    prefetchReq = manifestSet.then(() => prefetchPackages(PREWARM));
  };
  self.importScripts(indexURL + 'pyodide.js');
  mark('loader');
  await self.loadPyodide({ indexURL, preRun: [startPrefetch, pycachePreRun(bootPycacheReq)] });
  py = self.pyodide;
  py._module.getPreloadedPackage = takePrefetched;
  if (!prefetchReq) startPrefetch();
  await prefetchReq;
  mark('booted');
  progress('python', 1, steps);
  // numpy is unpacked first; the rest of the pre-warm set loads while `import numpy` runs.
  const warn = (m) => console.warn(m);
  const [first, ...rest] = PREWARM;
  const firstLoad = loadPrefetched([first], warn);
  const packagesPycache = await packagesPycacheReq;
  if (packagesPycache) writePycache(py._module.FS, packagesPycache);
  py.runPython(PRELUDE);
  // No cyclic GC passes while the pre-warm imports build ~70k long-lived
  // container objects (~170 collections, ~90 ms); afterwards those are
  // frozen, so the collections during the user's runs skip them too.
  py.runPython('import gc\ngc.disable()');
  progress('packages', 2, steps);
  await firstLoad;
  mark(`loaded_${first}`);
  const restLoad = loadPrefetched(rest, warn);
  py.runPython(`import ${first}`);
  mark(`imported_${first}`);
  await restLoad;
  mark('loaded_all');
  let done = 3;
  for (const name of PREWARM) {
    if (name !== first) {
      py.runPython(name === 'matplotlib' ? '_kepler_setup_matplotlib()' : `import ${name}`);
      mark(`imported_${name}`);
    }
    progress('imports', ++done, steps);
  }
  py.runPython('gc.freeze()\ngc.enable()');
  prefetchedData.clear(); // anything the loader did not take
  const info = JSON.parse(py.runPython('import sys, json; json.dumps(sys.version.split()[0])'));
  post({
    type: 'ready',
    profile: manifest.profile,
    python_version: info,
    packages: manifest.packages.map((p) => ({ name: p.name, version: p.version, source: p.source })),
    timings: {
      boot_ms: marks.booted,
      prewarm_ms: Math.round(performance.now()) - marks.booted,
      prewarm_load_ms: marks.loaded_all - marks.booted,
      marks,
    },
  });
}

function ensureInit(url) {
  if (!initPromise) {
    initPromise = init(url).catch((err) => {
      post({ type: 'error', message: `Python runtime failed to start: ${err && err.message}` });
      throw err;
    });
  }
  return initPromise;
}

// Map import names to manifest packages, then expand to the ordered chain of
// packages that must be present (dependencies first).
function requiredPackages(code) {
  const findImports = py.globals.get('_kepler_imports');
  const imports = new Set(JSON.parse(findImports(code)));
  findImports.destroy();
  for (const rule of IMPLICIT_IMPORTS) {
    if (rule.pattern.test(code)) rule.imports.forEach((i) => imports.add(i));
  }
  const byName = new Map(manifest.packages.map((p) => [p.name, p]));
  const byImport = new Map();
  for (const p of manifest.packages) for (const i of p.imports) byImport.set(i, p);
  const ordered = [];
  const seen = new Set();
  const visit = (pkg) => {
    if (!pkg || seen.has(pkg.name)) return;
    seen.add(pkg.name);
    pkg.depends.forEach((d) => visit(byName.get(d)));
    ordered.push(pkg);
  };
  for (const i of imports) visit(byImport.get(i));
  return ordered;
}

async function loadPackagesFor(code) {
  await py.loadPackagesFromImports(code, () => {}, (m) => console.warn(m));
  const needed = requiredPackages(code);
  const wheels = needed.filter((p) => p.source === 'wheel' && !installedWheels.has(p.name));
  const pyodidePkgs = needed.filter((p) => p.source === 'pyodide').map((p) => p.name);
  if (wheels.length) pyodidePkgs.push('micropip');
  if (pyodidePkgs.length) await py.loadPackage(pyodidePkgs, () => {}, (m) => console.warn(m));
  for (const wheel of wheels) {
    // A URL install does not resolve dependencies: `needed` is already in order.
    const url = new URL(indexURL + wheel.files[0].path, self.location.href).href;
    await py.runPythonAsync(`import micropip\nawait micropip.install(${JSON.stringify(url)})`);
    installedWheels.add(wheel.name);
  }
}

function writeMounts(mounts) {
  const FS = py._module.FS;
  for (const m of mounts || []) {
    const path = String(m.path || '');
    if (!path.startsWith(WORKSPACE + '/') || path.split('/').includes('..')) {
      throw new Error(`mount path must be inside ${WORKSPACE}: ${path}`);
    }
    FS.mkdirTree(path.slice(0, path.lastIndexOf('/')));
    FS.writeFile(path, new Uint8Array(m.bytes));
  }
}

function mimeType(name) {
  const ext = name.includes('.') ? name.split('.').pop().toLowerCase() : '';
  return MIME_TYPES[ext] || 'application/octet-stream';
}

function readFiles(paths) {
  const FS = py._module.FS;
  const files = [];
  for (const path of paths.slice(0, MAX_FILES_PER_RUN)) {
    const data = FS.readFile(path); // a fresh copy, safe to transfer
    const name = path.slice(path.lastIndexOf('/') + 1);
    files.push({ name, path, size: data.byteLength, type: mimeType(name), bytes: data.buffer });
  }
  return files;
}

async function run(msg) {
  const started = performance.now();
  const emit = (stream, text) => post({ type: stream, id: msg.id, text });
  let result;
  try {
    writeMounts(msg.mounts);
    let loadError = '';
    try {
      await loadPackagesFor(msg.code);
    } catch (err) {
      // Not fatal: the import itself will then raise a clear ModuleNotFoundError.
      loadError = `PackageLoadWarning: ${err && err.message}\n`;
    }
    const runFn = py.globals.get('_kepler_run');
    const out = JSON.parse(runFn(msg.code, msg.output_dir || '', emit));
    runFn.destroy();
    const files = readFiles(out.files);
    let stderr = loadError + out.stderr;
    if (out.files.length > MAX_FILES_PER_RUN) {
      stderr += `Note: ${out.files.length} files were written; only the first ${MAX_FILES_PER_RUN} are kept.\n`;
    }
    result = { type: 'result', id: msg.id, ok: out.ok, stdout: out.stdout, stderr, files, vars: out.vars };
  } catch (err) {
    result = {
      type: 'result', id: msg.id, ok: false, stdout: '', files: [], vars: {},
      stderr: `RuntimeError: the Python worker could not run the code: ${err && err.message}\n`,
    };
  }
  result.duration_ms = Math.round(performance.now() - started);
  post(result, result.files.map((f) => f.bytes));
}

self.onmessage = (event) => {
  const msg = event.data || {};
  if (msg.type === 'init') {
    ensureInit(msg.indexURL).catch(() => {});
    return;
  }
  if (msg.type === 'run') {
    queue = queue.then(() => ensureInit()).then(() => run(msg)).catch((err) => {
      post({ type: 'result', id: msg.id, ok: false, stdout: '', files: [], vars: {}, duration_ms: 0,
             stderr: `RuntimeError: ${err && err.message}\n` });
    });
    return;
  }
  if (msg.type === 'reset') {
    queue = queue.then(() => ensureInit()).then(() => {
      py.runPython('_kepler_reset()');
      post({ type: 'reset_done' });
    }).catch((err) => post({ type: 'error', message: String(err && err.message) }));
    return;
  }
  post({ type: 'error', id: msg.id, message: `unknown message type: ${msg.type}` });
};
})();
