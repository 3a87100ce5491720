import { useCallback, useEffect, useState } from 'react'
import { Link, useParams, useSearchParams } from 'react-router'
import { listMaterials } from '../api/materials.js'
import { getNotebook } from '../api/notebooks.js'
import { createSession, deleteSession, listSessions } from '../api/sessions.js'
import { useAuth } from '../auth.jsx'
import ChatPanel from '../components/ChatPanel.jsx'
import Header from '../components/Header.jsx'
import MaterialPreview from '../components/notebook/MaterialPreview.jsx'
import MaterialsPanel from '../components/notebook/MaterialsPanel.jsx'
import RuntimeStatus from '../components/notebook/RuntimeStatus.jsx'
import SessionList from '../components/notebook/SessionList.jsx'
import { STUDY_TOOLS } from '../components/study/index.js'
import { disposeRuntime, usePyodideWorker } from '../runtime/usePyodideWorker.js'

const SETTLED = ['ready', 'done', 'completed', 'processed', 'failed', 'error']
const TABS = [{ id: 'chat', label: 'Chat' }, ...STUDY_TOOLS]
const WIDE = '(min-width: 768px)' // Tailwind's md: the sidebar sits beside the chat from here up

/** The material chosen with "Use this file", remembered per notebook across reloads. */
function useChosenMaterial(notebookId) {
  const key = `kepler-chosen-material:${notebookId}`
  const [chosenId, setChosenId] = useState(() => {
    try {
      return localStorage.getItem(key)
    } catch {
      return null
    }
  })
  useEffect(() => {
    try {
      setChosenId(localStorage.getItem(key))
    } catch {
      /* storage unavailable */
    }
  }, [key])
  const choose = useCallback(
    (id) => {
      setChosenId(id)
      try {
        if (id) localStorage.setItem(key, id)
        else localStorage.removeItem(key)
      } catch {
        /* storage unavailable */
      }
    },
    [key],
  )
  return [chosenId, choose]
}

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
  const [drawerOpen, setDrawerOpen] = useState(false) // phone width: the sidebar as an overlay
  const [collapsed, setCollapsed] = useState(false) // tablet and up: the sidebar folded away
  const [previewing, setPreviewing] = useState(null)
  const [creatingChat, setCreatingChat] = useState(false) // + New chat in flight: the old chat takes no input
  const [chosenId, setChosenId] = useChosenMaterial(notebookId)
  const chosenMaterial = materials.find((m) => m.id === chosenId) ?? null

  const toggleSidebar = () => {
    if (window.matchMedia(WIDE).matches) setCollapsed((c) => !c)
    else setDrawerOpen((o) => !o)
  }

  // Escape closes the phone drawer (a preview's own Escape closes the preview first).
  useEffect(() => {
    if (!drawerOpen || previewing) return
    const onKey = (e) => e.key === 'Escape' && setDrawerOpen(false)
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [drawerOpen, previewing])

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
    setCreatingChat(true)
    try {
      const s = await createSession(notebookId)
      setSessions((list) => [s, ...(list ?? [])])
      selectSession(s.id)
      setTab('chat')
    } catch (err) {
      setError(err.message)
    } finally {
      setCreatingChat(false)
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
          className="hidden text-sm text-neutral-500 sm:inline hover:text-neutral-900 dark:text-neutral-400 dark:hover:text-neutral-100"
        >
          Notebooks
        </Link>
        <span className="hidden text-neutral-300 sm:inline dark:text-neutral-700">/</span>
        <span
          className="truncate text-sm font-medium text-neutral-900 dark:text-neutral-100"
          data-testid="notebook-title"
        >
          {notebook?.title ?? '…'}
        </span>
      </Header>
      <div className="relative flex min-h-0 flex-1">
        {drawerOpen && (
          <div
            className="fixed inset-0 z-30 bg-black/40 md:hidden"
            onClick={() => setDrawerOpen(false)}
            data-testid="sidebar-backdrop"
          />
        )}
        <aside
          className={`flex-col gap-5 overflow-y-auto border-r border-neutral-200 bg-neutral-50 p-3 dark:border-neutral-800 dark:bg-neutral-950 ${
            drawerOpen ? 'max-md:fixed max-md:inset-y-0 max-md:left-0 max-md:z-40 max-md:flex' : 'max-md:hidden'
          } w-[min(20rem,85vw)] shrink-0 shadow-xl md:w-60 md:shadow-none lg:w-72 ${collapsed ? 'md:hidden' : 'md:flex'}`}
          data-testid="sidebar"
          data-open={drawerOpen || undefined}
        >
          <div className="flex items-center justify-between md:hidden">
            <span className="text-sm font-medium text-neutral-800 dark:text-neutral-200">Notebook</span>
            <button
              type="button"
              onClick={() => setDrawerOpen(false)}
              className="rounded-lg p-1 text-neutral-500 hover:bg-neutral-200 hover:text-neutral-900 dark:text-neutral-400 dark:hover:bg-neutral-800 dark:hover:text-neutral-100"
              aria-label="Close the sidebar"
              data-testid="sidebar-close"
            >
              ✕
            </button>
          </div>
          <MaterialsPanel
            notebookId={notebookId}
            materials={materials}
            chosenId={chosenId}
            onAdded={(m) => setMaterials((list) => [...list.filter((x) => x.id !== m.id), m])}
            onDeleted={(id) => setMaterials((list) => list.filter((x) => x.id !== id))}
            onOpen={setPreviewing}
          />
          <SessionList
            sessions={sessions ?? []}
            activeId={sessionId}
            onSelect={(id) => {
              selectSession(id)
              setTab('chat')
              setDrawerOpen(false)
            }}
            onNew={onNewSession}
            onDelete={onDeleteSession}
          />
          <div className="mt-auto">
            <RuntimeStatus runtime={runtime} />
          </div>
        </aside>
        <main className="flex min-w-0 flex-1 flex-col">
          <nav className="flex shrink-0 items-center gap-1 border-b border-neutral-200 px-2 sm:px-4 dark:border-neutral-800">
            <button
              type="button"
              onClick={toggleSidebar}
              className="mr-0.5 flex shrink-0 items-center gap-1 rounded-lg px-1.5 py-1.5 text-sm sm:mr-1 sm:gap-1.5 sm:px-2 text-neutral-600 hover:bg-neutral-100 hover:text-neutral-900 dark:text-neutral-400 dark:hover:bg-neutral-800 dark:hover:text-neutral-100"
              aria-label="Show or hide materials and chats"
              aria-expanded={drawerOpen || !collapsed}
              title="Materials and chats"
              data-testid="sidebar-toggle"
            >
              <span aria-hidden="true">☰</span>
              <span className="md:hidden">{materials.length > 0 ? materials.length : ''}</span>
            </button>
            <div
              className="flex min-w-0 flex-1 gap-0.5 overflow-x-auto sm:gap-1"
              role="tablist"
              data-testid="notebook-tabs"
            >
              {TABS.map((t) => (
                <button
                  key={t.id}
                  type="button"
                  role="tab"
                  aria-selected={tab === t.id}
                  onClick={() => setTab(t.id)}
                  className={`-mb-px shrink-0 border-b-2 px-2 py-2.5 text-sm whitespace-nowrap transition sm:px-3 ${
                    tab === t.id
                      ? 'border-indigo-500 font-medium text-neutral-900 dark:text-neutral-100'
                      : 'border-transparent text-neutral-500 hover:text-neutral-800 dark:text-neutral-400 dark:hover:text-neutral-200'
                  }`}
                  data-testid={`tab-${t.id}`}
                >
                  {t.label}
                </button>
              ))}
            </div>
          </nav>
          {error && (
            <div className="mx-4 mt-3 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950/40 dark:text-red-300">
              {error}
            </div>
          )}
          {/* The chat stays mounted behind the study tabs so a running turn keeps going. */}
          {/* inert while + New chat is in flight: a message typed then would land in the old chat. */}
          <div
            className={`min-h-0 flex-1 ${tab === 'chat' ? '' : 'hidden'}`}
            inert={creatingChat}
            aria-busy={creatingChat || undefined}
            data-testid="chat-area"
          >
            {sessionId ? (
              <ChatPanel
                key={sessionId}
                sessionId={sessionId}
                user={user}
                runtime={runtime}
                chosenMaterial={chosenMaterial}
                onClearChosen={() => setChosenId(null)}
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
      <MaterialPreview
        key={previewing?.id ?? 'none'} // fresh state per material: no flash of the previous one
        material={previewing}
        chosen={!!previewing && previewing.id === chosenId}
        onUse={(m) => {
          setChosenId(m.id)
          setPreviewing(null)
          setDrawerOpen(false)
          setTab('chat')
        }}
        onClose={() => setPreviewing(null)}
      />
    </div>
  )
}
