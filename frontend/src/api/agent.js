// Agent API: the chat stream, execution results (continuation streams), runs
// and generated files.
import { fetchEventSource } from '@microsoft/fetch-event-source'
import { API_PREFIX, apiFetch, apiUrl, errorFromResponse } from './config.js'

class FatalStreamError extends Error {}

/**
 * Open an SSE stream over fetch (POST with a JSON body) and call
 * `onEvent(name, data)` for every event. Resolves when the server closes the
 * stream; rejects on HTTP errors or if `onEvent` throws. Never retries: a
 * retried POST would start a second turn.
 */
export function streamSse(path, body, { onEvent, signal } = {}) {
  return fetchEventSource(apiUrl(path), {
    method: 'POST',
    credentials: 'include',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
    body: JSON.stringify(body),
    signal,
    openWhenHidden: true,
    async onopen(res) {
      const type = res.headers.get('content-type') ?? ''
      if (res.ok && type.includes('text/event-stream')) return
      throw new FatalStreamError((await errorFromResponse(res)).message)
    },
    onmessage(msg) {
      if (!msg.event && !msg.data) return // keep-alive comment
      let data = {}
      if (msg.data) {
        try {
          data = JSON.parse(msg.data)
        } catch {
          data = { text: msg.data }
        }
      }
      onEvent(msg.event || 'message', data)
    },
    onerror(err) {
      throw err // no automatic retry
    },
  })
}

/** Start a turn: `POST /api/agent/chat` → SSE. */
export const streamAgentChat = ({ sessionId, message, materialIds, materialId }, handlers) =>
  streamSse(
    '/agent/chat',
    {
      session_id: sessionId,
      message,
      ...(materialIds?.length ? { material_ids: materialIds } : {}),
      ...(materialId ? { material_id: materialId } : {}),
    },
    handlers,
  )

/** Stop a run that is not executing code in the browser (a 404: already over). */
export async function stopRun(runId) {
  try {
    return await apiFetch(`/agent/runs/${encodeURIComponent(runId)}/stop`, { method: 'POST' })
  } catch (err) {
    if (err?.status === 404) return null
    throw err
  }
}

/** Post an ExecutionResult; the response is the continuation SSE stream. */
export const postExecutionResult = (runId, execId, result, handlers) =>
  streamSse(`/agent/runs/${encodeURIComponent(runId)}/executions/${encodeURIComponent(execId)}`, result, handlers)

/** `{run_id, session_id, status, pending_execute}` */
export const getRun = (runId) => apiFetch(`/agent/runs/${encodeURIComponent(runId)}`)

/** Persist a file the browser runtime produced. → `{id, name, size, type, path}` */
export function uploadGeneratedFile(sessionId, runId, file, path) {
  const form = new FormData()
  form.append('session_id', sessionId)
  if (runId) form.append('run_id', runId)
  if (path) form.append('path', path)
  form.append('file', file, file.name)
  return apiFetch('/agent/files', { method: 'POST', body: form })
}

/** `{files: [{id, name, url, size, type, created_at}]}` */
export const listGeneratedFiles = (sessionId) => apiFetch(`/agent/files?session_id=${encodeURIComponent(sessionId)}`)

/** The (unsigned) download URL of a generated file; needs `?token=` to work. */
export const getDownloadUrl = (userId, sessionId, filename) =>
  apiUrl(
    `/agent/download/${encodeURIComponent(userId)}/${encodeURIComponent(sessionId)}/${encodeURIComponent(filename)}`,
  )

/** `{token, url}` for one generated file. */
export const getFileToken = (sessionId, filename) =>
  apiFetch('/agent/files/token', { json: { session_id: sessionId, filename } })

/** Fetch a generated file's bytes as a Blob (signed token first). */
export async function fetchGeneratedFileBlob(userId, sessionId, filename) {
  const { token, url } = await getFileToken(sessionId, filename)
  const base = !url
    ? getDownloadUrl(userId, sessionId, filename)
    : url.startsWith(API_PREFIX) || /^https?:/.test(url)
      ? url
      : apiUrl(url)
  const signed = base.includes('token=')
    ? base
    : `${base}${base.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`
  const res = await fetch(signed, { credentials: 'include' })
  if (!res.ok) throw await errorFromResponse(res)
  return res.blob()
}

/** Trigger a browser download of a Blob under `filename`. */
export function saveBlob(blob, filename) {
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 30_000)
}

/** Signed token → bytes → Blob download. */
export async function downloadGeneratedFile(userId, sessionId, filename) {
  const blob = await fetchGeneratedFileBlob(userId, sessionId, filename)
  saveBlob(blob, filename)
  return blob
}

/** `{userId, sessionId, filename}` from a `/api/agent/download/...` URL, or null. */
export function parseDownloadUrl(url) {
  const m = /\/agent\/download\/([^/?#]+)\/([^/?#]+)\/([^?#]+)/.exec(url ?? '')
  if (!m) return null
  return {
    userId: decodeURIComponent(m[1]),
    sessionId: decodeURIComponent(m[2]),
    filename: decodeURIComponent(m[3]),
  }
}
