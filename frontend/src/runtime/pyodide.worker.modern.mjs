/* KeplerLab Python runtime, modern profile: the official Pyodide core (npm
 * `pyodide`, 314.x, Python 3.14) in an ES-module Web Worker.
 *
 * Start it with `new Worker(url, {type: 'module'})`; runtimeClient.js does
 * that for `new PyodideRuntime({profile: 'modern'})`. The bundle lives at
 * /pyodide/modern/ (pyodide_bundle/build_modern.py): pyodide.mjs and its core
 * files, a pyodide-lock.json naming exactly the packages the bundle holds,
 * and manifest.json. Packages (pure wheels, and an official full release's
 * packages when the bundle was built with PYODIDE_FULL_ARCHIVE) load with
 * pyodide.loadPackage from the same origin; nothing comes from a CDN.
 *
 * Message protocol: the same as the classic worker (pyodide.worker.js).
 *
 * Page -> worker:
 *   {type: 'init', indexURL?: '/pyodide/modern/'}
 *       Boot Python; pre-load numpy + pandas + matplotlib when the bundle has
 *       them. Any message sent before init finishes waits for it; 'run'
 *       without 'init' inits first.
 *   {type: 'run', id, code, output_dir, mounts: [{path, bytes: ArrayBuffer}], timeout_s}
 *       Write each mount to its path (mkdir -p), load the packages the code
 *       imports, run the code in the session namespace with cwd /workspace,
 *       then report what changed under /workspace/<output_dir>. timeout_s is
 *       enforced by the page, which terminates this worker when it is exceeded.
 *   {type: 'reset'}
 *       Clear the user namespace (globals persist between runs until then).
 *
 * Worker -> page:
 *   {type: 'progress', stage, loaded, total}      during init
 *   {type: 'ready', python_version, packages: [{name, version, source}], profile, timings}
 *   {type: 'stdout' | 'stderr', id, text}         streamed while a run executes
 *   {type: 'result', id, ok, stdout, stderr, duration_ms,
 *    files: [{name, path, size, type, bytes: ArrayBuffer}], vars: {name: type}}
 *       files: every file new or changed under OUTPUT_DIR plus any existing
 *       file named by a `FILE_SAVED:<path>` stdout line; bytes are transferred.
 *   {type: 'reset_done'}
 *   {type: 'error', id?, message}                 init failed / protocol error
 *
 * Output: Python's stdout/stderr go to `pyodide.setStdout/setStderr` write
 * handlers (the raw bytes, decoded here as UTF-8), so print(), tracebacks and
 * C-level writes all arrive; they are forwarded to the page in batches
 * (the first write at once, then at most every 100 ms or 8 KB) and kept
 * (head + tail, 1,000,000 characters) for the result.
 */

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

// Python side of the runtime: the classic worker's helpers, minus what
// Python 3.14 no longer needs (the hashlib shim, the sys.stdout swap: output
// goes through setStdout/setStderr). User code runs in the dict _kepler_ns.
const PRELUDE = String.raw`
import ast, builtins, importlib.util, json, linecache, os, sys, traceback, types, warnings

def _kepler_quiet_warnings():
    """Filters re-applied before every run: imported libraries reset filters."""
    warnings.filterwarnings("ignore", category=SyntaxWarning)
    warnings.filterwarnings("ignore", message=".*operate in serial mode.*")

_kepler_quiet_warnings()
os.environ["MPLBACKEND"] = "Agg"
os.makedirs("${WORKSPACE}/uploads", exist_ok=True)
os.chdir("${WORKSPACE}")

def _kepler_fresh_namespace():
    return {"__name__": "__main__", "__builtins__": builtins, "__doc__": None}

_kepler_ns = _kepler_fresh_namespace()
_kepler_cell = 0


def _kepler_setup_matplotlib():
    if "matplotlib" not in sys.modules:
        if importlib.util.find_spec("matplotlib") is None:
            return
        import matplotlib
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    if getattr(plt.show, "__name__", "") != "_kepler_no_show":
        def _kepler_no_show(*args, **kwargs):
            """Figures are saved to files; there is no display."""
        plt.show = _kepler_no_show


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


_kepler_before = {}


def _kepler_run(code, output_dir):
    """Run one cell; output goes to sys.stdout/sys.stderr (the page's handlers)."""
    global _kepler_cell, _kepler_before
    _kepler_cell += 1
    cell = "<cell-%d>" % _kepler_cell
    out_root = os.path.normpath(os.path.join("${WORKSPACE}", output_dir or "."))
    os.makedirs(out_root, exist_ok=True)
    _kepler_before = _kepler_snapshot(out_root)
    ok = True
    os.chdir("${WORKSPACE}")
    _kepler_quiet_warnings()
    try:
        linecache.cache[cell] = (len(code), None, code.splitlines(True), cell)
        exec(compile(code, cell, "exec"), _kepler_ns)
    except SystemExit as exc:
        ok = exc.code in (None, 0)
        if not ok:
            sys.stderr.write("SystemExit: %s\n" % (exc.code,))
    except BaseException:
        ok = False
        etype, value, tb = sys.exc_info()
        # Drop this function's frame: the traceback starts in the user's code.
        sys.stderr.write("".join(traceback.format_exception(etype, value, tb.tb_next or tb)))
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
    return ok


def _kepler_collect(output_dir, stdout, ok):
    """After a run: changed files under OUTPUT_DIR + FILE_SAVED: paths, user vars."""
    _kepler_setup_matplotlib()  # the code may have imported matplotlib just now
    out_root = os.path.normpath(os.path.join("${WORKSPACE}", output_dir or "."))
    after = _kepler_snapshot(out_root)
    changed = sorted(p for p, sig in after.items() if _kepler_before.get(p) != sig)
    for line in stdout.splitlines():
        if line.startswith("FILE_SAVED:"):
            p = line[len("FILE_SAVED:"):].strip()
            p = os.path.normpath(os.path.join("${WORKSPACE}", p)) if p else ""
            if p and p not in changed and os.path.isfile(p):
                changed.append(p)
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        try:
            plt.close("all")
        except Exception:
            pass
    return json.dumps({"ok": bool(ok), "files": changed, "vars": _kepler_user_vars()})


def _kepler_reset():
    global _kepler_ns
    _kepler_ns.clear()
    _kepler_ns.update(_kepler_fresh_namespace())
    os.chdir("${WORKSPACE}")
`;

let py = null; // the Pyodide API object
let manifest = null;
let indexURL = '/pyodide/modern/';
let initPromise = null;
let queue = Promise.resolve(); // runs and resets execute one at a time
let capture = null; // {out, err} OutputStreams of the run in progress

function post(msg, transfer) {
  self.postMessage(msg, transfer || []);
}

function progress(stage, loaded, total) {
  post({ type: 'progress', stage, loaded, total });
}

/** One output stream of a run: decodes bytes, forwards batches, keeps head + tail. */
class OutputStream {
  constructor(name, id) {
    this.name = name;
    this.id = id;
    this.decoder = new TextDecoder('utf-8');
    this.head = '';
    this.tail = '';
    this.dropped = 0;
    this.pending = '';
    this.lastEmit = 0; // the first write goes out at once
  }

  write(bytes) {
    this.add(this.decoder.decode(bytes, { stream: true }));
    return bytes.length;
  }

  add(text) {
    if (!text) return;
    const half = STREAM_LIMIT / 2;
    if (this.head.length < half) {
      this.head += text;
    } else {
      this.tail += text;
      if (this.tail.length > half) {
        this.dropped += this.tail.length - half;
        this.tail = this.tail.slice(-half);
      }
    }
    this.pending += text;
    if (this.pending.length > 8192 || performance.now() - this.lastEmit > 100) this.flush();
  }

  flush() {
    if (!this.pending) return;
    post({ type: this.name, id: this.id, text: this.pending.slice(-STREAM_LIMIT) });
    this.pending = '';
    this.lastEmit = performance.now();
  }

  finish() {
    this.add(this.decoder.decode());
    this.flush();
    if (this.dropped) return `${this.head}\n... [${this.dropped} characters cut] ...\n${this.tail}`;
    return this.head + this.tail;
  }
}

// Output outside a run (start-up messages, package loading) goes to the console.
function writer(name) {
  const fallback = new TextDecoder('utf-8');
  return {
    write(bytes) {
      if (capture) return capture[name === 'stdout' ? 'out' : 'err'].write(bytes);
      const text = fallback.decode(bytes, { stream: true });
      if (text.trim()) console[name === 'stdout' ? 'log' : 'warn'](text);
      return bytes.length;
    },
  };
}

const loadOptions = { messageCallback: () => {}, errorCallback: (m) => console.warn(m) };

async function init(url) {
  if (url) indexURL = url.endsWith('/') ? url : url + '/';
  indexURL = new URL(indexURL, self.location.href).href;
  const bundled = (name) => manifest.packages.some((p) => p.name === name);
  const manifestReq = fetch(indexURL + 'manifest.json').then((r) => {
    if (!r.ok) throw new Error(`manifest.json: HTTP ${r.status}`);
    return r.json();
  });
  progress('runtime', 0, 3 + PREWARM.length);
  const { loadPyodide } = await import(/* @vite-ignore */ indexURL + 'pyodide.mjs');
  py = await loadPyodide({
    indexURL,
    lockFileURL: indexURL + 'pyodide-lock.json',
    packageBaseUrl: indexURL,
    stdout: (line) => console.log(line),
    stderr: (line) => console.warn(line),
  });
  manifest = await manifestReq;
  py.setStdout(writer('stdout'));
  py.setStderr(writer('stderr'));
  const booted = performance.now();
  const prewarm = PREWARM.filter(bundled);
  const steps = 3 + prewarm.length;
  progress('python', 1, steps);
  py.runPython(PRELUDE);
  progress('packages', 2, steps);
  if (prewarm.length) await py.loadPackage(prewarm, loadOptions);
  const loaded = performance.now();
  let done = 3;
  for (const name of prewarm) {
    py.runPython(name === 'matplotlib' ? '_kepler_setup_matplotlib()' : `import ${name}`);
    progress('imports', ++done, steps);
  }
  progress('imports', steps, steps);
  const version = py.runPython('import sys; sys.version.split()[0]');
  post({
    type: 'ready',
    profile: manifest.profile,
    python_version: version,
    packages: manifest.packages.map((p) => ({ name: p.name, version: p.version, source: p.source })),
    // ms since the worker started: Python booted, pre-warm packages imported
    timings: {
      boot_ms: Math.round(booted),
      prewarm_ms: Math.round(performance.now() - booted),
      prewarm_load_ms: Math.round(loaded - booted),
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

// Import names of the code (plus implicit ones) -> the bundle's package names;
// loadPackage resolves their dependencies from pyodide-lock.json.
function requiredPackages(code) {
  const findImports = py.globals.get('_kepler_imports');
  const imports = new Set(JSON.parse(findImports(code)));
  findImports.destroy();
  for (const rule of IMPLICIT_IMPORTS) {
    if (rule.pattern.test(code)) rule.imports.forEach((i) => imports.add(i));
  }
  const byImport = new Map();
  for (const p of manifest.packages) for (const i of p.imports) byImport.set(i, p.name);
  return [...imports].map((i) => byImport.get(i)).filter(Boolean);
}

async function loadPackagesFor(code) {
  const names = requiredPackages(code);
  if (names.length) await py.loadPackage(names, loadOptions);
}

function writeMounts(mounts) {
  const FS = py.FS;
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
  const files = [];
  for (const path of paths.slice(0, MAX_FILES_PER_RUN)) {
    const data = py.FS.readFile(path); // a fresh copy, safe to transfer
    const name = path.slice(path.lastIndexOf('/') + 1);
    files.push({ name, path, size: data.byteLength, type: mimeType(name), bytes: data.buffer });
  }
  return files;
}

function callPython(name, ...args) {
  const fn = py.globals.get(name);
  try {
    return fn(...args);
  } finally {
    fn.destroy();
  }
}

async function run(msg) {
  const started = performance.now();
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
    capture = { out: new OutputStream('stdout', msg.id), err: new OutputStream('stderr', msg.id) };
    let ok;
    let stdout;
    let stderr;
    try {
      ok = callPython('_kepler_run', msg.code, msg.output_dir || '');
    } finally {
      stdout = capture.out.finish();
      stderr = capture.err.finish();
      capture = null;
    }
    const out = JSON.parse(callPython('_kepler_collect', msg.output_dir || '', stdout, ok));
    const files = readFiles(out.files);
    stderr = loadError + stderr;
    if (out.files.length > MAX_FILES_PER_RUN) {
      stderr += `Note: ${out.files.length} files were written; only the first ${MAX_FILES_PER_RUN} are kept.\n`;
    }
    result = { type: 'result', id: msg.id, ok: out.ok, stdout, stderr, files, vars: out.vars };
  } catch (err) {
    capture = null;
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
