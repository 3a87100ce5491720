/**
 * One line above the input while the agent works: a CSS spinner, the current
 * step's label (the same node, updated in place) and "Step N of M".
 */
export default function AgentThinkingBar({ isActive, currentStep, stepNumber, totalSteps }) {
  if (!isActive) return null
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
      <span className="min-w-0 flex-1 truncate" data-testid="thinking-label">
        {currentStep || 'Thinking…'}
      </span>
      {totalSteps > 1 && (
        <span className="shrink-0 text-xs text-neutral-500 dark:text-neutral-400" data-testid="thinking-step-count">
          Step {Math.min(stepNumber || 1, totalSteps)} of {totalSteps}
        </span>
      )}
    </div>
  )
}
