import { fetchEventSource } from '@microsoft/fetch-event-source'

import { apiFetch, apiUrl, errorFromResponse } from './config.js'

const enc = encodeURIComponent

/**
 * Ask the notebook's materials (SSE). Events arrive as {event, data}:
 * run {run_id, session_id}, token {text}…, meta {citations: [{index, material_id,
 * material_name, location, snippet}]}, done, error. Resolves when the stream ends.
 */
export async function askNotebook(notebookId, { question, materialIds, sessionId }, onEvent, signal) {
  await fetchEventSource(apiUrl(`/notebooks/${enc(notebookId)}/ask`), {
    method: 'POST',
    credentials: 'include',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
    body: JSON.stringify({
      question,
      material_ids: materialIds?.length ? materialIds : null,
      session_id: sessionId ?? null,
    }),
    signal,
    openWhenHidden: true,
    async onopen(res) {
      if (!res.ok) throw await errorFromResponse(res)
    },
    onmessage(msg) {
      if (msg.event) onEvent({ event: msg.event, data: msg.data ? JSON.parse(msg.data) : null })
    },
    onerror(err) {
      throw err // no automatic retry: a question is answered once
    },
  })
}

/** Indexing progress: {material_id, status, chunks_done, chunks_total, error}. */
export const getIndexStatus = (materialId) => apiFetch(`/materials/${enc(materialId)}/index`)
