// The page side of the Python runtime: owns one worker, fetches mounts,
// enforces the timeout and restarts the worker after one.
// ES module with no npm imports: served raw to tests, bundled by Vite.
//
// Two profiles, one worker protocol: 'classic' (default) runs
// pyodide.worker.js, a classic worker on the Pyodide 0.17 bundle at /pyodide/;
// 'modern' runs pyodide.worker.modern.mjs, a module worker on the official
// Pyodide core at /pyodide/modern/ (GET /api/runtime says which one the
// server has).
//
//   const rt = new PyodideRuntime({onProgress, onStatus});   // or {profile: 'modern'}
//   await rt.start();                       // boots Python, pre-loads numpy/pandas/matplotlib
//   const result = await rt.run(executeRequest, {fetchMount});
//   // result: {ok, stdout, stderr, duration_ms, files: [{name, path, size, type, bytes: Uint8Array}], vars}
//   await rt.reset();  rt.terminate();

import { clipStream, normaliseExecuteRequest } from './protocol.js';

export const STATUSES = ['idle', 'loading', 'ready', 'running', 'error'];

const DEFAULT_INDEX_URL = '/pyodide/';
export const PROFILES = ['classic', 'modern'];
const DEFAULT_INDEX_URLS = { classic: DEFAULT_INDEX_URL, modern: '/pyodide/modern/' };

function defaultFetchMount(mount) {
  return fetch(mount.url, { credentials: 'include' }).then((res) => {
    if (!res.ok) throw new Error(`could not fetch ${mount.name}: HTTP ${res.status}`);
    return res.arrayBuffer();
  });
}

export function timeoutMessage(seconds) {
  return (
    `TimeoutError: execution exceeded ${seconds} s and was stopped\n` +
    'The Python worker was restarted: variables and imports from earlier runs are gone, ' +
    'so re-create anything the code needs.\n'
  );
}

export class PyodideRuntime {
  constructor({ profile = 'classic', workerUrl, indexURL, onProgress, onStatus, onOutput } = {}) {
    if (!PROFILES.includes(profile)) throw new Error(`unknown runtime profile: ${profile}`);
    this.profile = profile;
    this.workerUrl = workerUrl || null;
    this.indexURL = indexURL || DEFAULT_INDEX_URLS[profile];
    this.status = 'idle';
    this.progress = 0;
    this.info = null; // {python_version, packages, profile} once ready
    this._onProgress = onProgress;
    this._onStatus = onStatus;
    this._onOutput = onOutput;
    this._listeners = new Set();
    this._worker = null;
    this._ready = null;
    this._pending = new Map(); // id -> {resolve, stdout, stderr}
    this._resetWaiters = [];
    this._mountCache = new Map(); // url -> ArrayBuffer, for this session
    this._queue = Promise.resolve();
    this._nextId = 1;
  }

  /** Listen to {status, progress} changes; returns an unsubscribe function. */
  subscribe(listener) {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  _emit() {
    const snapshot = { status: this.status, progress: this.progress };
    this._listeners.forEach((l) => l(snapshot));
  }

  _setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    if (this._onStatus) this._onStatus(status);
    this._emit();
  }

  _setProgress(value) {
    this.progress = Math.max(0, Math.min(1, value));
    if (this._onProgress) this._onProgress(this.progress);
    this._emit();
  }

  /** Boot the worker (idempotent); resolves with {python_version, packages, profile}. */
  start() {
    if (this._ready) return this._ready;
    this._setStatus('loading');
    this._setProgress(0);
    const worker = this._createWorker();
    this._worker = worker;
    this._ready = new Promise((resolve, reject) => {
      worker.onmessage = (event) => this._onMessage(event.data, resolve, reject);
      worker.onerror = (event) => {
        const message = (event && event.message) || 'the Python worker crashed';
        this._failWorker(message);
        reject(new Error(message));
      };
    });
    this._ready.catch(() => {}); // failures surface through status and run()
    worker.postMessage({ type: 'init', indexURL: this.indexURL });
    return this._ready;
  }

  _createWorker() {
    if (this.profile === 'modern') {
      // Literal `new URL(..., import.meta.url)` + {type: 'module'}: Vite bundles it as a module worker.
      return this.workerUrl
        ? new Worker(this.workerUrl, { type: 'module' })
        : new Worker(new URL('./pyodide.worker.modern.mjs', import.meta.url), { type: 'module' });
    }
    return this.workerUrl
      ? new Worker(this.workerUrl)
      : new Worker(new URL('./pyodide.worker.js', import.meta.url));
  }

  _onMessage(msg, resolveReady, rejectReady) {
    if (msg.type === 'progress') {
      this._setProgress(msg.total ? msg.loaded / msg.total : 0);
    } else if (msg.type === 'ready') {
      this.info = {
        python_version: msg.python_version, packages: msg.packages, profile: msg.profile, timings: msg.timings,
      };
      this._setProgress(1);
      this._setStatus(this._pending.size ? 'running' : 'ready');
      resolveReady(this.info);
    } else if (msg.type === 'stdout' || msg.type === 'stderr') {
      const pending = this._pending.get(msg.id);
      if (pending) pending[msg.type] = clipStream(pending[msg.type] + msg.text);
      if (this._onOutput) this._onOutput({ id: msg.id, stream: msg.type, text: msg.text });
    } else if (msg.type === 'result') {
      const pending = this._pending.get(msg.id);
      if (!pending) return;
      this._pending.delete(msg.id);
      pending.resolve({
        ok: msg.ok,
        stdout: msg.stdout,
        stderr: msg.stderr,
        duration_ms: msg.duration_ms,
        files: msg.files.map((f) => ({ ...f, bytes: new Uint8Array(f.bytes) })),
        vars: msg.vars,
      });
    } else if (msg.type === 'reset_done') {
      const waiter = this._resetWaiters.shift();
      if (waiter) waiter();
    } else if (msg.type === 'error') {
      if (!this.info) {
        this._setStatus('error');
        rejectReady(new Error(msg.message));
      } else {
        console.error('[pyodide worker]', msg.message);
      }
    }
  }

  // The worker is gone (crash or timeout): answer whatever waits on it.
  _failWorker(message) {
    for (const [, pending] of this._pending) {
      pending.resolve({ ok: false, stdout: pending.stdout, stderr: pending.stderr + `RuntimeError: ${message}\n`,
        duration_ms: 0, files: [], vars: {} });
    }
    this._pending.clear();
    this._resetWaiters.splice(0).forEach((w) => w());
    this._setStatus('error');
    this._discardWorker();
  }

  _discardWorker() {
    if (this._worker) this._worker.terminate();
    this._worker = null;
    this._ready = null;
    this.info = null;
  }

  async _mountBytes(mounts, fetchMount) {
    const out = [];
    for (const mount of mounts) {
      let bytes = this._mountCache.get(mount.url);
      if (!bytes) {
        bytes = await fetchMount(mount);
        if (bytes instanceof Uint8Array) bytes = bytes.slice().buffer;
        this._mountCache.set(mount.url, bytes);
      }
      out.push({ path: mount.path, bytes }); // copied on postMessage: the cache stays intact
    }
    return out;
  }

  /**
   * Run an ExecuteRequest ({run_id, exec_id, code, timeout_s, output_dir, mounts}).
   * Resolves (never rejects for Python errors) with
   * {ok, stdout, stderr, duration_ms, files: [{name, path, size, type, bytes: Uint8Array}], vars}.
   */
  run(executeRequest, { fetchMount = defaultFetchMount } = {}) {
    const request = normaliseExecuteRequest(executeRequest);
    const job = this._queue.then(() => this._runNow(request, fetchMount));
    this._queue = job.catch(() => {});
    return job;
  }

  async _runNow(request, fetchMount) {
    let mounts;
    try {
      mounts = await this._mountBytes(request.mounts, fetchMount);
    } catch (err) {
      return { ok: false, stdout: '', stderr: `FileNotFoundError: ${err.message}\n`, duration_ms: 0,
        files: [], vars: {} };
    }
    try {
      await this.start();
    } catch (err) {
      return { ok: false, stdout: '', stderr: `RuntimeError: Python runtime failed to start: ${err.message}\n`,
        duration_ms: 0, files: [], vars: {} };
    }
    const id = `${request.exec_id || 'exec'}#${this._nextId++}`;
    const worker = this._worker;
    this._setStatus('running');
    const started = performance.now();
    const result = await new Promise((resolve) => {
      const pending = { resolve, stdout: '', stderr: '' };
      this._pending.set(id, pending);
      const timer = setTimeout(() => {
        if (!this._pending.has(id)) return;
        this._pending.delete(id);
        this._discardWorker();
        resolve({
          ok: false,
          stdout: pending.stdout,
          stderr: clipStream(pending.stderr + timeoutMessage(request.timeout_s)),
          duration_ms: Math.round(performance.now() - started),
          files: [],
          vars: {},
          timed_out: true,
        });
        this.start(); // a fresh worker for the next run
      }, request.timeout_s * 1000);
      pending.resolve = (value) => {
        clearTimeout(timer);
        resolve(value);
      };
      worker.postMessage({
        type: 'run', id, code: request.code, output_dir: request.output_dir, mounts,
        timeout_s: request.timeout_s,
      });
    });
    if (this._worker && this.status === 'running') this._setStatus(this.info ? 'ready' : 'loading');
    return result;
  }

  /** Clear the session's Python globals. */
  reset() {
    const job = this._queue.then(async () => {
      if (!this._worker) return;
      await this._ready;
      await new Promise((resolve) => {
        this._resetWaiters.push(resolve);
        this._worker.postMessage({ type: 'reset' });
      });
    });
    this._queue = job.catch(() => {});
    return job;
  }

  terminate() {
    this._failWorker('the Python worker was stopped');
    this._setStatus('idle');
    this._setProgress(0);
    this._mountCache.clear();
  }
}
