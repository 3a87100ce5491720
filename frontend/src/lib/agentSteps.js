// How the agent's steps read to a person: tool ids become plain phrases and
// long phases show their elapsed seconds. One place for the thinking bar and
// the drawer, so both say the same thing.

const TOOL_NAMES = {
  data_profiler: 'Profiling the data',
  code_executor: 'Running Python',
  python: 'Running Python',
  file_generator: 'Creating the file',
  code_repair: 'Fixing the code',
  rag_answer: 'Searching your materials',
  rag: 'Searching your materials',
  rag_search: 'Searching your materials',
  search: 'Searching your materials',
  retriever: 'Searching your materials',
  planner: 'Planning',
  generate_response: 'Writing the answer',
}

/** A tool id as a phrase: known ones by name, others de-snake-cased ("web_search" → "Web search"). */
export function toolName(tool) {
  if (!tool) return 'Working'
  if (TOOL_NAMES[tool]) return TOOL_NAMES[tool]
  const words = String(tool).replace(/[_-]+/g, ' ').trim()
  return words ? words[0].toUpperCase() + words.slice(1) : 'Working'
}

/** A step's name in words; the planner's edit step ("✏️ Editing <name>", planner.py) is an edit. */
export function stepName(step) {
  if (step?.tool === 'file_generator' && /^\W*Editing\b/.test(step.label ?? '')) return 'Editing the file'
  return toolName(step?.tool)
}

/** What a step is doing, in words: a step with a fix under way is fixing the code. */
export function stepActivity(step) {
  const repairs = step?.repairs ?? []
  const last = repairs[repairs.length - 1]
  if (step?.status === 'running' && last && !last.success) return `Fixing the code (attempt ${last.attempt})`
  return stepName(step)
}

// A phase shorter than this shows no clock: a number that flashes by says nothing.
export const ELAPSED_SHOWN_AFTER_S = 2

/** Whole seconds between `startedAt` and `now` (ms timestamps), or null. */
export function elapsedSeconds(startedAt, now) {
  if (startedAt == null || now == null) return null
  return Math.max(0, Math.floor((now - startedAt) / 1000))
}

/** "12 s", "2 min 5 s"; null below ELAPSED_SHOWN_AFTER_S. */
export function formatElapsed(seconds) {
  if (seconds == null || seconds < ELAPSED_SHOWN_AFTER_S) return null
  if (seconds < 60) return `${seconds} s`
  const m = Math.floor(seconds / 60)
  const s = seconds % 60
  return s ? `${m} min ${s} s` : `${m} min`
}

/** Distinct tool phrases of a step log, in order ("Profiling the data, Running Python"). */
export function toolNames(tools) {
  return [...new Set((tools ?? []).filter(Boolean).map(toolName))]
}

export const formatSeconds = (s) =>
  s == null ? '' : `${Number(s) < 10 ? Number(s).toFixed(1) : Math.round(Number(s))}s`

/**
 * The drawer's one-line summary. Live, it counts as the thinking bar does
 * (`progress` from stepProgress): "Step 2 of 3 · Profiling the data, Running
 * Python"; finished, "Ran 2 steps · … · 3.1s".
 */
export function actionSummary({ stepLog = [], toolsUsed, totalTime, isStreaming = false, progress = null }) {
  const n = stepLog.length
  // The steps' own names when listed (an edit reads as one); else the run's tool list.
  const tools = n
    ? [...new Set(stepLog.map(stepName))]
    : toolNames((toolsUsed ?? []).filter((t) => t !== 'generate_response'))
  const time = totalTime ?? stepLog.reduce((t, s) => t + (Number(s.time_taken) || 0), 0)
  const count =
    isStreaming && progress?.total > 1
      ? `Step ${progress.current} of ${progress.total}`
      : `${isStreaming ? 'Running' : 'Ran'} ${n} ${n === 1 ? 'step' : 'steps'}`
  return [count, tools.join(', '), !isStreaming && time > 0 ? formatSeconds(time) : ''].filter(Boolean).join(' · ')
}
