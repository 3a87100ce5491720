import { apiFetch } from './config.js'

// A deck: {id, notebook_id, title, slide_count, material_ids, image_file_id, download_url,
// created_at}; the detail adds slides: [{kind, title, bullets, notes}].
// download_url comes from the server (a signed link).

const enc = encodeURIComponent

export const listPresentations = (notebookId) => apiFetch(`/notebooks/${enc(notebookId)}/presentations`)

/** Builds the deck (201) and resolves to its detail. */
export const createPresentation = (notebookId, { materialIds, title, imageFileId } = {}) =>
  apiFetch(`/notebooks/${enc(notebookId)}/presentations`, {
    json: {
      material_ids: materialIds?.length ? materialIds : null,
      title: title || null,
      image_file_id: imageFileId || null,
    },
  })

export const getPresentation = (id) => apiFetch(`/presentations/${enc(id)}`)

export const deletePresentation = (id) => apiFetch(`/presentations/${enc(id)}`, { method: 'DELETE' })
