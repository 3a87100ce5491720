/* KeplerLab Python runtime, classic profile (opt-in, PYODIDE_PROFILE=classic):
 * Pyodide 0.17.1 (Python 3.8) in a classic Web Worker, kept for the runtime
 * benchmark's side-by-side with the default (pyodide.worker.modern.js).
 *
 * This file holds only the boot (tuned: prefetch, bytecode, patched loader)
 * and the package loading (Pyodide packages + micropip wheels). The message
 * loop, mounts, files and the protocol (documented at the top of
 * pyodide.worker.core.js) are the shared core, loaded with importScripts from
 * next to this file; the Python side is pyodide_bundle/kernel/keplerlab_kernel.py,
 * which the bundle ships. Plain JS: served raw to the harness and tests.
 */

// Everything lives inside this function: a classic worker shares one global
// scope with the scripts importScripts() runs (pyodide.js, py.asm.js and
// the package loaders), so top-level names of a minified build could clash.
;(function keplerClassicWorker() {
  'use strict'

  self.importScripts(new URL('pyodide.worker.core.js', self.location.href).href)

  const PREWARM = ['numpy', 'pandas', 'matplotlib']
  let py = null
  let manifest = null
  let indexURL = '/pyodide/'
  const marks = {}
  let mark = (name) => {
    marks[name] = Math.round(performance.now())
  }
  const installedWheels = new Set()

  // Start-up modules byte-compiled at build time (pyodide_bundle/precompile.py):
  // Pyodide 0.17 ships only sources, and compiling them was most of the start.
  // Two parts: what Python's own start imports (small, needed before main())
  // and what the pre-warm imports (needed once Python runs).
  const PYCACHE_BOOT = 'pycache-boot.bin'
  const PYCACHE_PACKAGES = 'pycache-packages.bin'
  const PYCACHE_PREFIX = '/kepler_pycache'

  const { writePycache } = self.KeplerWorkerCore
  // the shared helper, with this worker's timing mark
  async function fetchPycache(name) {
    const buf = await self.KeplerWorkerCore.fetchPycache(indexURL, name)
    if (buf) mark(name)
    return buf
  }

  // A preRun callback (the bundle's patched loadPyodide runs it before Python's
  // main()): Python starts with its start-up .pyc files in place, so it does not
  // compile its own modules either. Unchecked-hash .pyc: the bundle's sources
  // never change, and a rebuilt bundle comes with rebuilt .pyc files.
  function pycachePreRun(bootReq) {
    return (Module) => {
      Module.ENV.PYTHONPYCACHEPREFIX = PYCACHE_PREFIX
      Module.addRunDependency('kepler-pycache')
      bootReq
        .then((buf) => buf && writePycache(Module.FS, buf))
        .catch((err) => console.warn(`${PYCACHE_BOOT}: ${err && err.message}`))
        .finally(() => Module.removeRunDependency('kepler-pycache'))
    }
  }

  // Pyodide packages `names` need, dependencies included (manifest order).
  function withDependencies(names) {
    const byName = new Map(manifest.packages.map((p) => [p.name, p]))
    const out = new Set()
    const visit = (name) => {
      const pkg = byName.get(name)
      if (!pkg || out.has(pkg.name)) return
      pkg.depends.forEach(visit)
      out.add(pkg.name)
    }
    names.forEach(visit)
    return [...out].filter((n) => byName.get(n).source === 'pyodide')
  }

  // The pre-warm set's .data files are fetched in parallel while Python boots;
  // Pyodide's package loader then takes them from here (Emscripten's
  // getPreloadedPackage hook) instead of requesting each one itself later.
  const prefetched = new Map() // package URL -> Promise<ArrayBuffer | null>
  const prefetchedData = new Map() // package URL -> ArrayBuffer, once arrived

  function prefetchPackages(names) {
    for (const name of withDependencies(names)) {
      const url = indexURL + name + '.data'
      if (prefetched.has(url)) continue
      prefetched.set(
        url,
        fetch(url)
          .then((r) => (r.ok ? r.arrayBuffer() : null))
          .then((buf) => {
            mark(`data_${name}`)
            if (buf) prefetchedData.set(url, buf)
            return buf
          })
          .catch(() => null),
      ) // the loader then fetches it itself and reports errors
    }
  }

  function takePrefetched(url) {
    const buf = prefetchedData.get(url) || null
    prefetchedData.delete(url)
    return buf
  }

  // Load Pyodide packages once their prefetched files (if any) have arrived.
  async function loadPrefetched(names, warn) {
    await Promise.all(withDependencies(names).map((n) => prefetched.get(indexURL + n + '.data')))
    return py.loadPackage(names, () => {}, warn)
  }

  async function boot(ctx) {
    indexURL = ctx.indexURL
    mark = ctx.mark
    const progress = ctx.progress
    const steps = 3 + PREWARM.length
    progress('runtime', 0, steps, 'starting Python…')
    const manifestReq = ctx.manifest
    const bootPycacheReq = fetchPycache(PYCACHE_BOOT) // downloads while the runtime loads
    const packagesPycacheReq = fetchPycache(PYCACHE_PACKAGES)
    // numpy (needed first) is read alongside the runtime's own files; the rest
    // of the pre-warm set once those have arrived (it would only compete with them).
    const manifestSet = manifestReq.then((m) => {
      manifest = m
      prefetchPackages([PREWARM[0]])
    })
    manifestSet.catch(() => {}) // a failure surfaces below, through prefetchReq
    let prefetchReq = null
    const startPrefetch = () => {
      mark('wasm_ready')
      prefetchReq = manifestSet.then(() => prefetchPackages(PREWARM))
    }
    self.importScripts(indexURL + 'pyodide.js')
    mark('loader')
    await self.loadPyodide({ indexURL, preRun: [startPrefetch, pycachePreRun(bootPycacheReq)] })
    py = self.pyodide
    py._module.getPreloadedPackage = takePrefetched
    if (!prefetchReq) startPrefetch()
    await prefetchReq
    mark('booted')
    progress('python', 1, steps, `loading ${PREWARM.join(', ')}…`)
    // numpy is unpacked first; the rest of the pre-warm set loads while `import numpy` runs.
    const warn = (m) => console.warn(m)
    const [first, ...rest] = PREWARM
    const firstLoad = loadPrefetched([first], warn)
    const packagesPycache = await packagesPycacheReq
    if (packagesPycache) writePycache(py._module.FS, packagesPycache)
    const kernel = await ctx.installKernel(py, py._module.FS)
    const importNow = (name) => {
      const fn = kernel.import_modules
      fn(JSON.stringify([name]))
      fn.destroy()
      mark(`imported_${name}`)
    }
    // No cyclic GC passes while the pre-warm imports build ~70k long-lived
    // container objects (~170 collections, ~90 ms); afterwards those are
    // frozen, so the collections during the user's runs skip them too.
    py.runPython('import gc\ngc.disable()')
    progress('packages', 2, steps, `loading ${PREWARM.join(', ')}…`)
    await firstLoad
    mark(`loaded_${first}`)
    const restLoad = loadPrefetched(rest, warn)
    importNow(first)
    await restLoad
    mark('loaded_all')
    let done = 3
    for (const name of PREWARM) {
      progress('imports', done, steps, `importing ${name}…`)
      if (name !== first) importNow(name)
      done += 1
    }
    py.runPython('gc.freeze()\ngc.enable()')
    prefetchedData.clear() // anything the loader did not take
    progress('imports', steps, steps, 'ready')
    return { py, FS: py._module.FS }
  }

  async function loadPackages(pkgs) {
    const wheels = pkgs.filter((p) => p.source === 'wheel' && !installedWheels.has(p.name))
    const pyodidePkgs = pkgs.filter((p) => p.source === 'pyodide').map((p) => p.name)
    if (wheels.length) pyodidePkgs.push('micropip')
    if (pyodidePkgs.length)
      await py.loadPackage(
        pyodidePkgs,
        () => {},
        (m) => console.warn(m),
      )
    for (const wheel of wheels) {
      // A URL install does not resolve dependencies: `pkgs` is already in order.
      const url = new URL(indexURL + wheel.files[0].path, self.location.href).href
      await py.runPythonAsync(`import micropip\nawait micropip.install(${JSON.stringify(url)})`)
      installedWheels.add(wheel.name)
    }
  }

  self.KeplerWorkerCore.start({
    defaultIndexURL: '/pyodide/',
    prewarm: PREWARM,
    boot,
    loadPackages,
    isLoaded: (pkg) => (pkg.source === 'wheel' ? installedWheels.has(pkg.name) : !!(py.loadedPackages || {})[pkg.name]),
  })
})()
