/** The session's Python runtime: loading progress, ready/running/error, Reset. */
export default function RuntimeStatus({ runtime }) {
  const { status = 'idle', progress = 0 } = runtime ?? {}
  const pct = Math.round(Math.max(0, Math.min(1, progress)) * 100)
  const dot = {
    idle: 'bg-neutral-400',
    loading: 'bg-amber-400 animate-pulse',
    ready: 'bg-emerald-500',
    running: 'bg-indigo-500 animate-pulse',
    error: 'bg-red-500',
  }[status]
  const label = {
    idle: 'Python not started',
    loading: `Preparing Python… ${pct}%`,
    ready: 'Python ready',
    running: 'Running code…',
    error: 'Python unavailable',
  }[status]

  return (
    <div
      className="rounded-xl border border-neutral-200 bg-white p-3 dark:border-neutral-800 dark:bg-neutral-900"
      data-testid="runtime-status"
      data-status={status}
    >
      <div className="flex items-center gap-2">
        <span className={`h-2 w-2 shrink-0 rounded-full ${dot}`} aria-hidden="true" />
        <span
          className="min-w-0 flex-1 truncate text-xs font-medium text-neutral-700 dark:text-neutral-300"
          data-testid="runtime-label"
        >
          {label}
        </span>
        <button
          type="button"
          onClick={() => runtime?.reset?.()}
          disabled={status !== 'ready'}
          className="rounded-md px-2 py-0.5 text-xs text-neutral-500 hover:bg-neutral-100 hover:text-neutral-900 disabled:opacity-40 dark:text-neutral-400 dark:hover:bg-neutral-800 dark:hover:text-neutral-100"
          title="Clear this chat's Python variables"
          data-testid="runtime-reset"
        >
          Reset
        </button>
      </div>
      {status === 'loading' && (
        <div className="mt-2 h-1.5 overflow-hidden rounded-full bg-neutral-200 dark:bg-neutral-800">
          <div
            className="h-full rounded-full bg-amber-400 transition-[width] duration-300"
            style={{ width: `${pct}%` }}
            data-testid="runtime-progress"
          />
        </div>
      )}
    </div>
  )
}
