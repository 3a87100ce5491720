// One agent turn at a time for one chat session: opens the SSE stream, feeds
// every event to agentStreamReducer, and drives the execute loop
// (execute → run in the browser runtime → upload files → POST the result →
// follow the continuation stream) until `done` or `error`.
import { useCallback, useEffect, useReducer, useRef } from 'react'
import { SSE } from '../api/events.js'
import { fetchBytes } from '../api/config.js'
import { getRun, postExecutionResult, stopRun, streamAgentChat, uploadGeneratedFile } from '../api/agent.js'
import { agentStreamReducer, buildFinalMessage, initialStreamState, isActive, LOCAL } from './agentStreamReducer.js'
import { buildExecutionResultBody } from '../runtime/protocol.js'
import { failedRunResult } from './executionResult.js'

const runKey = (sessionId) => `kepler-run:${sessionId}`

export function rememberRun(sessionId, runId) {
  try {
    if (runId) sessionStorage.setItem(runKey(sessionId), runId)
    else sessionStorage.removeItem(runKey(sessionId))
  } catch {
    /* storage unavailable */
  }
}

export function rememberedRun(sessionId) {
  try {
    return sessionStorage.getItem(runKey(sessionId))
  } catch {
    return null
  }
}

/**
 * @param {object} opts
 * @param {string} opts.sessionId   chat session
 * @param {object} opts.runtime     the session's usePyodideWorker() value
 * @param {(msg) => void} opts.onFinished  receives the final assistant message
 */
export function useAgentStream({ sessionId, runtime, onFinished }) {
  const [state, dispatch] = useReducer(agentStreamReducer, initialStreamState)
  const stateRef = useRef(state)
  const abortRef = useRef(null)
  const runtimeRef = useRef(runtime)
  const onFinishedRef = useRef(onFinished)
  runtimeRef.current = runtime
  onFinishedRef.current = onFinished

  // Mirror of the reducer state that async code can read synchronously.
  // Every action carries its time, so the reducer stays pure and still knows
  // when a step started (the elapsed seconds the bar and the drawer show).
  const apply = useCallback((action) => {
    action = { at: Date.now(), ...action }
    stateRef.current = agentStreamReducer(stateRef.current, action)
    dispatch(action)
  }, [])

  useEffect(() => {
    return () => abortRef.current?.abort()
  }, [sessionId])

  /** Run one ExecuteRequest in the browser and build the POST body. */
  const execute = useCallback(
    async (request, signal) => {
      apply({ type: LOCAL.EXEC_START })
      const rt = runtimeRef.current
      let result
      try {
        if (!rt?.run) throw new Error('The Python runtime is not available in this browser.')
        result = await rt.run(request, { fetchMount: (mount) => fetchBytes(mount.url, { signal }) })
      } catch (err) {
        result = failedRunResult(err)
      }
      if (signal?.aborted) return null // stopped meanwhile: nothing to post
      // Persist each produced file so it survives a reload; path → server id.
      const fileIds = {}
      await Promise.all(
        (result.files ?? []).map(async (f) => {
          try {
            const file = new File([f.bytes ?? new Uint8Array()], f.name, { type: f.type || '' })
            const saved = await uploadGeneratedFile(sessionId, request.run_id, file, f.path)
            if (saved?.id) fileIds[f.path] = saved.id
          } catch {
            /* the server still hears the file's name; its bytes are lost */
          }
        }),
      )
      apply({ type: LOCAL.EXEC_DONE })
      return buildExecutionResultBody(result, fileIds)
    },
    [apply, sessionId],
  )

  /** The user's Stop, seen from the page's side: the turn ends here as stopped. */
  const finishStopped = useCallback(
    async (signalOwner) => {
      signalOwner?.abort()
      const runId = stateRef.current.runId
      if (runId) {
        try {
          await stopRun(runId)
        } catch {
          /* the run may already be over on the server; the page stops anyway */
        }
      }
      apply({ type: LOCAL.STOPPED })
      onFinishedRef.current?.(buildFinalMessage(stateRef.current))
      apply({ type: LOCAL.RESET })
    },
    [apply],
  )

  /** Follow `open` and every continuation until done/error/abort. */
  const follow = useCallback(
    async (open, signal) => {
      let next = open
      try {
        while (next && !signal.aborted) {
          let request = null
          const onEvent = (name, data) => {
            if (signal.aborted) return
            if (name === SSE.RUN && data.run_id) rememberRun(sessionId, data.run_id)
            if (name === SSE.EXECUTE) request = data
            apply({ type: 'event', name, data })
          }
          await next({ onEvent, signal })
          if (signal.aborted) return
          apply({ type: LOCAL.STREAM_CLOSED })
          if (!request) break
          if (stateRef.current.stopState) {
            // Stopped, yet the server sent more code: do not run it.
            await finishStopped(abortRef.current)
            return
          }
          const body = await execute(request, signal)
          if (signal.aborted) return
          const req = request
          next = (handlers) => postExecutionResult(req.run_id, req.exec_id, body, handlers)
        }
      } catch (err) {
        if (signal.aborted) return
        const offline = err instanceof TypeError // fetch() network failure
        apply({ type: LOCAL.FAILED, message: offline ? `Could not reach the server (${err.message}).` : err?.message })
      }
      const final = stateRef.current
      if (final.status === 'done' || final.status === 'error') {
        if (final.status === 'done') rememberRun(sessionId, null)
        onFinishedRef.current?.(buildFinalMessage(final))
        apply({ type: LOCAL.RESET })
      }
    },
    [apply, execute, finishStopped, sessionId],
  )

  const begin = useCallback(
    (resumingRunId) => {
      abortRef.current?.abort()
      const controller = new AbortController()
      abortRef.current = controller
      apply({ type: LOCAL.START, resumingRunId })
      return controller.signal
    },
    [apply],
  )

  /** Start a new turn; `materialId` is the material the user chose ("Use this file"). */
  const send = useCallback(
    (message, { materialIds, materialId } = {}) => {
      const signal = begin()
      return follow((handlers) => streamAgentChat({ sessionId, message, materialIds, materialId }, handlers), signal)
    },
    [begin, follow, sessionId],
  )

  /**
   * Pick up a run suspended while waiting for the browser (e.g. after a page
   * reload). Resolves to true when a run was resumed.
   */
  const resume = useCallback(
    async (runId) => {
      if (!runId || stateRef.current.status !== 'idle') return false
      let run
      try {
        run = await getRun(runId)
      } catch {
        return false
      }
      if (run?.status !== 'awaiting_execution' || !run.pending_execute) {
        if (run?.status === 'completed' || run?.status === 'failed') rememberRun(sessionId, null)
        return false
      }
      const signal = begin(runId)
      const request = run.pending_execute
      apply({ type: 'event', name: SSE.EXECUTE, data: request })
      await follow(async (handlers) => {
        const body = await execute(request, signal)
        if (signal.aborted) return
        await postExecutionResult(request.run_id, request.exec_id, body, handlers)
      }, signal)
      return true
    },
    [apply, begin, execute, follow, sessionId],
  )

  /**
   * Stop the running turn. Code running in the browser is stopped by the
   * runtime: its run resolves `{ok:false, stopped:true}`, which is posted as
   * the result so the server ends the turn itself. Otherwise the stream is
   * aborted and the server told (POST /agent/runs/{id}/stop).
   */
  const stop = useCallback(async () => {
    const s = stateRef.current
    if (!isActive(s) || s.stopState) return
    apply({ type: LOCAL.STOP })
    const rt = runtimeRef.current
    if (s.status === 'executing' && typeof rt?.stop === 'function') {
      try {
        // true: running code was stopped, and its stopped result ends the turn;
        // false: nothing was running at that instant (mounts, start-up)
        if (await rt.stop()) return
      } catch {
        /* fall through: stop on the page's side */
      }
    }
    await finishStopped(abortRef.current)
  }, [apply, finishStopped])

  const cancel = useCallback(() => {
    abortRef.current?.abort()
    apply({ type: LOCAL.RESET })
  }, [apply])

  return { state, send, resume, stop, cancel, busy: isActive(state) }
}
