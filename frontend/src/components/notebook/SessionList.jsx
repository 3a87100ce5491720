/** Chat sessions of a notebook: pick one, start a new one, delete. */
export default function SessionList({ sessions, activeId, onSelect, onNew, onDelete }) {
  return (
    <section>
      <div className="mb-2 flex items-center justify-between px-1">
        <h2 className="text-xs font-semibold tracking-wide text-neutral-500 uppercase dark:text-neutral-400">Chats</h2>
        <button
          type="button"
          onClick={onNew}
          className="rounded-md px-2 py-0.5 text-xs font-medium text-indigo-600 hover:bg-indigo-50 dark:text-indigo-400 dark:hover:bg-indigo-950/40"
          data-testid="session-new"
        >
          + New chat
        </button>
      </div>
      <ul className="space-y-0.5" data-testid="session-list">
        {sessions.map((s) => (
          <li key={s.id} className="group flex items-center">
            <button
              type="button"
              onClick={() => onSelect(s.id)}
              className={`min-w-0 flex-1 truncate rounded-lg px-2 py-1.5 text-left text-sm ${
                s.id === activeId
                  ? 'bg-neutral-200/70 font-medium text-neutral-900 dark:bg-neutral-800 dark:text-neutral-100'
                  : 'text-neutral-600 hover:bg-neutral-100 dark:text-neutral-400 dark:hover:bg-neutral-900'
              }`}
              data-testid="session-item"
              data-active={s.id === activeId}
            >
              💬 {s.title || 'New chat'}
            </button>
            <button
              type="button"
              onClick={() => onDelete(s)}
              className="ml-1 rounded p-1 text-xs text-neutral-400 opacity-0 group-hover:opacity-100 hover:text-red-600 focus:opacity-100 dark:hover:text-red-400"
              aria-label={`Delete chat ${s.title || ''}`}
              data-testid="session-delete"
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}
