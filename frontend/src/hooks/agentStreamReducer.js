// Pure state machine of one agent turn: SSE events (and a few local actions
// from useAgentStream) in, UI state out. No React, no I/O — tested on its own.
import { SSE } from '../api/events.js'

export const RUNNING_CODE_LABEL = '🐍 Running Python'
export const STARTING_LABEL = '🧠 Thinking…'
export const repairLabel = (attempt) => `⚠️ Error found, fixing (attempt ${attempt})`
export const REPAIR_SUCCESS_LABEL = '✅ Fix applied, re-running...'
export const STOPPING_LABEL = 'Stopping…'
// What a turn stopped before any answer text says (the server stores the same words,
// services/agent/runs.py); without it the page showed "(no answer text)" until a reload.
export const STOPPED_ANSWER = 'Stopped, as you asked, before this answer was finished. Send a new message to carry on.'

// The plan's last step writes the answer: it is the answer itself, not a step
// of the drawer, so it is neither listed nor counted. The planner ends every
// plan of more than one step with it (services/agent/planner.py).
export const RESPONSE_TOOL = 'generate_response'
const countedTotal = (totalSteps) => (totalSteps > 1 ? totalSteps - 1 : totalSteps)

// Local (non-SSE) actions dispatched by the hook.
export const LOCAL = Object.freeze({
  START: 'local/start', //            {userText?, resumingRunId?, at?}
  EXEC_START: 'local/exec_start', //  {}
  EXEC_DONE: 'local/exec_done', //    {}
  STREAM_CLOSED: 'local/stream_closed', // {} the HTTP stream ended
  FAILED: 'local/failed', //          {message}
  STOP: 'local/stop', //              {at?} the user pressed Stop
  STOPPED: 'local/stopped', //        {} the turn ended on the page's side (no code was running)
  RESET: 'local/reset',
})

export const initialStreamState = Object.freeze({
  status: 'idle', // idle | streaming | executing | done | error
  runId: null,
  sessionId: null,
  isThinking: false,
  thinkingLabel: '',
  stepNumber: 0,
  totalSteps: 0,
  stepLog: [],
  pendingFiles: [],
  answer: '',
  meta: null,
  pendingExecute: null,
  error: null,
  messageId: null,
  doneStatus: null,
  phaseStartedAt: null, // ms timestamp: when the current label started (elapsed seconds)
  stopState: null, // null | 'stopping' | 'stopped'
})

export const isActive = (s) => s.status === 'streaming' || s.status === 'executing'

/**
 * "Step N of M" as both the thinking bar and the live drawer show it: the
 * drawer's steps, with the plan's length (minus the answer step) as the total.
 */
export function stepProgress(state) {
  const listed = state.stepLog.length
  const total = Math.max(state.totalSteps, listed)
  const current = Math.min(Math.max(state.stepNumber, 1), total || 1)
  return { current, total, listed }
}

function emptyStep(stepNumber, fields = {}) {
  return {
    step_number: stepNumber,
    tool: '',
    label: '',
    status: 'running',
    time_taken: null,
    code: '',
    stdout: '',
    stderr: '',
    repairs: [],
    ...fields,
  }
}

/** stepLog with the step `stepNumber` changed by `update` (created if missing). */
function updateStep(stepLog, stepNumber, update) {
  let i = stepNumber != null ? stepLog.findIndex((s) => s.step_number === stepNumber) : -1
  if (i < 0 && stepNumber == null) i = stepLog.length - 1
  if (i < 0) {
    const created = emptyStep(stepNumber ?? stepLog.length + 1)
    return [...stepLog, { ...created, ...update(created) }]
  }
  const next = stepLog.slice()
  next[i] = { ...next[i], ...update(next[i]) }
  return next
}

function upsertFile(files, file) {
  const i = files.findIndex((f) => f.filename === file.filename)
  if (i < 0) return [...files, file]
  const next = files.slice()
  next[i] = { ...next[i], ...file }
  return next
}

function reduceEvent(state, name, data, at) {
  switch (name) {
    case SSE.RUN:
      return { ...state, runId: data.run_id ?? state.runId, sessionId: data.session_id ?? state.sessionId }

    case SSE.STEP: {
      if (state.stopState) return state
      const label = data.label ?? state.thinkingLabel
      if (data.tool === RESPONSE_TOOL) {
        // Writing the answer: every listed step has run.
        return {
          ...state,
          status: 'streaming',
          isThinking: true,
          thinkingLabel: label,
          phaseStartedAt: at,
          stepNumber: state.stepLog.length,
          totalSteps: state.stepLog.length,
        }
      }
      const number = data.step_number ?? state.stepNumber + 1
      return {
        ...state,
        status: 'streaming',
        isThinking: true,
        thinkingLabel: label,
        phaseStartedAt: at,
        stepNumber: number,
        totalSteps: Math.max(countedTotal(data.total_steps ?? 0), number),
        stepLog: updateStep(state.stepLog, number, () => ({
          tool: data.tool ?? '',
          label: data.label ?? '',
          status: 'running',
          started_at: at,
        })),
      }
    }

    case SSE.STEP_DONE:
      // The server's record is authoritative; keep live data it left empty.
      if (data.tool === RESPONSE_TOOL) return state
      return {
        ...state,
        stepLog: updateStep(state.stepLog, data.step_number, (s) => ({
          tool: data.tool || s.tool,
          label: data.label || s.label,
          status: data.status ?? 'success',
          time_taken: data.time_taken ?? s.time_taken,
          code: data.code || s.code,
          stdout: data.stdout || s.stdout,
          stderr: data.stderr ?? s.stderr,
        })),
      }

    case SSE.CODE_WRITTEN:
      return {
        ...state,
        stepLog: updateStep(state.stepLog, data.step_number, (s) => {
          const rerun = s.code && s.code !== data.code
          // New code means a new execution: drop the previous attempt's output.
          return {
            tool: s.tool || data.tool || '',
            code: data.code ?? '',
            ...(rerun ? { stdout: '', stderr: '', status: 'running' } : {}),
          }
        }),
      }

    case SSE.EXECUTE:
      return {
        ...state,
        runId: data.run_id ?? state.runId,
        pendingExecute: data,
        isThinking: true,
        thinkingLabel: state.stopState ? STOPPING_LABEL : RUNNING_CODE_LABEL,
        phaseStartedAt: state.stopState ? state.phaseStartedAt : at,
      }

    case SSE.STDOUT:
      return {
        ...state,
        stepLog: updateStep(state.stepLog, data.step_number, (s) => ({
          stdout: s.stdout + (data.text ?? ''),
        })),
      }

    case SSE.REPAIR_ATTEMPT: {
      const i = state.stepLog.length - 1
      const repair = {
        ...data,
        attempt: data.attempt,
        max_attempts: data.max_attempts,
        error_summary: data.error_summary ?? '',
        fixed_by: data.fixed_by,
        diff: data.diff ?? [],
        success: false,
      }
      return {
        ...state,
        isThinking: true,
        thinkingLabel: state.stopState ? STOPPING_LABEL : repairLabel(data.attempt),
        phaseStartedAt: at,
        stepLog:
          i < 0
            ? [emptyStep(1, { repairs: [repair] })]
            : updateStep(state.stepLog, state.stepLog[i].step_number, (s) => ({
                repairs: [...s.repairs, repair],
              })),
      }
    }

    case SSE.REPAIR_SUCCESS: {
      const i = state.stepLog.length - 1
      return {
        ...state,
        thinkingLabel: state.stopState ? STOPPING_LABEL : REPAIR_SUCCESS_LABEL,
        stepLog:
          i < 0
            ? state.stepLog
            : updateStep(state.stepLog, state.stepLog[i].step_number, (s) => ({
                status: 'success',
                repairs: s.repairs.map((r) =>
                  r.attempt === data.attempt ? { ...r, success: true, outcome: 'fixed' } : r,
                ),
              })),
      }
    }

    case SSE.FILE_READY:
      return {
        ...state,
        pendingFiles: upsertFile(state.pendingFiles, {
          filename: data.filename,
          download_url: data.download_url,
          size: data.size ?? 0,
          type: data.type ?? '',
          file_id: data.file_id ?? null,
        }),
      }

    case SSE.TOKEN:
      return { ...state, answer: state.answer + (data.text ?? '') }

    case SSE.META:
      return { ...state, runId: data.run_id ?? state.runId, meta: { ...data } }

    case SSE.DONE: {
      const stopped = data.status === 'stopped' || state.stopState != null
      return {
        ...state,
        status: data.status === 'failed' && !stopped ? 'error' : 'done',
        stopState: stopped ? 'stopped' : null,
        runId: data.run_id ?? state.runId,
        messageId: data.message_id ?? null,
        doneStatus: data.status ?? 'completed',
        isThinking: false,
        thinkingLabel: '',
        pendingExecute: null,
        error:
          data.status === 'failed' && !stopped && !state.error
            ? 'The agent could not finish this request.'
            : state.error,
        stepLog: state.stepLog.map((s) =>
          s.status === 'running' ? { ...s, status: stopped ? 'stopped' : 'success' } : s,
        ),
      }
    }

    case SSE.ERROR:
      return {
        ...state,
        status: 'error',
        isThinking: false,
        thinkingLabel: '',
        pendingExecute: null,
        error: data.message || 'Something went wrong.',
        stepLog: state.stepLog.map((s) => (s.status === 'running' ? { ...s, status: 'error' } : s)),
      }

    default:
      return state // unknown events are ignored (forward compatible)
  }
}

export function agentStreamReducer(state, action) {
  switch (action.type) {
    case 'event':
      return reduceEvent(state, action.name, action.data ?? {}, action.at ?? null)

    case LOCAL.START:
      return {
        ...initialStreamState,
        status: 'streaming',
        isThinking: true,
        thinkingLabel: STARTING_LABEL,
        phaseStartedAt: action.at ?? null,
        runId: action.resumingRunId ?? null,
      }

    case LOCAL.EXEC_START:
      return {
        ...state,
        status: 'executing',
        isThinking: true,
        thinkingLabel: state.stopState ? STOPPING_LABEL : RUNNING_CODE_LABEL,
        phaseStartedAt: state.stopState ? state.phaseStartedAt : (action.at ?? state.phaseStartedAt),
      }

    case LOCAL.EXEC_DONE:
      // A run that ends after its turn was stopped or reset changes nothing.
      if (state.status !== 'executing') return state
      return { ...state, status: 'streaming', pendingExecute: null }

    case LOCAL.STREAM_CLOSED:
      // A stream may end quietly only when it handed us code to run.
      if (!isActive(state) || state.pendingExecute) return state
      return {
        ...state,
        status: 'error',
        isThinking: false,
        thinkingLabel: '',
        error: 'The connection closed before the answer was complete.',
      }

    case LOCAL.FAILED:
      if (state.status === 'done') return state
      return {
        ...state,
        status: 'error',
        isThinking: false,
        thinkingLabel: '',
        pendingExecute: null,
        error: action.message || 'Something went wrong.',
      }

    case LOCAL.STOP:
      if (!isActive(state) || state.stopState) return state
      return { ...state, stopState: 'stopping', thinkingLabel: STOPPING_LABEL, phaseStartedAt: action.at ?? null }

    case LOCAL.STOPPED:
      if (!isActive(state)) return state
      return {
        ...state,
        answer: state.answer || STOPPED_ANSWER,
        status: 'done',
        stopState: 'stopped',
        doneStatus: 'stopped',
        isThinking: false,
        thinkingLabel: '',
        pendingExecute: null,
        stepLog: state.stepLog.map((s) => (s.status === 'running' ? { ...s, status: 'stopped' } : s)),
      }

    case LOCAL.RESET:
      return initialStreamState

    default:
      return state
  }
}

/** The assistant message a finished (or failed) turn leaves in the chat. */
export function buildFinalMessage(state) {
  const meta = state.meta ?? {}
  return {
    id: state.messageId ?? `local-${Date.now()}`,
    role: 'assistant',
    content: state.answer,
    error: state.status === 'error' ? state.error : null,
    stopped: state.stopState === 'stopped',
    agent_metadata: {
      run_id: state.runId,
      intent: meta.intent ?? null,
      tools_used: meta.tools_used ?? [...new Set(state.stepLog.map((s) => s.tool).filter(Boolean))],
      total_time: meta.total_time ?? state.stepLog.reduce((t, s) => t + (s.time_taken ?? 0), 0),
      citations: meta.citations ?? [],
      failure: meta.failure ?? null,
    },
    step_log: state.stepLog,
    generated_files: state.pendingFiles,
    created_at: new Date().toISOString(),
  }
}

/** Replay a list of `[name, data]` events (tests, debugging). */
export function reduceEvents(events, state = agentStreamReducer(initialStreamState, { type: LOCAL.START })) {
  return events.reduce((s, [name, data]) => agentStreamReducer(s, { type: 'event', name, data }), state)
}
