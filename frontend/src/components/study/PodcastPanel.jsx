import { useCallback, useEffect, useState } from 'react'

import { createPodcast, deletePodcast, getPodcast, listPodcasts } from '../../api/podcasts.js'
import { mergeFetched } from '../../lib/listRequests.js'
import { inputClass, primaryButton } from '../ui.js'
import MaterialPicker, { defaultSelection } from './MaterialPicker.jsx'
import PodcastEpisode from './PodcastEpisode.jsx'

const POLL_MS = 1000
const isActive = (p) => p.status === 'pending' || p.status === 'running'

/** A two-host podcast about the notebook's materials. Props: {notebookId, materials}. */
export default function PodcastPanel({ notebookId, materials }) {
  const [podcasts, setPodcasts] = useState(null)
  const [details, setDetails] = useState({}) // id -> detail (with script), for opened episodes
  const [openId, setOpenId] = useState(null)
  const [choice, setChoice] = useState(null)
  const [title, setTitle] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const selected = new Set(
    [...(choice ?? defaultSelection(materials))].filter((id) => materials.some((m) => m.id === id)),
  )

  const remember = useCallback((detail) => {
    setDetails((d) => ({ ...d, [detail.id]: detail }))
    setPodcasts((list) => (list ?? []).map((p) => (p.id === detail.id ? { ...p, ...detail } : p)))
  }, [])

  useEffect(() => {
    let live = true
    listPodcasts(notebookId)
      .then((list) => {
        if (!live) return
        setPodcasts((current) => mergeFetched(list, current))
        setOpenId((id) => id ?? list[0]?.id ?? null)
      })
      .catch((e) => live && setError(e.message))
    return () => {
      live = false
    }
  }, [notebookId])

  // Poll the episodes still being generated.
  const activeIds = (podcasts ?? [])
    .filter(isActive)
    .map((p) => p.id)
    .join(',')
  useEffect(() => {
    if (!activeIds) return undefined
    const timer = setInterval(() => {
      for (const id of activeIds.split(','))
        getPodcast(id)
          .then(remember)
          .catch(() => {})
    }, POLL_MS)
    return () => clearInterval(timer)
  }, [activeIds, remember])

  // Load the opened episode's transcript.
  const openStatus = podcasts?.find((p) => p.id === openId)?.status
  useEffect(() => {
    if (openId && openStatus === 'ready' && !details[openId]?.script)
      getPodcast(openId)
        .then(remember)
        .catch(() => {})
  }, [openId, openStatus, details, remember])

  async function onGenerate(e) {
    e.preventDefault()
    setBusy(true)
    setError('')
    try {
      const started = await createPodcast(notebookId, { materialIds: [...selected], title: title.trim() })
      setPodcasts((list) => [started, ...(list ?? [])])
      setOpenId(started.id)
      setTitle('')
    } catch (err) {
      setError(err.message)
    } finally {
      setBusy(false)
    }
  }

  async function onDelete(id) {
    try {
      await deletePodcast(id)
      setPodcasts((list) => list.filter((p) => p.id !== id))
    } catch (err) {
      setError(err.message)
    }
  }

  return (
    <div className="mx-auto flex max-w-3xl flex-col gap-5 p-6" data-testid="study-podcast">
      <form onSubmit={onGenerate} className="flex flex-col gap-3">
        <h2 className="text-lg font-semibold text-neutral-900 dark:text-neutral-100">Podcast</h2>
        <p className="text-sm text-neutral-500 dark:text-neutral-400">
          Two hosts talk through the key points of the chosen materials.
        </p>
        <MaterialPicker materials={materials} selected={selected} onChange={setChoice} testId="podcast-materials" />
        <div className="flex gap-2">
          <input
            className={inputClass}
            placeholder="Title (optional)"
            value={title}
            maxLength={255}
            onChange={(e) => setTitle(e.target.value)}
            aria-label="Podcast title"
          />
          <button
            type="submit"
            className={primaryButton}
            disabled={busy || !selected.size}
            data-testid="podcast-generate"
          >
            {busy ? 'Starting…' : 'Generate'}
          </button>
        </div>
      </form>
      {error && (
        <div className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950/40 dark:text-red-300">
          {error}
        </div>
      )}
      {podcasts === null ? (
        <p className="text-sm text-neutral-500 dark:text-neutral-400">Loading…</p>
      ) : podcasts.length === 0 ? (
        <p className="text-sm text-neutral-500 dark:text-neutral-400">No episodes yet.</p>
      ) : (
        <ul className="flex flex-col gap-3" data-testid="podcast-list">
          {podcasts.map((p) => (
            <PodcastEpisode
              key={p.id}
              podcast={details[p.id] ? { ...p, ...details[p.id] } : p}
              open={openId === p.id}
              onToggle={() => setOpenId(openId === p.id ? null : p.id)}
              onDelete={() => onDelete(p.id)}
            />
          ))}
        </ul>
      )}
    </div>
  )
}
