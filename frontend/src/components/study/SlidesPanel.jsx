import { useEffect, useState } from 'react'

import { createPresentation, deletePresentation, getPresentation, listPresentations } from '../../api/presentations.js'
import { mergeFetched } from '../../lib/listRequests.js'
import { cardClass, ghostButton, inputClass, primaryButton } from '../ui.js'
import MaterialPicker, { defaultSelection } from './MaterialPicker.jsx'
import SlidesOutline from './SlidesOutline.jsx'

/** A .pptx slide deck from the notebook's materials. Props: {notebookId, materials}. */
export default function SlidesPanel({ notebookId, materials }) {
  const [decks, setDecks] = useState(null)
  const [openDeck, setOpenDeck] = useState(null) // detail of the shown deck
  const [choice, setChoice] = useState(null)
  const [title, setTitle] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const selected = new Set(
    [...(choice ?? defaultSelection(materials))].filter((id) => materials.some((m) => m.id === id)),
  )

  useEffect(() => {
    let live = true
    listPresentations(notebookId)
      .then(async (list) => {
        if (!live) return
        setDecks((current) => mergeFetched(list, current))
        if (list[0]) {
          const detail = await getPresentation(list[0].id)
          // A deck generated meanwhile stays the one shown.
          if (live) setOpenDeck((shown) => shown ?? detail)
        }
      })
      .catch((e) => live && setError(e.message))
    return () => {
      live = false
    }
  }, [notebookId])

  async function onGenerate(e) {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      const deck = await createPresentation(notebookId, { materialIds: [...selected], title: title.trim() })
      setDecks((list) => [deck, ...(list ?? [])])
      setOpenDeck(deck)
      setTitle('')
    } catch (err) {
      setError(err.message)
    } finally {
      setBusy(false)
    }
  }

  async function onOpen(id) {
    try {
      setOpenDeck(await getPresentation(id))
    } catch (err) {
      setError(err.message)
    }
  }

  async function onDelete(id) {
    try {
      await deletePresentation(id)
      setDecks((list) => list.filter((d) => d.id !== id))
      setOpenDeck((d) => (d?.id === id ? null : d))
    } catch (err) {
      setError(err.message)
    }
  }

  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-5 p-6" data-testid="study-slides">
      <form onSubmit={onGenerate} className="flex flex-col gap-3">
        <h2 className="text-lg font-semibold text-neutral-900 dark:text-neutral-100">Slides</h2>
        <p className="text-sm text-neutral-500 dark:text-neutral-400">
          A PowerPoint deck: title, agenda, one slide per key section with speaker notes, and a summary.
        </p>
        <MaterialPicker materials={materials} selected={selected} onChange={setChoice} testId="slides-materials" />
        <div className="flex gap-2">
          <input
            className={inputClass}
            placeholder="Title (optional)"
            value={title}
            maxLength={255}
            onChange={(e) => setTitle(e.target.value)}
            aria-label="Deck title"
          />
          <button
            type="submit"
            className={primaryButton}
            disabled={busy || !selected.size}
            data-testid="slides-generate"
          >
            {busy ? 'Building…' : 'Generate'}
          </button>
        </div>
      </form>
      {error && (
        <div className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950/40 dark:text-red-300">
          {error}
        </div>
      )}
      {decks === null ? (
        <p className="text-sm text-neutral-500 dark:text-neutral-400">Loading…</p>
      ) : decks.length === 0 ? (
        <p className="text-sm text-neutral-500 dark:text-neutral-400">No decks yet.</p>
      ) : (
        <ul className="flex flex-col gap-2" data-testid="slides-list">
          {decks.map((d) => (
            <li
              key={d.id}
              className={`${cardClass} flex items-center gap-3 px-4 py-3 ${openDeck?.id === d.id ? 'ring-2 ring-indigo-500/40' : ''}`}
              data-testid="slides-deck"
            >
              <button type="button" className="min-w-0 flex-1 text-left" onClick={() => onOpen(d.id)}>
                <div className="truncate font-medium text-neutral-900 dark:text-neutral-100">{d.title}</div>
                <div className="text-xs text-neutral-500 dark:text-neutral-400">{d.slide_count} slides</div>
              </button>
              <a className={ghostButton} href={d.download_url} download data-testid="slides-download">
                Download .pptx
              </a>
              <button
                type="button"
                className={ghostButton}
                onClick={() => onDelete(d.id)}
                aria-label={`Delete ${d.title}`}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      {openDeck && <SlidesOutline deck={openDeck} />}
    </div>
  )
}
