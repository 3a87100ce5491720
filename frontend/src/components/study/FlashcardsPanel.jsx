import { useCallback, useEffect, useState } from 'react'

import { createDeck, deckExportUrl, deleteDeck, getDeck, listDecks, reviewCard } from '../../api/flashcards.js'
import { latestOnly } from '../../lib/listRequests.js'
import MaterialPicker, { defaultSelection } from './MaterialPicker.jsx'

const button = 'rounded-md px-3 py-1.5 text-sm font-medium transition disabled:cursor-not-allowed disabled:opacity-50'
const primary = `${button} bg-indigo-600 text-white hover:bg-indigo-500 dark:bg-indigo-500 dark:hover:bg-indigo-400`
const secondary = `${button} border border-neutral-300 text-neutral-700 hover:bg-neutral-100 dark:border-neutral-700 dark:text-neutral-200 dark:hover:bg-neutral-800`

/** Flashcards made from the notebook's materials. Props: {notebookId, materials}. */
export default function FlashcardsPanel({ notebookId, materials }) {
  const [decks, setDecks] = useState([])
  const [deck, setDeck] = useState(null)
  const [selected, setSelected] = useState(() => defaultSelection(materials))
  const [count, setCount] = useState(10)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const [latest] = useState(latestOnly)
  const refresh = useCallback(
    () =>
      latest(listDecks(notebookId))
        .then(setDecks)
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
      const created = await createDeck(notebookId, { materialIds: [...selected], count })
      setDeck(created)
      refresh()
    } catch (e) {
      setError(e.message)
    } finally {
      setBusy(false)
    }
  }

  async function remove(id) {
    await deleteDeck(id).catch((e) => setError(e.message))
    if (deck?.id === id) setDeck(null)
    refresh()
  }

  if (deck) {
    return (
      <DeckView
        deck={deck}
        onBack={() => {
          setDeck(null)
          refresh()
        }}
        onChange={setDeck}
      />
    )
  }
  return (
    <div className="flex h-full flex-col gap-4 overflow-y-auto p-4" data-testid="study-flashcards">
      <h2 className="text-lg font-semibold text-neutral-900 dark:text-neutral-100">Flashcards</h2>
      <MaterialPicker materials={materials} selected={selected} onChange={setSelected} testId="flashcards-materials" />
      <div className="flex items-center gap-3">
        <label className="flex items-center gap-2 text-sm text-neutral-700 dark:text-neutral-300">
          Cards
          <input
            type="number"
            min={1}
            max={50}
            value={count}
            data-testid="flashcards-count"
            onChange={(e) => setCount(Math.max(1, Math.min(50, Number(e.target.value) || 1)))}
            className="w-16 rounded-md border border-neutral-300 bg-white px-2 py-1 dark:border-neutral-700 dark:bg-neutral-900"
          />
        </label>
        <button
          type="button"
          className={primary}
          disabled={busy || !selected.size}
          onClick={generate}
          data-testid="flashcards-generate"
        >
          {busy ? 'Making cards…' : 'Make flashcards'}
        </button>
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
      <ul className="flex flex-col gap-2" data-testid="deck-list">
        {decks.map((d) => (
          <li
            key={d.id}
            className="flex items-center justify-between rounded-lg border border-neutral-200 p-3 dark:border-neutral-800"
          >
            <button
              type="button"
              className="text-left"
              onClick={() =>
                getDeck(d.id)
                  .then(setDeck)
                  .catch((e) => setError(e.message))
              }
            >
              <span className="block text-sm font-medium text-neutral-900 dark:text-neutral-100">{d.title}</span>
              <span className="text-xs text-neutral-500 dark:text-neutral-400">
                {d.known_count}/{d.card_count} known
              </span>
            </button>
            <button
              type="button"
              className="text-xs text-neutral-500 hover:text-red-600 dark:text-neutral-400"
              onClick={() => remove(d.id)}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
    </div>
  )
}

/** One deck: flip the current card, mark it know/again, move on; progress persists. */
function DeckView({ deck, onBack, onChange }) {
  const [index, setIndex] = useState(() =>
    Math.max(
      0,
      deck.cards.findIndex((c) => !c.known),
    ),
  )
  const [flipped, setFlipped] = useState(false)
  const [error, setError] = useState('')
  const cards = deck.cards
  const card = cards[index]
  const known = cards.filter((c) => c.known).length

  async function review(result) {
    try {
      const updated = await reviewCard(deck.id, card.id, result)
      onChange({ ...deck, cards: cards.map((c) => (c.id === updated.id ? updated : c)) })
      setFlipped(false)
      setIndex((i) => (i + 1) % cards.length)
    } catch (e) {
      setError(e.message)
    }
  }

  return (
    <div className="flex h-full flex-col gap-4 overflow-y-auto p-4" data-testid="deck-view">
      <div className="flex items-center justify-between">
        <button type="button" className={secondary} onClick={onBack}>
          ← Decks
        </button>
        <div className="flex gap-2 text-xs">
          <a className="text-indigo-600 hover:underline dark:text-indigo-400" href={deckExportUrl(deck.id, 'csv')}>
            CSV
          </a>
          <a className="text-indigo-600 hover:underline dark:text-indigo-400" href={deckExportUrl(deck.id, 'anki')}>
            Anki
          </a>
        </div>
      </div>
      <h2 className="text-base font-semibold text-neutral-900 dark:text-neutral-100">{deck.title}</h2>
      <div className="h-2 w-full rounded-full bg-neutral-200 dark:bg-neutral-800" aria-hidden="true">
        <div
          className="h-2 rounded-full bg-emerald-500"
          style={{ width: `${(known / Math.max(1, cards.length)) * 100}%` }}
        />
      </div>
      <p className="text-xs text-neutral-500 dark:text-neutral-400" data-testid="deck-progress">
        Card {index + 1} of {cards.length} · {known} known
      </p>
      {card && (
        <button
          type="button"
          data-testid="flashcard"
          onClick={() => setFlipped((f) => !f)}
          className="min-h-40 rounded-xl border border-neutral-200 bg-white p-6 text-left shadow-sm transition hover:shadow dark:border-neutral-800 dark:bg-neutral-900"
        >
          <span className="mb-2 block text-xs uppercase tracking-wide text-neutral-400">
            {flipped ? 'Answer' : card.kind === 'cloze' ? 'Fill the blank' : 'Question'}
          </span>
          <span
            className="block text-base text-neutral-900 dark:text-neutral-100"
            data-testid={flipped ? 'flashcard-back' : 'flashcard-front'}
          >
            {flipped ? card.back : card.front}
          </span>
          {flipped && (
            <span className="mt-3 block text-xs text-neutral-500 dark:text-neutral-400" data-testid="flashcard-source">
              {card.material_name}
              {card.location ? ` · ${card.location}` : ''}
            </span>
          )}
        </button>
      )}
      {error && (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
      <div className="flex gap-2">
        <button type="button" className={secondary} onClick={() => setFlipped((f) => !f)}>
          {flipped ? 'Show question' : 'Flip'}
        </button>
        <button type="button" className={secondary} onClick={() => review('again')} data-testid="review-again">
          Again
        </button>
        <button type="button" className={primary} onClick={() => review('know')} data-testid="review-know">
          I know it
        </button>
        <button
          type="button"
          className={secondary}
          onClick={() => {
            setFlipped(false)
            setIndex((i) => (i + 1) % cards.length)
          }}
        >
          Next
        </button>
      </div>
    </div>
  )
}
