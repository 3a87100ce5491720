import { apiFetch, apiUrl } from './config.js'

// A deck: {id, notebook_id, title, material_ids, created_at, card_count, known_count,
// cards: [{id, position, front, back, kind: 'definition'|'cloze', material_id, material_name,
// location, snippet, known, reviews, lapses, last_result, last_reviewed_at}]}.

const enc = encodeURIComponent

export const listDecks = (notebookId) => apiFetch(`/notebooks/${enc(notebookId)}/flashcards`)

export const createDeck = (notebookId, { materialIds, count = 10 } = {}) =>
  apiFetch(`/notebooks/${enc(notebookId)}/flashcards`, {
    json: { material_ids: materialIds?.length ? materialIds : null, count },
  })

export const getDeck = (deckId) => apiFetch(`/flashcards/${enc(deckId)}`)

export const deleteDeck = (deckId) => apiFetch(`/flashcards/${enc(deckId)}`, { method: 'DELETE' })

/** result: 'know' | 'again'; resolves to the updated card. */
export const reviewCard = (deckId, cardId, result) =>
  apiFetch(`/flashcards/${enc(deckId)}/cards/${enc(cardId)}/review`, { json: { result } })

/** Download URL: format 'csv' or 'anki' (tab-separated, Anki's File > Import). */
export const deckExportUrl = (deckId, format = 'csv') =>
  apiUrl(`/flashcards/${enc(deckId)}/export?format=${enc(format)}`)
