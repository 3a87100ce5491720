// React hook over PyodideRuntime: one runtime (one worker, one Python
// namespace) per chat session, started when the first component using the
// session mounts. Runtimes outlive the component so switching away and back
// keeps the session's variables; only the most recently used
// MAX_LIVE_RUNTIMES stay alive (each worker holds a few hundred MB).
//
//   const { status, progress, ready, run, reset } = usePyodideWorker(sessionId);
//   const result = await run(executeRequest, { fetchMount });   // see runtimeClient.js

import { useCallback, useEffect, useState } from 'react';

import { PyodideRuntime } from './runtimeClient.js';

const MAX_LIVE_RUNTIMES = 2;
const runtimes = new Map(); // sessionId -> PyodideRuntime, in least-recently-used order

export function getRuntime(sessionId) {
  let runtime = runtimes.get(sessionId);
  if (runtime) {
    runtimes.delete(sessionId);
  } else {
    runtime = new PyodideRuntime();
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

export function usePyodideWorker(sessionId) {
  const [state, setState] = useState({ status: 'idle', progress: 0 });

  useEffect(() => {
    if (!sessionId) return undefined;
    const runtime = getRuntime(sessionId);
    setState({ status: runtime.status, progress: runtime.progress });
    const unsubscribe = runtime.subscribe(setState);
    // pre-warm: Python + numpy/pandas/matplotlib load in the background; a failure
    // shows as status 'error' and the next run() tries again
    runtime.start().catch(() => {});
    return unsubscribe;
  }, [sessionId]);

  const run = useCallback(
    (executeRequest, opts) => getRuntime(sessionId).run(executeRequest, opts),
    [sessionId],
  );
  const reset = useCallback(() => getRuntime(sessionId).reset(), [sessionId]);

  return {
    status: state.status,
    progress: state.progress,
    ready: state.status === 'ready',
    run,
    reset,
  };
}

export default usePyodideWorker;
