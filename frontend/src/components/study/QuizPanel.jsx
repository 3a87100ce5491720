import { useCallback, useEffect, useState } from 'react'

import { createQuiz, deleteQuiz, getQuiz, listQuizzes, submitAttempt } from '../../api/quiz.js'
import { latestOnly } from '../../lib/listRequests.js'
import MaterialPicker, { defaultSelection } from './MaterialPicker.jsx'

const button = 'rounded-md px-3 py-1.5 text-sm font-medium transition disabled:cursor-not-allowed disabled:opacity-50'
const primary = `${button} bg-indigo-600 text-white hover:bg-indigo-500 dark:bg-indigo-500 dark:hover:bg-indigo-400`
const secondary = `${button} border border-neutral-300 text-neutral-700 hover:bg-neutral-100 dark:border-neutral-700 dark:text-neutral-200 dark:hover:bg-neutral-800`
const field =
  'rounded-md border border-neutral-300 bg-white px-2 py-1 text-sm dark:border-neutral-700 dark:bg-neutral-900 dark:text-neutral-100'

/** A quiz on the notebook's materials. Props: {notebookId, materials}. */
export default function QuizPanel({ notebookId, materials }) {
  const [quizzes, setQuizzes] = useState([])
  const [quiz, setQuiz] = useState(null)
  const [selected, setSelected] = useState(() => defaultSelection(materials))
  const [count, setCount] = useState(5)
  const [difficulty, setDifficulty] = useState('medium')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const [latest] = useState(latestOnly)
  const refresh = useCallback(
    () =>
      latest(listQuizzes(notebookId))
        .then(setQuizzes)
        .catch((e) => setError(e.message)),
    [latest, notebookId],
  )
  useEffect(() => {
    refresh()
  }, [refresh])
  useEffect(() => setSelected(defaultSelection(materials)), [materials])

  async function generate() {
    setBusy(true)
    setError('')
    try {
      setQuiz(await createQuiz(notebookId, { materialIds: [...selected], count, difficulty }))
      refresh()
    } catch (e) {
      setError(e.message)
    } finally {
      setBusy(false)
    }
  }

  if (quiz)
    return (
      <TakeQuiz
        quiz={quiz}
        onBack={() => {
          setQuiz(null)
          refresh()
        }}
      />
    )
  return (
    <div className="flex h-full flex-col gap-4 overflow-y-auto p-4" data-testid="study-quiz">
      <h2 className="text-lg font-semibold text-neutral-900 dark:text-neutral-100">Quiz</h2>
      <MaterialPicker materials={materials} selected={selected} onChange={setSelected} testId="quiz-materials" />
      <div className="flex flex-wrap items-center gap-3 text-sm text-neutral-700 dark:text-neutral-300">
        <label className="flex items-center gap-2">
          Questions
          <input
            type="number"
            min={1}
            max={30}
            value={count}
            className={`${field} w-16`}
            data-testid="quiz-count"
            onChange={(e) => setCount(Math.max(1, Math.min(30, Number(e.target.value) || 1)))}
          />
        </label>
        <label className="flex items-center gap-2">
          Difficulty
          <select
            value={difficulty}
            onChange={(e) => setDifficulty(e.target.value)}
            className={field}
            data-testid="quiz-difficulty"
          >
            <option value="easy">Easy</option>
            <option value="medium">Medium</option>
            <option value="hard">Hard</option>
          </select>
        </label>
        <button
          type="button"
          className={primary}
          disabled={busy || !selected.size}
          onClick={generate}
          data-testid="quiz-generate"
        >
          {busy ? 'Writing questions…' : 'Make quiz'}
        </button>
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
      <ul className="flex flex-col gap-2" data-testid="quiz-list">
        {quizzes.map((q) => (
          <li
            key={q.id}
            className="flex items-center justify-between rounded-lg border border-neutral-200 p-3 dark:border-neutral-800"
          >
            <button
              type="button"
              className="text-left"
              onClick={() =>
                getQuiz(q.id)
                  .then(setQuiz)
                  .catch((e) => setError(e.message))
              }
            >
              <span className="block text-sm font-medium text-neutral-900 dark:text-neutral-100">{q.title}</span>
              <span className="text-xs text-neutral-500 dark:text-neutral-400">
                {q.question_count} questions · {q.difficulty}
              </span>
            </button>
            <button
              type="button"
              className="text-xs text-neutral-500 hover:text-red-600 dark:text-neutral-400"
              onClick={() =>
                deleteQuiz(q.id)
                  .then(refresh)
                  .catch((e) => setError(e.message))
              }
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
    </div>
  )
}

/** Answer every question, submit, then see the score and each explanation. */
function TakeQuiz({ quiz, onBack }) {
  const [answers, setAnswers] = useState(() => quiz.questions.map(() => null))
  const [attempt, setAttempt] = useState(null)
  const [error, setError] = useState('')
  const resultOf = (i) => attempt?.results[i]

  async function submit() {
    try {
      setAttempt(await submitAttempt(quiz.id, answers))
    } catch (e) {
      setError(e.message)
    }
  }

  return (
    <div className="flex h-full flex-col gap-4 overflow-y-auto p-4" data-testid="quiz-view">
      <button type="button" className={`${secondary} self-start`} onClick={onBack}>
        ← Quizzes
      </button>
      <h2 className="text-base font-semibold text-neutral-900 dark:text-neutral-100">{quiz.title}</h2>
      {attempt && (
        <p
          className="rounded-lg bg-indigo-50 p-3 text-sm font-medium text-indigo-900 dark:bg-indigo-950/50 dark:text-indigo-100"
          data-testid="quiz-score"
        >
          Score: {attempt.score} / {attempt.total}
        </p>
      )}
      <ol className="flex flex-col gap-4">
        {quiz.questions.map((q, i) => {
          const result = resultOf(i)
          return (
            <li
              key={q.id}
              className="rounded-lg border border-neutral-200 p-3 dark:border-neutral-800"
              data-testid="quiz-question"
            >
              <p className="mb-2 text-sm font-medium text-neutral-900 dark:text-neutral-100">
                {i + 1}. {q.question}
              </p>
              <div className="flex flex-col gap-1">
                {q.options.map((option, j) => {
                  const correct = result && j === result.correct_index
                  const wrongPick = result && j === answers[i] && !result.correct
                  return (
                    <label
                      key={j}
                      className={`flex cursor-pointer items-center gap-2 rounded px-2 py-1 text-sm ${
                        correct
                          ? 'bg-emerald-50 text-emerald-900 dark:bg-emerald-950/50 dark:text-emerald-200'
                          : wrongPick
                            ? 'bg-red-50 text-red-900 dark:bg-red-950/50 dark:text-red-200'
                            : 'text-neutral-700 dark:text-neutral-300'
                      }`}
                    >
                      <input
                        type="radio"
                        name={q.id}
                        className="accent-indigo-600"
                        disabled={!!attempt}
                        checked={answers[i] === j}
                        onChange={() => setAnswers((a) => a.map((x, k) => (k === i ? j : x)))}
                      />
                      {option}
                    </label>
                  )
                })}
              </div>
              {result && (
                <p className="mt-2 text-xs text-neutral-600 dark:text-neutral-400" data-testid="quiz-explanation">
                  {result.correct ? '✓ Correct. ' : '✗ Not quite. '}
                  {result.explanation}
                  <span className="ml-1 text-neutral-400">
                    ({q.material_name}
                    {q.location ? `, ${q.location}` : ''})
                  </span>
                </p>
              )}
            </li>
          )
        })}
      </ol>
      {error && (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
      {attempt ? (
        <button
          type="button"
          className={`${secondary} self-start`}
          onClick={() => {
            setAttempt(null)
            setAnswers(quiz.questions.map(() => null))
          }}
        >
          Try again
        </button>
      ) : (
        <button type="button" className={`${primary} self-start`} onClick={submit} data-testid="quiz-submit">
          Submit answers
        </button>
      )}
    </div>
  )
}
