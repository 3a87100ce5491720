import { useCallback, useEffect, useState } from 'react'
import { Link, useParams, useSearchParams } from 'react-router'
import { listMaterials } from '../api/materials.js'
import { getNotebook } from '../api/notebooks.js'
import { createSession, deleteSession, listSessions } from '../api/sessions.js'
import { useAuth } from '../auth.jsx'
import ChatPanel from '../components/ChatPanel.jsx'
import Header from '../components/Header.jsx'
import MaterialsPanel from '../components/notebook/MaterialsPanel.jsx'
import RuntimeStatus from '../components/notebook/RuntimeStatus.jsx'
import SessionList from '../components/notebook/SessionList.jsx'
import { STUDY_TOOLS } from '../components/study/index.js'
import { disposeRuntime, usePyodideWorker } from '../runtime/usePyodideWorker.js'

const SETTLED = ['ready', 'done', 'completed', 'processed', 'failed', 'error']
const TABS = [{ id: 'chat', label: 'Chat' }, ...STUDY_TOOLS]

/** A notebook: materials, runtime and chats on the left; chat and study tools. */
export default function NotebookPage() {
  const { notebookId } = useParams()
  const { user } = useAuth()
  const [params, setParams] = useSearchParams()
  const [notebook, setNotebook] = useState(null)
  const [materials, setMaterials] = useState([])
  const [sessions, setSessions] = useState(null)
  const [error, setError] = useState(null)
  const [tab, setTab] = useState('chat')

  const sessionId = params.get('session') ?? sessions?.[0]?.id ?? null
  const runtime = usePyodideWorker(sessionId, notebookId) // one warm Python per notebook

  const selectSession = useCallback((id) => setParams(id ? { session: id } : {}, { replace: true }), [setParams])

  useEffect(() => {
    setError(null)
    getNotebook(notebookId)
      .then(setNotebook)
      .catch((err) => setError(err.message))
    listMaterials(notebookId)
      .then(setMaterials)
      .catch((err) => setError(err.message))
    listSessions(notebookId)
      .then(async (list) => {
        if (list.length === 0) list = [await createSession(notebookId)]
        setSessions(list)
      })
      .catch((err) => setError(err.message))
  }, [notebookId])

  // A session's title comes from its first message: re-read the list after a turn.
  const refreshSessions = useCallback(() => {
    listSessions(notebookId)
      .then((list) => list.length && setSessions(list))
      .catch(() => {})
  }, [notebookId])

  // Re-read the list while any material is still being processed.
  const processing = materials.some((m) => m.status && !SETTLED.includes(m.status))
  useEffect(() => {
    if (!processing) return
    const timer = setInterval(() => {
      listMaterials(notebookId)
        .then(setMaterials)
        .catch(() => {})
    }, 2000)
    return () => clearInterval(timer)
  }, [processing, notebookId])

  const onNewSession = async () => {
    try {
      const s = await createSession(notebookId)
      setSessions((list) => [s, ...(list ?? [])])
      selectSession(s.id)
      setTab('chat')
    } catch (err) {
      setError(err.message)
    }
  }

  const onDeleteSession = async (s) => {
    if (!window.confirm(`Delete the chat “${s.title || 'New chat'}”?`)) return
    try {
      await deleteSession(s.id)
      disposeRuntime(s.id)
      const rest = sessions.filter((x) => x.id !== s.id)
      setSessions(rest.length ? rest : [await createSession(notebookId)])
      if (s.id === sessionId) selectSession(null)
    } catch (err) {
      setError(err.message)
    }
  }

  return (
    <div className="flex h-screen flex-col bg-white dark:bg-neutral-950">
      <Header>
        <span className="text-neutral-300 dark:text-neutral-700">/</span>
        <Link
          to="/"
          className="text-sm text-neutral-500 hover:text-neutral-900 dark:text-neutral-400 dark:hover:text-neutral-100"
        >
          Notebooks
        </Link>
        <span className="text-neutral-300 dark:text-neutral-700">/</span>
        <span
          className="truncate text-sm font-medium text-neutral-900 dark:text-neutral-100"
          data-testid="notebook-title"
        >
          {notebook?.title ?? '…'}
        </span>
      </Header>
      <div className="flex min-h-0 flex-1">
        <aside className="flex w-72 shrink-0 flex-col gap-5 overflow-y-auto border-r border-neutral-200 bg-neutral-50 p-3 dark:border-neutral-800 dark:bg-neutral-950">
          <MaterialsPanel
            notebookId={notebookId}
            materials={materials}
            onAdded={(m) => setMaterials((list) => [...list.filter((x) => x.id !== m.id), m])}
            onDeleted={(id) => setMaterials((list) => list.filter((x) => x.id !== id))}
          />
          <SessionList
            sessions={sessions ?? []}
            activeId={sessionId}
            onSelect={(id) => {
              selectSession(id)
              setTab('chat')
            }}
            onNew={onNewSession}
            onDelete={onDeleteSession}
          />
          <div className="mt-auto">
            <RuntimeStatus runtime={runtime} />
          </div>
        </aside>
        <main className="flex min-w-0 flex-1 flex-col">
          <nav className="flex shrink-0 gap-1 border-b border-neutral-200 px-4 dark:border-neutral-800" role="tablist">
            {TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                aria-selected={tab === t.id}
                onClick={() => setTab(t.id)}
                className={`-mb-px border-b-2 px-3 py-2.5 text-sm transition ${
                  tab === t.id
                    ? 'border-indigo-500 font-medium text-neutral-900 dark:text-neutral-100'
                    : 'border-transparent text-neutral-500 hover:text-neutral-800 dark:text-neutral-400 dark:hover:text-neutral-200'
                }`}
                data-testid={`tab-${t.id}`}
              >
                {t.label}
              </button>
            ))}
          </nav>
          {error && (
            <div className="mx-4 mt-3 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950/40 dark:text-red-300">
              {error}
            </div>
          )}
          {/* The chat stays mounted behind the study tabs so a running turn keeps going. */}
          <div className={`min-h-0 flex-1 ${tab === 'chat' ? '' : 'hidden'}`}>
            {sessionId ? (
              <ChatPanel
                key={sessionId}
                sessionId={sessionId}
                user={user}
                runtime={runtime}
                onTurnFinished={refreshSessions}
              />
            ) : (
              <div className="p-6 text-sm text-neutral-500 dark:text-neutral-400">Loading chats…</div>
            )}
          </div>
          {TABS.filter((t) => t.id === tab && t.Component).map(({ id, Component }) => (
            <div key={id} className="min-h-0 flex-1 overflow-y-auto">
              <Component notebookId={notebookId} materials={materials} />
            </div>
          ))}
        </main>
      </div>
    </div>
  )
}
