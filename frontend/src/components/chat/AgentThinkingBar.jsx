import { useNow } from '../../hooks/useNow.js'
import { elapsedSeconds, formatElapsed } from '../../lib/agentSteps.js'

/**
 * One line above the input while the agent works: a CSS spinner, the current
 * phase's label (the same node, updated in place) with its elapsed seconds
 * once it runs long ("Running Python · 12 s"), and "Step N of M" — the same
 * numbers the live drawer shows (stepProgress in agentStreamReducer.js).
 */
export default function AgentThinkingBar({ isActive, currentStep, progress, startedAt }) {
  const now = useNow(isActive && startedAt != null)
  if (!isActive) return null
  const elapsed = formatElapsed(elapsedSeconds(startedAt, now))
  return (
    <div
      className="mx-auto mb-2 flex w-full max-w-3xl items-center gap-3 rounded-xl border border-neutral-200 bg-neutral-50 px-4 py-2 text-sm text-neutral-700 shadow-sm dark:border-neutral-800 dark:bg-neutral-900 dark:text-neutral-300"
      role="status"
      aria-live="polite"
      data-testid="thinking-bar"
    >
      <span
        className="kepler-spinner inline-block h-4 w-4 shrink-0 rounded-full border-2 border-neutral-300 border-t-indigo-500 dark:border-neutral-700 dark:border-t-indigo-400"
        aria-hidden="true"
      />
      <span className="min-w-0 flex-1 truncate">
        <span data-testid="thinking-label">{currentStep || 'Thinking…'}</span>
        {elapsed && (
          <span
            className="text-neutral-500 tabular-nums dark:text-neutral-400"
            aria-hidden="true" // a ticking clock in a live region would be read out every second
            data-testid="thinking-elapsed"
          >
            {' · '}
            {elapsed}
          </span>
        )}
      </span>
      {progress?.total > 1 && (
        <span className="shrink-0 text-xs text-neutral-500 dark:text-neutral-400" data-testid="thinking-step-count">
          Step {progress.current} of {progress.total}
        </span>
      )}
    </div>
  )
}
