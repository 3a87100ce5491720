// The page side of the Python sandbox: a Worker-like object whose worker lives
// in <iframe sandbox="allow-scripts"> (an opaque origin: no cookies, no
// storage) on the document GET /api/runtime/sandbox serves with a CSP that
// allows no network at all (backend/app/services/code_execution/sandbox_page.py).
//
//   const w = new SandboxedWorker(workerUrl, { indexURL });
//   w.onmessage = ({ data }) => ...;  w.postMessage({type: 'init', ...});  w.terminate();
//
// The page is the trusted side:
// - it fetches the runtime's files (its own HTTP cache) for the worker: the
//   scripts up front (importScripts is synchronous), everything else when the
//   worker asks over the files port; only GETs under indexURL are served;
// - every message from the worker is checked against the worker protocol
//   (validateWorkerMessage) before runtimeClient sees it; anything else is
//   dropped and counted in `rejected`;
// - window messages are accepted only from this iframe's window, and only the
//   two relay notices ('kepler-sandbox-loaded', 'kepler-sandbox-error').
// ES module with no imports: served raw to tests, bundled by Vite.

export const SANDBOX_PATH = '/api/runtime/sandbox'
const LOAD_TIMEOUT_MS = 60000

const isString = (v) => typeof v === 'string'
const isNumber = (v) => typeof v === 'number' && Number.isFinite(v)
const isStringArray = (v) => Array.isArray(v) && v.every(isString)
const PHASES = ['loading_packages', 'running']

function plainStrings(obj) {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null
  const out = {}
  for (const [k, v] of Object.entries(obj)) {
    if (!isString(v)) return null
    out[k] = v
  }
  return out
}

function cleanFile(f) {
  if (!f || !isString(f.name) || !isString(f.path) || !isNumber(f.size) || !(f.bytes instanceof ArrayBuffer)) {
    return null
  }
  return { name: f.name, path: f.path, size: f.size, type: isString(f.type) ? f.type : '', bytes: f.bytes }
}

/** A clean copy of a worker→page message, or null when it breaks the protocol. */
export function validateWorkerMessage(msg) {
  if (!msg || typeof msg !== 'object' || !isString(msg.type)) return null
  switch (msg.type) {
    case 'progress':
      if (!isNumber(msg.loaded) || !isNumber(msg.total)) return null
      return {
        type: 'progress',
        stage: isString(msg.stage) ? msg.stage : '',
        loaded: msg.loaded,
        total: msg.total,
        label: isString(msg.label) ? msg.label.slice(0, 200) : undefined,
      }
    case 'ready':
      if (!isString(msg.python_version) || !Array.isArray(msg.packages)) return null
      return {
        type: 'ready',
        python_version: msg.python_version,
        profile: isString(msg.profile) ? msg.profile : '',
        packages: msg.packages
          .filter((p) => p && isString(p.name))
          .map((p) => ({ name: p.name, version: String(p.version ?? ''), source: String(p.source ?? '') })),
        timings: msg.timings && typeof msg.timings === 'object' ? JSON.parse(JSON.stringify(msg.timings)) : {},
      }
    case 'stdout':
    case 'stderr':
      if (!isString(msg.id) || !isString(msg.text)) return null
      return { type: msg.type, id: msg.id, text: msg.text }
    case 'phase':
      if (!isString(msg.id) || !PHASES.includes(msg.phase)) return null
      return {
        type: 'phase',
        id: msg.id,
        phase: msg.phase,
        packages: isStringArray(msg.packages) ? msg.packages.slice(0, 100) : [],
      }
    case 'result': {
      if (
        !isString(msg.id) ||
        typeof msg.ok !== 'boolean' ||
        !isString(msg.stdout) ||
        !isString(msg.stderr) ||
        !Array.isArray(msg.files)
      )
        return null
      const files = msg.files.map(cleanFile)
      const vars = plainStrings(msg.vars || {})
      if (files.includes(null) || vars === null) return null
      return {
        type: 'result',
        id: msg.id,
        ok: msg.ok,
        stdout: msg.stdout,
        stderr: msg.stderr,
        duration_ms: isNumber(msg.duration_ms) ? msg.duration_ms : 0,
        files,
        vars,
        imported: isStringArray(msg.imported) ? msg.imported.slice(0, 500) : undefined,
      }
    }
    case 'reset_done':
      return { type: 'reset_done' }
    case 'error':
      if (!isString(msg.message)) return null
      return { type: 'error', message: msg.message.slice(0, 2000), id: isString(msg.id) ? msg.id : undefined }
    default:
      return null
  }
}

/** `url` if the page may fetch it for the worker: a plain GET path under `base`. */
export function runtimeFileUrl(url, base) {
  if (!isString(url)) return null
  let u
  try {
    u = new URL(url)
  } catch {
    return null
  }
  const b = new URL(base)
  if (u.origin !== b.origin || !u.pathname.startsWith(b.pathname) || u.search || u.hash || u.username) return null
  return u.href
}

async function fetchBytes(url) {
  const res = await fetch(url)
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`)
  return res.arrayBuffer()
}

export class SandboxedWorker {
  /**
   * @param {string} workerUrl  the runtime worker's script (its text is run in the sandbox)
   * @param {object} opts  {indexURL, sandboxUrl, serveBase, bootScripts, extraScripts}
   *   serveBase: the URL prefix the worker may read files under (default indexURL);
   *   bootScripts: names under indexURL its loader importScripts() (default: the
   *   0.17 layout, pyodide.js + pyodide.asm.js + every package's loader script).
   */
  constructor(
    workerUrl,
    { indexURL = '/pyodide/', sandboxUrl = SANDBOX_PATH, container, extraScripts = {}, serveBase, bootScripts } = {},
  ) {
    this.onmessage = null
    this.onerror = null
    this.rejected = 0 // messages dropped by validation (tests read it)
    this.served = [] // runtime files handed to the worker: [url, bytes]
    this.indexURL = new URL(indexURL, location.href).href
    this.base = new URL(serveBase || indexURL, location.href).href
    this.bootScripts = bootScripts || null
    this.workerUrl = new URL(workerUrl, location.href).href
    // scripts the worker importScripts() from next to itself: {name: url to fetch it from}
    this.extraScripts = extraScripts
    this._closed = false
    this._queue = []
    this._booted = false
    const proto = new MessageChannel()
    const files = new MessageChannel()
    this._port = proto.port1
    this._files = files.port1
    this._port.onmessage = (e) => this._fromWorker(e.data)
    this._files.onmessage = (e) => this._serveFile(e.data)

    const iframe = document.createElement('iframe')
    iframe.setAttribute('sandbox', 'allow-scripts')
    iframe.setAttribute('aria-hidden', 'true')
    iframe.setAttribute('tabindex', '-1')
    iframe.setAttribute('referrerpolicy', 'no-referrer')
    iframe.title = 'Python sandbox'
    iframe.dataset.testid = 'python-sandbox'
    iframe.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden'
    iframe.src = sandboxUrl
    this.iframe = iframe

    const loaded = new Promise((resolve, reject) => {
      this._timer = setTimeout(() => reject(new Error('the Python sandbox page did not load')), LOAD_TIMEOUT_MS)
      this._onWindowMessage = (event) => {
        if (event.source !== iframe.contentWindow || !event.data) return
        if (event.data.type === 'kepler-sandbox-loaded') resolve()
        else if (event.data.type === 'kepler-sandbox-error') {
          this._fail(isString(event.data.message) ? event.data.message.slice(0, 500) : 'the Python worker crashed')
        }
      }
      window.addEventListener('message', this._onWindowMessage)
    })
    ;(container || document.body).appendChild(iframe)

    Promise.all([loaded, this._bootFiles(workerUrl)])
      .then(([, boot]) => {
        clearTimeout(this._timer)
        if (this._closed) return
        iframe.contentWindow.postMessage(
          {
            type: 'kepler-sandbox-boot',
            base: this.base,
            workerUrl: this.workerUrl,
            workerSource: boot.source,
            files: boot.files,
          },
          '*',
          [proto.port2, files.port2, ...boot.files.map((f) => f.bytes)],
        )
        this._booted = true
        this._queue.splice(0).forEach(([m, t]) => this._port.postMessage(m, t))
      })
      .catch((err) => this._fail(err && err.message ? err.message : String(err)))
  }

  // The worker's source and the scripts it will importScripts(): the loader,
  // the runtime and every package's loader (manifest.json lists them).
  async _bootFiles(workerUrl) {
    const sourceReq = fetch(workerUrl).then((r) => {
      if (!r.ok) throw new Error(`${workerUrl}: HTTP ${r.status}`)
      return r.text()
    })
    const get = async (name) => {
      const url = this.indexURL + name
      const bytes = await fetchBytes(url)
      this.served.push([url, bytes.byteLength])
      return { url, bytes }
    }
    const core = (this.bootScripts || ['pyodide.js', 'pyodide.asm.js']).map(get) // not waiting for the manifest
    let loaders = []
    if (!this.bootScripts) {
      const manifest = await fetch(this.indexURL + 'manifest.json').then((r) => (r.ok ? r.json() : { packages: [] }))
      loaders = (manifest.packages || []).filter((p) => p.source === 'pyodide').map((p) => get(`${p.name}.js`))
    }
    const extras = Object.entries(this.extraScripts).map(async ([name, from]) => {
      const url = new URL(name, this.workerUrl).href // where the worker will look for it
      const bytes = await fetchBytes(new URL(from, location.href).href)
      return { url, bytes }
    })
    const files = await Promise.all([...core, ...loaders, ...extras])
    return { source: await sourceReq, files }
  }

  async _serveFile(req) {
    if (this._closed || !req || !isNumber(req.rid)) return
    const url = runtimeFileUrl(req.url, this.base)
    let reply
    if (!url) {
      this.rejected += 1
      reply = { rid: req.rid, status: 0, error: 'not a runtime file' }
    } else {
      try {
        const res = await fetch(url)
        const bytes = await res.arrayBuffer()
        this.served.push([url, bytes.byteLength])
        reply = {
          rid: req.rid,
          status: res.status,
          statusText: res.statusText,
          type: res.headers.get('Content-Type') || '',
          bytes,
        }
      } catch (err) {
        reply = { rid: req.rid, status: 0, error: String(err && err.message) }
      }
    }
    if (!this._closed) this._files.postMessage(reply, reply.bytes ? [reply.bytes] : [])
  }

  _fromWorker(raw) {
    if (this._closed) return
    const msg = validateWorkerMessage(raw)
    if (!msg) {
      this.rejected += 1
      console.warn('[python sandbox] dropped a message outside the protocol')
      return
    }
    if (this.onmessage) this.onmessage({ data: msg })
  }

  _fail(message) {
    if (this._closed) return
    if (this.onerror) this.onerror({ message })
  }

  postMessage(msg, transfer) {
    if (this._closed) return
    const t = transfer || [] // like Worker.postMessage: copied unless transferred
    if (this._booted) this._port.postMessage(msg, t)
    else this._queue.push([msg, t])
  }

  terminate() {
    if (this._closed) return
    this._closed = true
    clearTimeout(this._timer)
    window.removeEventListener('message', this._onWindowMessage)
    this._port.close()
    this._files.close()
    this.iframe.remove() // the worker goes with its document
  }
}
