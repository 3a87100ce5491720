// React hook over PyodideRuntime: one warm runtime (one sandboxed worker) per
// notebook, shared by the notebook's chats, started when the first component
// using it mounts. A new chat therefore gets a Python that is already up (no
// cold start); switching to another chat of the notebook clears the globals
// (reset) so chats do not see each other's variables, while the imports stay
// loaded. Without a notebook id the runtime is per chat session. Runtimes
// outlive the component; only the most recently used MAX_LIVE_RUNTIMES stay
// alive (each worker holds a few hundred MB).
// The runtime profile (classic or modern worker) comes from GET /api/runtime,
// asked once per page load.
//
//   const { status, progress, label, ready, run, reset, stop } = usePyodideWorker(sessionId, notebookId);
//   const result = await run(executeRequest, { fetchMount });   // see runtimeClient.js
//   stop();   // Stop button: ends the running code; its run resolves with {stopped: true}

import { useCallback, useEffect, useState } from 'react'

import { getRuntimeConfig } from '../api/runtime.js'
import { PROFILES, PyodideRuntime } from './runtimeClient.js'

const MAX_LIVE_RUNTIMES = 2
const runtimes = new Map() // notebookId (or sessionId) -> PyodideRuntime, least recently used first
// For end-to-end tests and the bench (page scripts are trusted; the sandbox cannot reach this window).
if (typeof window !== 'undefined') window.__keplerRuntimes = runtimes

export const DEFAULT_CONFIG = { profile: 'modern', index_url: '/pyodide/modern/' }
let configPromise = null

/**
 * The server's runtime profile, fetched once and cached. When the server
 * cannot be asked, the default profile (Pyodide 0.27.7) is used for now and the
 * next call asks again.
 */
export function loadRuntimeConfig(fetchConfig = getRuntimeConfig) {
  if (!configPromise) {
    configPromise = Promise.resolve()
      .then(fetchConfig)
      .then((cfg) => {
        if (!cfg || !PROFILES.includes(cfg.profile)) throw new Error('bad runtime config')
        return { profile: cfg.profile, index_url: cfg.index_url }
      })
      .catch(() => {
        configPromise = null
        return DEFAULT_CONFIG
      })
  }
  return configPromise
}

/** Forget the cached profile (tests). */
export function clearRuntimeConfig() {
  configPromise = null
}

/**
 * The runtime for `key` (a notebook id, or a session id), created if needed.
 * `sessionId`: the chat about to use it; a different chat than the last one
 * clears the Python globals first.
 */
export function getRuntime(key, config = DEFAULT_CONFIG, sessionId = key) {
  let runtime = runtimes.get(key)
  if (runtime) {
    runtimes.delete(key)
  } else {
    runtime = new PyodideRuntime({ profile: config.profile, indexURL: config.index_url || undefined })
    runtime.sessionId = sessionId
  }
  if (runtime.sessionId !== sessionId) {
    runtime.sessionId = sessionId
    runtime.reset() // queued: runs after anything already running, before the new chat's code
  }
  runtimes.set(key, runtime)
  while (runtimes.size > MAX_LIVE_RUNTIMES) {
    const [oldest, old] = runtimes.entries().next().value
    old.terminate()
    runtimes.delete(oldest)
  }
  return runtime
}

/**
 * A chat session is deleted: a runtime of its own is stopped; a notebook's
 * shared runtime stays warm for the other chats (its globals are cleared if
 * they were that session's).
 */
export function disposeRuntime(sessionId) {
  const own = runtimes.get(sessionId)
  if (own) {
    own.terminate()
    runtimes.delete(sessionId)
    return
  }
  for (const runtime of runtimes.values()) {
    if (runtime.sessionId === sessionId) {
      runtime.sessionId = null
      runtime.reset()
    }
  }
}

async function sessionRuntime(sessionId, notebookId) {
  return getRuntime(notebookId || sessionId, await loadRuntimeConfig(), sessionId)
}

export function usePyodideWorker(sessionId, notebookId = null) {
  const [state, setState] = useState({ status: 'idle', progress: 0, label: '' })
  const [current, setCurrent] = useState(null)

  useEffect(() => {
    if (!sessionId) return undefined
    let cancelled = false
    let unsubscribe = () => {}
    sessionRuntime(sessionId, notebookId).then((runtime) => {
      if (cancelled) return
      setCurrent(runtime)
      setState({ status: runtime.status, progress: runtime.progress, label: runtime.label })
      unsubscribe = runtime.subscribe(setState)
      // pre-warm: Python + numpy/pandas/matplotlib load in the background; a failure
      // shows as status 'error' and the next run() tries again
      runtime.start().catch(() => {})
    })
    return () => {
      cancelled = true
      unsubscribe()
    }
  }, [sessionId, notebookId])

  const run = useCallback(
    async (executeRequest, opts) => (await sessionRuntime(sessionId, notebookId)).run(executeRequest, opts),
    [sessionId, notebookId],
  )
  const reset = useCallback(async () => (await sessionRuntime(sessionId, notebookId)).reset(), [sessionId, notebookId])
  // true when running code was stopped; false when none was running (the
  // caller then stops the server's turn: POST /api/agent/runs/{id}/stop)
  const stop = useCallback(() => (current ? current.stop() : false), [current])

  return {
    status: state.status,
    progress: state.progress,
    label: state.label,
    ready: state.status === 'ready',
    running: Boolean(current && current.running),
    run,
    reset,
    stop,
  }
}

export default usePyodideWorker
