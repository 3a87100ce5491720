import { useId, useMemo, useState } from 'react'
import { useNow } from '../../hooks/useNow.js'
import { actionSummary, elapsedSeconds, formatElapsed, formatSeconds, stepActivity } from '../../lib/agentSteps.js'
import { splitTextTables } from '../../lib/textTables.js'
import CodeBlock from './CodeBlock.jsx'

const TOOL_ICONS = {
  data_profiler: '🔎',
  code_executor: '🐍',
  code_repair: '🔧',
  python: '🐍',
  file_generator: '📄',
  chart: '📊',
  rag: '🔍',
  rag_answer: '🔍',
  rag_search: '🔍',
  search: '🔍',
  retriever: '🔍',
  planner: '🧠',
  generate_response: '✍️',
}

export const toolIcon = (tool) => TOOL_ICONS[tool] ?? '🛠️'

// Step labels often start with their own emoji; the row already shows the tool icon.
const plainLabel = (label) => (label ?? '').replace(/^\p{Extended_Pictographic}\uFE0F?\s*/u, '')

/** Repairs recorded on a step, whatever shape the stored step_log uses. */
function repairsOf(step) {
  if (Array.isArray(step.repairs)) return step.repairs
  if (step.repair) return [step.repair]
  if (Array.isArray(step.diff)) return [{ attempt: 1, diff: step.diff }]
  return []
}

function RepairDiff({ repair }) {
  return (
    <div
      className="overflow-hidden rounded-lg border border-amber-200 bg-amber-50/60 text-xs dark:border-amber-900/60 dark:bg-amber-950/20"
      data-testid="repair-diff"
    >
      <div className="border-b border-amber-200 px-3 py-1.5 text-amber-800 dark:border-amber-900/60 dark:text-amber-300">
        🔧 Fix attempt {repair.attempt}
        {repair.max_attempts ? ` of ${repair.max_attempts}` : ''}
        {repair.fixed_by ? ` · ${repair.fixed_by === 'rule' ? 'rule-based fix' : 'model fix'}` : ''}
        {repair.error_summary ? (
          <span className="text-amber-700/80 dark:text-amber-400/80"> — {repair.error_summary}</span>
        ) : null}
      </div>
      <div className="overflow-x-auto py-1 font-mono">
        {(repair.diff ?? []).map((d, i) =>
          d.op === '-' ? (
            <div
              key={i}
              className="whitespace-pre bg-red-50 px-3 text-red-700 line-through decoration-red-400/70 dark:bg-red-950/40 dark:text-red-300"
            >
              - {d.line}
            </div>
          ) : (
            <div
              key={i}
              className="whitespace-pre bg-emerald-50 px-3 text-emerald-700 dark:bg-emerald-950/40 dark:text-emerald-300"
            >
              + {d.line}
            </div>
          ),
        )}
      </div>
    </div>
  )
}

/** A table the code printed, as a table (lib/textTables.js found it in stdout). */
function PrintedTable({ header, rows }) {
  return (
    <div className="my-1 overflow-x-auto">
      <table className="border-collapse font-mono text-xs tabular-nums" data-testid="step-table">
        <thead>
          <tr className="border-b border-neutral-200 dark:border-neutral-700">
            <th />
            {header.map((h, i) => (
              <th key={i} className="px-2 py-0.5 text-right font-semibold text-neutral-800 dark:text-neutral-200">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, ...cells], r) => (
            <tr key={r} className="odd:bg-neutral-50 dark:odd:bg-neutral-900">
              <th className="px-2 py-0.5 text-left font-semibold text-neutral-700 dark:text-neutral-300">{label}</th>
              {cells.map((c, i) => (
                <td key={i} className="px-2 py-0.5 text-right">
                  {c}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** A step's stdout: text as printed, tables the code printed as tables. */
function StepOutput({ text }) {
  const segments = useMemo(() => splitTextTables(text), [text])
  return (
    <div
      className="max-h-[240px] overflow-auto rounded-lg border border-neutral-200 bg-white px-3 py-2 font-mono text-xs leading-5 text-neutral-700 dark:border-neutral-800 dark:bg-neutral-950 dark:text-neutral-300"
      data-testid="step-stdout"
    >
      {segments.map((seg, i) =>
        seg.type === 'table' ? (
          <PrintedTable key={i} header={seg.header} rows={seg.rows} />
        ) : (
          <div key={i} className="whitespace-pre-wrap">
            {seg.text}
          </div>
        ),
      )}
    </div>
  )
}

const STATUS_ICONS = { error: '❌', running: '⏳', stopped: '⏹️' }

function Step({ step, index }) {
  const status = STATUS_ICONS[step.status] ?? '✅'
  const running = step.status === 'running'
  const now = useNow(running && step.started_at != null)
  const elapsed = running ? formatElapsed(elapsedSeconds(step.started_at, now)) : null
  return (
    <li
      className="space-y-2 py-3 first:pt-1 last:pb-1"
      data-testid="action-step"
      data-status={step.status}
      data-tool={step.tool || undefined}
    >
      <div className="flex items-center gap-2 text-sm">
        <span className="flex h-5 w-5 shrink-0 items-center justify-center rounded-full bg-neutral-200 text-[11px] font-semibold text-neutral-700 dark:bg-neutral-800 dark:text-neutral-300">
          {step.step_number ?? index + 1}
        </span>
        <span aria-hidden="true">{toolIcon(step.tool)}</span>
        <span className="shrink-0 font-medium text-neutral-800 dark:text-neutral-200" data-testid="step-tool">
          {stepActivity(step)}
        </span>
        {step.label && (
          <span className="min-w-0 truncate text-neutral-500 dark:text-neutral-400">{plainLabel(step.label)}</span>
        )}
        <span className="ml-auto flex shrink-0 items-center gap-2 text-xs text-neutral-500 dark:text-neutral-400">
          <span data-testid="step-status">{status}</span>
          {elapsed && (
            <span className="tabular-nums" data-testid="step-elapsed">
              {elapsed}
            </span>
          )}
          {!running && step.time_taken != null && <span>{formatSeconds(step.time_taken)}</span>}
        </span>
      </div>
      {step.code && <CodeBlock code={step.code} testId="step-code" />}
      {step.stdout && <StepOutput text={step.stdout} />}
      {step.stderr && (
        <pre
          className="max-h-[200px] overflow-auto rounded-lg border border-red-200 bg-red-50 px-3 py-2 font-mono text-xs leading-5 whitespace-pre-wrap text-red-800 dark:border-red-900/60 dark:bg-red-950/30 dark:text-red-300"
          data-testid="step-stderr"
        >
          {step.stderr}
        </pre>
      )}
      {repairsOf(step).map((r, i) => (
        <RepairDiff key={i} repair={r} />
      ))}
    </li>
  )
}

/**
 * The "what the agent did" drawer above an answer: one summary line, collapsed
 * by default; expanded, every step with its code, output and repairs. While a
 * turn runs, the summary counts steps as the thinking bar does (`progress`,
 * from stepProgress): "Step 2 of 3"; afterwards "Ran 2 steps".
 */
export default function AgentActionBlock({
  stepLog = [],
  toolsUsed,
  totalTime,
  isStreaming = false,
  progress = null,
  defaultOpen = false,
}) {
  const [open, setOpen] = useState(defaultOpen)
  const bodyId = useId()
  const summary = actionSummary({ stepLog, toolsUsed, totalTime, isStreaming, progress })

  return (
    <div
      className="mb-3 overflow-hidden rounded-xl border border-neutral-200 bg-neutral-50/70 dark:border-neutral-800 dark:bg-neutral-900/60"
      data-testid="action-block"
      data-open={open}
    >
      <button
        type="button"
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        aria-controls={bodyId}
        className="flex w-full items-center gap-2 px-3 py-2 text-left text-sm text-neutral-600 hover:bg-neutral-100 dark:text-neutral-400 dark:hover:bg-neutral-800/60"
        data-testid="action-block-toggle"
      >
        <span
          className={`inline-block text-[10px] transition-transform duration-200 ${open ? 'rotate-90' : ''}`}
          aria-hidden="true"
        >
          ▶
        </span>
        <span className="min-w-0 truncate" data-testid="action-block-summary">
          {summary}
        </span>
        {isStreaming && (
          <span
            className="relative ml-1 flex h-2 w-2 shrink-0"
            data-testid="action-block-live"
            aria-label="in progress"
          >
            <span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-indigo-400 opacity-75" />
            <span className="relative inline-flex h-2 w-2 rounded-full bg-indigo-500" />
          </span>
        )}
      </button>
      <div
        id={bodyId}
        className={`grid transition-[grid-template-rows] duration-300 ease-in-out ${open ? 'grid-rows-[1fr]' : 'grid-rows-[0fr]'}`}
      >
        <div
          className={`min-h-0 overflow-hidden transition-[visibility] duration-300 ${open ? 'visible' : 'invisible'}`}
          inert={!open}
        >
          <ol className="divide-y divide-neutral-200 border-t border-neutral-200 px-3 dark:divide-neutral-800 dark:border-neutral-800">
            {stepLog.map((step, i) => (
              <Step key={step.step_number ?? i} step={step} index={i} />
            ))}
          </ol>
        </div>
      </div>
    </div>
  )
}
