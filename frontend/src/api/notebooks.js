import { apiFetch } from './config.js'

export const listNotebooks = () => apiFetch('/notebooks')

export const getNotebook = (id) => apiFetch(`/notebooks/${encodeURIComponent(id)}`)

export const createNotebook = (title) => apiFetch('/notebooks', { json: { title } })

export const renameNotebook = (id, title) =>
  apiFetch(`/notebooks/${encodeURIComponent(id)}`, { method: 'PATCH', json: { title } })

export const deleteNotebook = (id) => apiFetch(`/notebooks/${encodeURIComponent(id)}`, { method: 'DELETE' })
