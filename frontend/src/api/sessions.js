import { apiFetch } from './config.js'

export const listSessions = (notebookId) => apiFetch(`/notebooks/${encodeURIComponent(notebookId)}/sessions`)

export const createSession = (notebookId, title) =>
  apiFetch(`/notebooks/${encodeURIComponent(notebookId)}/sessions`, {
    json: title ? { title } : {},
  })

export const listMessages = (sessionId) => apiFetch(`/sessions/${encodeURIComponent(sessionId)}/messages`)

export const deleteSession = (sessionId) => apiFetch(`/sessions/${encodeURIComponent(sessionId)}`, { method: 'DELETE' })
