// JS mirror of backend/app/services/code_execution/contract.py: the `execute`
// request the server sends and the ExecutionResult the page posts back to
// POST /api/agent/runs/{run_id}/executions/{exec_id}. Keep both in step.

export const WORKSPACE_ROOT = '/workspace'
export const UPLOADS_DIR = `${WORKSPACE_ROOT}/uploads`
export const MAX_STREAM_CHARS = 200000
export const MAX_FILES_PER_RUN = 50
// The server accepts up to MAX_STREAM_CHARS * 5 per stream and clips later.
export const MAX_POSTED_STREAM_CHARS = MAX_STREAM_CHARS * 5

export const MOUNT_FIELDS = ['material_id', 'name', 'path', 'url']
export const EXECUTE_REQUEST_FIELDS = [
  'run_id',
  'exec_id',
  'code',
  'timeout_s',
  'package_timeout_s',
  'output_dir',
  'mounts',
]
export const PRODUCED_FILE_FIELDS = ['name', 'path', 'size', 'type', 'file_id']
export const EXECUTION_RESULT_FIELDS = [
  'ok',
  'stdout',
  'stderr',
  'duration_ms',
  'files',
  'vars',
  'timed_out',
  'stopped',
  'imported',
]

export class ProtocolError extends Error {
  constructor(message) {
    super(message)
    this.name = 'ProtocolError'
  }
}

/** Keep the head and the tail of a long stream (a traceback's end matters most). */
export function clipStream(text, limit = MAX_POSTED_STREAM_CHARS) {
  if (text.length <= limit) return text
  const half = Math.floor(limit / 2)
  return `${text.slice(0, half)}\n... [${text.length - limit} characters cut] ...\n${text.slice(-half)}`
}

function requireString(obj, key, where) {
  if (typeof obj[key] !== 'string') throw new ProtocolError(`${where}.${key} must be a string`)
  return obj[key]
}

/** Validate an `execute` payload and return a clean copy with defaults filled in. */
export function normaliseExecuteRequest(raw) {
  if (!raw || typeof raw !== 'object') throw new ProtocolError('ExecuteRequest must be an object')
  const timeout = Number(raw.timeout_s)
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new ProtocolError('ExecuteRequest.timeout_s must be a positive number')
  }
  const mounts = raw.mounts == null ? [] : raw.mounts
  if (!Array.isArray(mounts)) throw new ProtocolError('ExecuteRequest.mounts must be a list')
  return {
    run_id: requireString(raw, 'run_id', 'ExecuteRequest'),
    exec_id: requireString(raw, 'exec_id', 'ExecuteRequest'),
    code: requireString(raw, 'code', 'ExecuteRequest'),
    timeout_s: timeout,
    output_dir: requireString(raw, 'output_dir', 'ExecuteRequest'),
    mounts: mounts.map((m, i) => {
      const where = `ExecuteRequest.mounts[${i}]`
      const mount = Object.fromEntries(MOUNT_FIELDS.map((k) => [k, requireString(m || {}, k, where)]))
      if (!mount.path.startsWith(`${WORKSPACE_ROOT}/`)) {
        throw new ProtocolError(`${where}.path must be inside ${WORKSPACE_ROOT}`)
      }
      return mount
    }),
  }
}

/**
 * Build the POST body (an ExecutionResult) from a runtime result.
 * `fileIds` maps a produced file's path to the id `POST /api/agent/files`
 * returned for it; a file without one is reported by name only (file_id null).
 */
export function buildExecutionResultBody(result, fileIds = {}) {
  const files = (result.files || []).slice(0, MAX_FILES_PER_RUN).map((f) => ({
    name: String(f.name).slice(0, 255),
    path: String(f.path || '').slice(0, 1024),
    size: Math.max(0, Math.trunc(Number(f.size) || 0)),
    type: String(f.type || '').slice(0, 255),
    file_id: fileIds[f.path] ?? null,
  }))
  const vars = {}
  for (const [k, v] of Object.entries(result.vars || {})) vars[k] = String(v)
  return {
    ok: Boolean(result.ok),
    stdout: clipStream(String(result.stdout || '')),
    stderr: clipStream(String(result.stderr || '')),
    duration_ms: Math.max(0, Math.round(Number(result.duration_ms) || 0)),
    files,
    vars,
    timed_out: Boolean(result.timed_out),
    stopped: Boolean(result.stopped),
    imported: (Array.isArray(result.imported) ? result.imported : []).slice(0, 500).map(String),
  }
}
