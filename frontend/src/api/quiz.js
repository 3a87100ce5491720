import { apiFetch } from './config.js'

// A quiz: {id, notebook_id, title, difficulty, material_ids, created_at, question_count,
// questions: [{id, position, question, options: [str], material_id, material_name, location}]}
// (no answers until an attempt). An attempt: {id, quiz_id, score, total, answers, created_at,
// results: [{question_id, chosen, correct_index, correct, explanation}]}.

const enc = encodeURIComponent

export const listQuizzes = (notebookId) => apiFetch(`/notebooks/${enc(notebookId)}/quizzes`)

export const createQuiz = (notebookId, { materialIds, count = 5, difficulty = 'medium' } = {}) =>
  apiFetch(`/notebooks/${enc(notebookId)}/quizzes`, {
    json: { material_ids: materialIds?.length ? materialIds : null, count, difficulty },
  })

export const getQuiz = (quizId) => apiFetch(`/quizzes/${enc(quizId)}`)

export const deleteQuiz = (quizId) => apiFetch(`/quizzes/${enc(quizId)}`, { method: 'DELETE' })

/** answers: one option index (or null) per question, in order. */
export const submitAttempt = (quizId, answers) => apiFetch(`/quizzes/${enc(quizId)}/attempts`, { json: { answers } })

export const listAttempts = (quizId) => apiFetch(`/quizzes/${enc(quizId)}/attempts`)
