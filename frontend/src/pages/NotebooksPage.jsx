import { useEffect, useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { createNotebook, deleteNotebook, listNotebooks, renameNotebook } from '../api/notebooks.js'
import Header from '../components/Header.jsx'
import { cardClass, ghostButton, inputClass, primaryButton } from '../components/ui.js'

const formatDate = (iso) => (iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' }) : '')

function NotebookCard({ notebook, onRename, onDelete }) {
  const [editing, setEditing] = useState(false)
  const [title, setTitle] = useState(notebook.title)

  const save = async (e) => {
    e.preventDefault()
    if (title.trim() && title.trim() !== notebook.title) await onRename(notebook.id, title.trim())
    setEditing(false)
  }

  return (
    <li
      className={`${cardClass} group flex min-w-0 flex-col p-5 transition hover:border-indigo-300 hover:shadow-md dark:hover:border-indigo-500/50`}
      data-testid="notebook-card"
    >
      <div className="mb-6 text-3xl" aria-hidden="true">
        📓
      </div>
      {editing ? (
        <form onSubmit={save} className="flex gap-2">
          <input
            className={inputClass}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            autoFocus
            data-testid="notebook-rename-input"
          />
          <button type="submit" className={primaryButton}>
            Save
          </button>
        </form>
      ) : (
        <Link
          to={`/notebooks/${notebook.id}`}
          className="truncate text-base font-semibold text-neutral-900 hover:text-indigo-600 dark:text-neutral-100 dark:hover:text-indigo-400"
          data-testid="notebook-link"
        >
          {notebook.title}
        </Link>
      )}
      <div className="mt-1 text-xs text-neutral-500 dark:text-neutral-400">
        Updated {formatDate(notebook.updated_at ?? notebook.created_at)}
      </div>
      <div className="mt-4 flex gap-1 opacity-100 sm:opacity-0 sm:transition sm:group-hover:opacity-100 sm:group-focus-within:opacity-100">
        <button type="button" className={ghostButton} onClick={() => setEditing(true)} data-testid="notebook-rename">
          Rename
        </button>
        <button
          type="button"
          className={`${ghostButton} hover:!text-red-600 dark:hover:!text-red-400`}
          onClick={() => window.confirm(`Delete “${notebook.title}” and everything in it?`) && onDelete(notebook.id)}
          data-testid="notebook-delete"
        >
          Delete
        </button>
      </div>
    </li>
  )
}

/** All of the user's notebooks: create, open, rename, delete. */
export default function NotebooksPage() {
  const [notebooks, setNotebooks] = useState(null)
  const [title, setTitle] = useState('')
  const [error, setError] = useState(null)
  const navigate = useNavigate()

  useEffect(() => {
    listNotebooks()
      .then(setNotebooks)
      .catch((err) => {
        setError(err.message)
        setNotebooks([])
      })
  }, [])

  const onCreate = async (e) => {
    e.preventDefault()
    setError(null)
    try {
      const nb = await createNotebook(title.trim() || 'Untitled notebook')
      setTitle('')
      navigate(`/notebooks/${nb.id}`)
    } catch (err) {
      setError(err.message)
    }
  }

  const onRename = async (id, newTitle) => {
    try {
      const nb = await renameNotebook(id, newTitle)
      setNotebooks((list) => list.map((n) => (n.id === id ? { ...n, ...nb } : n)))
    } catch (err) {
      setError(err.message)
    }
  }

  const onDelete = async (id) => {
    try {
      await deleteNotebook(id)
      setNotebooks((list) => list.filter((n) => n.id !== id))
    } catch (err) {
      setError(err.message)
    }
  }

  return (
    <div className="flex min-h-screen flex-col bg-neutral-50 dark:bg-neutral-950">
      <Header />
      <main className="mx-auto w-full max-w-5xl flex-1 px-6 py-10">
        <div className="flex flex-wrap items-end justify-between gap-4">
          <div>
            <h1 className="text-2xl font-semibold tracking-tight text-neutral-900 dark:text-neutral-100">
              Your notebooks
            </h1>
            <p className="mt-1 text-sm text-neutral-500 dark:text-neutral-400">
              Upload material, chat with it, and turn it into study tools.
            </p>
          </div>
          <form onSubmit={onCreate} className="flex w-full gap-2 sm:w-auto">
            <input
              className={`${inputClass} sm:w-64`}
              placeholder="New notebook title"
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              data-testid="notebook-title-input"
            />
            <button type="submit" className={`${primaryButton} shrink-0`} data-testid="notebook-create">
              + New notebook
            </button>
          </form>
        </div>
        {error && (
          <div className="mt-6 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950/40 dark:text-red-300">
            {error}
          </div>
        )}
        {notebooks === null ? (
          <div className="mt-10 text-sm text-neutral-500 dark:text-neutral-400">Loading…</div>
        ) : notebooks.length === 0 ? (
          <div className={`${cardClass} mt-10 p-10 text-center`} data-testid="notebooks-empty">
            <div className="text-4xl" aria-hidden="true">
              🪐
            </div>
            <div className="mt-3 font-medium text-neutral-900 dark:text-neutral-100">No notebooks yet</div>
            <p className="mt-1 text-sm text-neutral-500 dark:text-neutral-400">
              Create one to start uploading material.
            </p>
          </div>
        ) : (
          <ul className="mt-8 grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="notebook-list">
            {notebooks.map((nb) => (
              <NotebookCard key={nb.id} notebook={nb} onRename={onRename} onDelete={onDelete} />
            ))}
          </ul>
        )}
      </main>
    </div>
  )
}
