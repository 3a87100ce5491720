import { apiFetch } from './config.js'

// A podcast: {id, notebook_id, title, status: 'pending'|'running'|'ready'|'failed', progress 0..1,
// error, material_ids, duration_s, audio_format, audio_url, download_url, created_at, updated_at};
// the detail adds script {title, hosts, turns: [{speaker, name, text}]} and chunks.
// audio_url and download_url come from the server (the download link is signed).

const enc = encodeURIComponent

export const listPodcasts = (notebookId) => apiFetch(`/notebooks/${enc(notebookId)}/podcasts`)

/** Starts generation (202); poll getPodcast for status and progress. */
export const createPodcast = (notebookId, { materialIds, title } = {}) =>
  apiFetch(`/notebooks/${enc(notebookId)}/podcasts`, {
    json: { material_ids: materialIds?.length ? materialIds : null, title: title || null },
  })

export const getPodcast = (id) => apiFetch(`/podcasts/${enc(id)}`)

export const deletePodcast = (id) => apiFetch(`/podcasts/${enc(id)}`, { method: 'DELETE' })
