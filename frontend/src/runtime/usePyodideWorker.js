// React hook over PyodideRuntime: one runtime (one worker, one Python
// namespace) per chat session, started when the first component using the
// session mounts. Runtimes outlive the component so switching away and back
// keeps the session's variables; only the most recently used
// MAX_LIVE_RUNTIMES stay alive (each worker holds a few hundred MB).
// The runtime profile (classic or modern worker) comes from GET /api/runtime,
// asked once per page load.
//
//   const { status, progress, ready, run, reset } = usePyodideWorker(sessionId);
//   const result = await run(executeRequest, { fetchMount });   // see runtimeClient.js

import { useCallback, useEffect, useState } from 'react';

import { getRuntimeConfig } from '../api/runtime.js';
import { PROFILES, PyodideRuntime } from './runtimeClient.js';

const MAX_LIVE_RUNTIMES = 2;
const runtimes = new Map(); // sessionId -> PyodideRuntime, in least-recently-used order

export const CLASSIC_CONFIG = { profile: 'classic', index_url: '/pyodide/' };
let configPromise = null;

/**
 * The server's runtime profile, fetched once and cached. When the server
 * cannot be asked, the classic profile (the default) is used for now and the
 * next call asks again.
 */
export function loadRuntimeConfig(fetchConfig = getRuntimeConfig) {
  if (!configPromise) {
    configPromise = Promise.resolve()
      .then(fetchConfig)
      .then((cfg) => {
        if (!cfg || !PROFILES.includes(cfg.profile)) throw new Error('bad runtime config');
        return { profile: cfg.profile, index_url: cfg.index_url };
      })
      .catch(() => {
        configPromise = null;
        return CLASSIC_CONFIG;
      });
  }
  return configPromise;
}

/** Forget the cached profile (tests). */
export function clearRuntimeConfig() {
  configPromise = null;
}

export function getRuntime(sessionId, config = CLASSIC_CONFIG) {
  let runtime = runtimes.get(sessionId);
  if (runtime) {
    runtimes.delete(sessionId);
  } else {
    runtime = new PyodideRuntime({ profile: config.profile, indexURL: config.index_url || undefined });
  }
  runtimes.set(sessionId, runtime);
  while (runtimes.size > MAX_LIVE_RUNTIMES) {
    const [oldest, old] = runtimes.entries().next().value;
    old.terminate();
    runtimes.delete(oldest);
  }
  return runtime;
}

/** Stop a session's worker (e.g. when the session is deleted). */
export function disposeRuntime(sessionId) {
  const runtime = runtimes.get(sessionId);
  if (runtime) {
    runtime.terminate();
    runtimes.delete(sessionId);
  }
}

async function sessionRuntime(sessionId) {
  return getRuntime(sessionId, await loadRuntimeConfig());
}

export function usePyodideWorker(sessionId) {
  const [state, setState] = useState({ status: 'idle', progress: 0 });

  useEffect(() => {
    if (!sessionId) return undefined;
    let cancelled = false;
    let unsubscribe = () => {};
    sessionRuntime(sessionId).then((runtime) => {
      if (cancelled) return;
      setState({ status: runtime.status, progress: runtime.progress });
      unsubscribe = runtime.subscribe(setState);
      // pre-warm: Python + numpy/pandas/matplotlib load in the background; a failure
      // shows as status 'error' and the next run() tries again
      runtime.start().catch(() => {});
    });
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, [sessionId]);

  const run = useCallback(
    async (executeRequest, opts) => (await sessionRuntime(sessionId)).run(executeRequest, opts),
    [sessionId],
  );
  const reset = useCallback(async () => (await sessionRuntime(sessionId)).reset(), [sessionId]);

  return {
    status: state.status,
    progress: state.progress,
    ready: state.status === 'ready',
    run,
    reset,
  };
}

export default usePyodideWorker;
