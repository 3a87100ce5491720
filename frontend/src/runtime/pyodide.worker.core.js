/* KeplerLab Python runtime: the worker core shared by both profiles.
 *
 * A plain script (no import/export): the classic worker (pyodide.worker.js,
 * Pyodide 0.17.1) loads it with importScripts, the module worker
 * (pyodide.worker.modern.js, Pyodide 0.27.7) too. It sets
 * `self.KeplerWorkerCore.start(runtime)`; a runtime file supplies only its
 * boot and package loading:
 *
 *   runtime = {
 *     defaultIndexURL,
 *     prewarm: ['numpy', 'pandas', 'matplotlib'],
 *     async boot(ctx) -> {py, FS}     // Python up, kernel installed (ctx.installKernel), pre-warm done
 *     async loadPackages(pkgs, ctx)   // manifest entries, dependencies first
 *     route?(imports) -> handler|null // optional: a run that goes elsewhere (wasi companion)
 *   }
 *   ctx = {indexURL, manifest (Promise), progress(stage, loaded, total, label), mark(name),
 *          installKernel(py, FS) -> kernel PyProxy, withDependencies(names) -> [manifest entries]}
 *
 * Everything the worker loads comes from its indexURL (the bundle); it does
 * not care how the page hosts it.
 *
 * Message protocol (page -> worker):
 *   {type: 'init', indexURL?, preload?: [module names]}
 *       Boot Python, pre-load numpy + pandas + matplotlib, then import the
 *       `preload` modules (a warm restart after a timeout). Any message sent
 *       before init finishes waits for it; 'run' without 'init' inits first.
 *   {type: 'run', id, code, output_dir, mounts: [{path, bytes: ArrayBuffer}], timeout_s}
 *       Write each mount to its path (mkdir -p), load the packages the code
 *       imports, run the code in the session namespace with cwd /workspace,
 *       then report what changed under /workspace/<output_dir>. timeout_s is
 *       enforced by the page (its clock starts at phase 'running').
 *   {type: 'reset'}
 *       Clear the user namespace (globals persist between runs until then).
 *
 * Messages (worker -> page):
 *   {type: 'progress', stage, loaded, total, label}     during init ("loading pandas…")
 *   {type: 'ready', python_version, packages: [{name, version, source}], profile,
 *    timings: {boot_ms, prewarm_ms, prewarm_load_ms, marks: {step: ms since the worker started}}}
 *   {type: 'phase', id, phase: 'loading_packages', packages: [names]}   before a run's package loading
 *   {type: 'phase', id, phase: 'running'}                right before the user's code starts
 *   {type: 'stdout' | 'stderr', id, text}               streamed while a run executes
 *   {type: 'result', id, ok, stdout, stderr, duration_ms,
 *    files: [{name, path, size, type, bytes: ArrayBuffer}], vars: {name: type}, imported: [module names]}
 *       files: every file new or changed under OUTPUT_DIR plus any existing
 *       file named by a `FILE_SAVED:<path>` stdout line; bytes are transferred.
 *       imported: top-level modules the session's code imported so far.
 *   {type: 'reset_done'}
 *   {type: 'error', id?, message}                       init failed / protocol error
 */
;(function keplerWorkerCore(scope) {
  'use strict'

  const WORKSPACE = '/workspace'
  const KERNEL_DIR = '/kepler'
  const MAX_FILES_PER_RUN = 50 // mirror of contract.MAX_FILES_PER_RUN

  const MIME_TYPES = {
    csv: 'text/csv',
    txt: 'text/plain',
    md: 'text/markdown',
    json: 'application/json',
    html: 'text/html',
    htm: 'text/html',
    svg: 'image/svg+xml',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
    pdf: 'application/pdf',
    xml: 'application/xml',
    zip: 'application/zip',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    xls: 'application/vnd.ms-excel',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  }

  function start(runtime) {
    const marks = {} // ms since the worker started, per start-up step (the bench prints them)
    const mark = (name) => {
      marks[name] = Math.round(performance.now())
    }
    let indexURL = runtime.defaultIndexURL
    let manifest = null
    let py = null
    let FS = null
    let kernel = null
    let initPromise = null
    let queue = Promise.resolve() // runs and resets execute one at a time

    const post = (msg, transfer) => scope.postMessage(msg, transfer || [])
    const progress = (stage, loaded, total, label) => post({ type: 'progress', stage, loaded, total, label })

    function callKernel(name, ...args) {
      const fn = kernel[name]
      try {
        return fn(...args)
      } finally {
        if (fn && fn.destroy) fn.destroy()
      }
    }

    // Manifest entries `names` need, dependencies first.
    function withDependencies(names) {
      const byName = new Map(manifest.packages.map((p) => [p.name, p]))
      const out = []
      const seen = new Set()
      const visit = (name) => {
        const pkg = byName.get(name)
        if (!pkg || seen.has(pkg.name)) return
        seen.add(pkg.name)
        pkg.depends.forEach(visit)
        out.push(pkg)
      }
      names.forEach(visit)
      return out
    }

    async function init(url, preload) {
      if (url) indexURL = url.endsWith('/') ? url : url + '/'
      indexURL = new URL(indexURL, scope.location.href).href
      const manifestReq = fetch(indexURL + 'manifest.json').then((r) => {
        if (!r.ok) throw new Error(`manifest.json: HTTP ${r.status}`)
        return r.json()
      })
      const kernelReq = manifestReq.then((m) => {
        manifest = m
        if (!m.kernel) throw new Error('the bundle has no kernel module: rebuild it (pyodide_bundle/build.sh)')
        return fetch(indexURL + m.kernel.path).then((r) => {
          if (!r.ok) throw new Error(`${m.kernel.path}: HTTP ${r.status}`)
          return r.text()
        })
      })
      kernelReq.catch(() => {}) // surfaces through installKernel
      const ctx = {
        indexURL,
        manifest: manifestReq,
        progress,
        mark,
        withDependencies: (names) => withDependencies(names),
        async installKernel(pyodide, fs) {
          const source = await kernelReq
          fs.mkdirTree(KERNEL_DIR)
          fs.writeFile(`${KERNEL_DIR}/keplerlab_kernel.py`, source)
          pyodide.runPython(
            `import sys\nif ${JSON.stringify(KERNEL_DIR)} not in sys.path:\n` +
              `    sys.path.insert(0, ${JSON.stringify(KERNEL_DIR)})\nimport keplerlab_kernel\n` +
              `keplerlab_kernel.setup(${JSON.stringify(WORKSPACE)})`,
          )
          kernel = pyodide.globals.get('keplerlab_kernel')
          return kernel
        },
      }
      ;({ py, FS } = await runtime.boot(ctx))
      if (preload && preload.length) {
        try {
          if (runtime.settled) await runtime.settled()
          await loadFor(JSON.stringify(preload), null)
          callKernel('import_modules', JSON.stringify(preload))
        } catch (err) {
          console.warn(`preload: ${err && err.message}`)
        }
      }
      const version = py.runPython('import sys\nsys.version.split()[0]')
      post({
        type: 'ready',
        profile: manifest.profile,
        python_version: version,
        packages: manifest.packages.map((p) => ({ name: p.name, version: p.version, source: p.source })),
        timings: {
          boot_ms: marks.booted,
          prewarm_ms: Math.round(performance.now()) - marks.booted,
          prewarm_load_ms: (marks.loaded_all || marks.booted) - marks.booted,
          marks,
        },
      })
    }

    function ensureInit(url, preload) {
      if (!initPromise) {
        initPromise = init(url, preload).catch((err) => {
          post({ type: 'error', message: `Python runtime failed to start: ${err && err.message}` })
          throw err
        })
      }
      return initPromise
    }

    // Packages (manifest entries) the code's imports need that Pyodide provides.
    function requiredPackages(importsJson) {
      const imports = JSON.parse(importsJson)
      const byImport = new Map()
      for (const p of manifest.packages) for (const i of p.imports) byImport.set(i, p.name)
      const names = imports.map((i) => byImport.get(i)).filter(Boolean)
      return withDependencies(names).filter((p) => p.source !== 'wasi')
    }

    // Load what the imports need; `id` set: tell the page first (phase 'loading_packages').
    async function loadFor(importsJson, id) {
      const pkgs = requiredPackages(importsJson).filter((p) => !runtime.isLoaded || !runtime.isLoaded(p))
      if (!pkgs.length) return
      if (id) post({ type: 'phase', id, phase: 'loading_packages', packages: pkgs.map((p) => p.name) })
      await runtime.loadPackages(pkgs, ctx())
    }
    const ctx = () => ({ indexURL, progress, mark, withDependencies })

    function writeMounts(mounts) {
      for (const m of mounts || []) {
        const path = String(m.path || '')
        if (!path.startsWith(WORKSPACE + '/') || path.split('/').includes('..')) {
          throw new Error(`mount path must be inside ${WORKSPACE}: ${path}`)
        }
        FS.mkdirTree(path.slice(0, path.lastIndexOf('/')))
        FS.writeFile(path, new Uint8Array(m.bytes))
      }
    }

    function mimeType(name) {
      const ext = name.includes('.') ? name.split('.').pop().toLowerCase() : ''
      return MIME_TYPES[ext] || 'application/octet-stream'
    }

    function readFiles(paths) {
      const files = []
      for (const path of paths.slice(0, MAX_FILES_PER_RUN)) {
        const data = FS.readFile(path) // a fresh copy, safe to transfer
        const name = path.slice(path.lastIndexOf('/') + 1)
        files.push({ name, path, size: data.byteLength, type: mimeType(name), bytes: data.buffer })
      }
      return files
    }

    async function run(msg) {
      const started = performance.now()
      const emit = (stream, text) => post({ type: stream, id: msg.id, text })
      let result
      try {
        // files a start does not need, written after it (runtime.settled rejects if they failed)
        if (runtime.settled) await runtime.settled()
        const importsJson = callKernel('required_imports', msg.code)
        const elsewhere = runtime.route ? runtime.route(JSON.parse(importsJson), manifest) : null
        if (elsewhere) {
          result = await elsewhere({ msg, post, started })
          result.imported = JSON.parse(JSON.stringify(result.imported || []))
        } else {
          writeMounts(msg.mounts)
          let loadError = ''
          try {
            await loadFor(importsJson, msg.id)
          } catch (err) {
            // Not fatal: the import itself will then raise a clear ModuleNotFoundError.
            loadError = `PackageLoadWarning: ${err && err.message}\n`
          }
          post({ type: 'phase', id: msg.id, phase: 'running' })
          const out = JSON.parse(callKernel('run', msg.code, msg.output_dir || '', emit))
          const files = readFiles(out.files)
          let stderr = loadError + out.stderr
          if (out.files.length > MAX_FILES_PER_RUN) {
            stderr += `Note: ${out.files.length} files were written; only the first ${MAX_FILES_PER_RUN} are kept.\n`
          }
          result = {
            type: 'result',
            id: msg.id,
            ok: out.ok,
            stdout: out.stdout,
            stderr,
            files,
            vars: out.vars,
            imported: out.imported,
          }
        }
      } catch (err) {
        result = {
          type: 'result',
          id: msg.id,
          ok: false,
          stdout: '',
          files: [],
          vars: {},
          imported: [],
          stderr: `RuntimeError: the Python worker could not run the code: ${err && err.message}\n`,
        }
      }
      result.duration_ms = Math.round(performance.now() - started)
      post(
        result,
        result.files.map((f) => f.bytes),
      )
    }

    scope.onmessage = (event) => {
      const msg = event.data || {}
      if (msg.type === 'init') {
        ensureInit(msg.indexURL, msg.preload).catch(() => {})
        return
      }
      if (msg.type === 'run') {
        queue = queue
          .then(() => ensureInit())
          .then(() => run(msg))
          .catch((err) => {
            post({
              type: 'result',
              id: msg.id,
              ok: false,
              stdout: '',
              files: [],
              vars: {},
              imported: [],
              duration_ms: 0,
              stderr: `RuntimeError: ${err && err.message}\n`,
            })
          })
        return
      }
      if (msg.type === 'reset') {
        queue = queue
          .then(() => ensureInit())
          .then(() => {
            callKernel('reset')
            post({ type: 'reset_done' })
          })
          .catch((err) => post({ type: 'error', message: String(err && err.message) }))
        return
      }
      post({ type: 'error', id: msg.id, message: `unknown message type: ${msg.type}` })
    }
  }

  // --- precompiled bytecode, shared by both runtimes ------------------------------

  // -> the file's bytes, or null: without it Python compiles the sources.
  // The bundle holds `<name>.gz`; asking for `<name>` lets the server send it
  // gzip-encoded, so the browser inflates it off this thread. A server that
  // cannot answers 404, and the worker inflates the .gz itself.
  async function fetchPycache(indexURL, name) {
    try {
      let res = await fetch(indexURL + name)
      if (!res.ok) {
        res = await fetch(indexURL + name + '.gz')
        if (!res.ok || typeof DecompressionStream === 'undefined') return null
        res = new Response(res.body.pipeThrough(new DecompressionStream('gzip')))
      }
      return await res.arrayBuffer()
    } catch (err) {
      console.warn(`${name}: ${err && err.message}`)
      return null
    }
  }

  // Layout: uint32 LE n, n bytes of JSON [[pyc_path, length], ...], the .pyc bytes.
  // `own`: the files keep their slices of `buf` (no copy; buf must not be used again).
  function writePycache(FS, buf, own = false) {
    const bytes = new Uint8Array(buf)
    const n = new DataView(buf).getUint32(0, true)
    const index = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + n)))
    const dirs = new Set()
    let offset = 4 + n
    for (const [path, length] of index) {
      const dir = path.slice(0, path.lastIndexOf('/'))
      if (!dirs.has(dir)) {
        FS.mkdirTree(dir)
        dirs.add(dir)
      }
      FS.writeFile(path, bytes.subarray(offset, offset + length), own ? { canOwn: true } : undefined)
      offset += length
    }
  }

  scope.KeplerWorkerCore = { start, WORKSPACE, fetchPycache, writePycache }
})(self)
