// DEV ONLY (/__preview, excluded from production builds): the notebook layout
// and chat components rendered with sample data, for visual checks.
import { useState } from 'react'
import ChatMessage from '../components/ChatMessage.jsx'
import Header from '../components/Header.jsx'
import AgentThinkingBar from '../components/chat/AgentThinkingBar.jsx'
import MaterialsPanel from '../components/notebook/MaterialsPanel.jsx'
import RuntimeStatus from '../components/notebook/RuntimeStatus.jsx'
import SessionList from '../components/notebook/SessionList.jsx'
import { reduceEvents, buildFinalMessage } from '../hooks/agentStreamReducer.js'

const materials = [
  { id: 'm1', filename: 'sales_2024.csv', ext: 'csv', type: 'data', size: 48_213, status: 'ready' },
  { id: 'm2', filename: 'Lecture 4 - Regression.pdf', ext: 'pdf', type: 'document', size: 1_832_000, status: 'ready' },
  { id: 'm3', filename: 'reading-notes.docx', ext: 'docx', type: 'document', size: 23_400, status: 'processing' },
]

const sessions = [
  { id: 's1', title: 'Sales analysis' },
  { id: 's2', title: 'Regression questions' },
]

const code1 = `import pandas as pd
df = pd.read_csv(sales_2024_path)
print(df.shape)
print(df.describe().round(2))`

const code2broken = `monthly = df.groupby("month")["revenue"].sum()
monthly.plot(kind="bar")
plt.savefig(f"{OUTPUT_DIR}/monthly_revenue.png", dpi=150, bbox_inches="tight")`

const code2fixed = `monthly = df.groupby("Month")["Revenue"].sum()
monthly.plot(kind="bar")
plt.savefig(f"{OUTPUT_DIR}/monthly_revenue.png", dpi=150, bbox_inches="tight")
plt.close()
print(f"FILE_SAVED:{OUTPUT_DIR}/monthly_revenue.png")`

// A whole turn, replayed through the real reducer.
const turn = reduceEvents([
  ['run', { run_id: 'r1', session_id: 's1' }],
  ['step', { label: '🔎 Profiling sales_2024.csv', tool: 'data_profiler', step_number: 1, total_steps: 3 }],
  ['code_written', { tool: 'data_profiler', step_number: 1, code: code1 }],
  [
    'stdout',
    {
      step_number: 1,
      text: '(1200, 6)\n       Revenue   Units\ncount  1200.00  1200.00\nmean    842.17    12.40\nstd     311.52     4.91\n',
    },
  ],
  [
    'step_done',
    { tool: 'data_profiler', label: 'Profiling sales_2024.csv', status: 'success', step_number: 1, time_taken: 0.8 },
  ],
  ['step', { label: '📊 Building chart', tool: 'code_executor', step_number: 2, total_steps: 3 }],
  ['code_written', { tool: 'code_executor', step_number: 2, code: code2broken }],
  [
    'step_done',
    {
      tool: 'code_executor',
      label: 'Building chart',
      status: 'error',
      step_number: 2,
      time_taken: 0.4,
      stderr: "KeyError: 'month'",
    },
  ],
  [
    'repair_attempt',
    {
      attempt: 1,
      max_attempts: 3,
      error_summary: "KeyError: 'month'",
      fixed_by: 'rule',
      diff: [
        { op: '-', line: 'monthly = df.groupby("month")["revenue"].sum()' },
        { op: '+', line: 'monthly = df.groupby("Month")["Revenue"].sum()' },
      ],
    },
  ],
  ['code_written', { tool: 'code_executor', step_number: 2, code: code2fixed }],
  ['stdout', { step_number: 2, text: 'FILE_SAVED:output/generated/u1/s1/monthly_revenue.png\n' }],
  ['repair_success', { attempt: 1 }],
  ['step_done', { tool: 'code_executor', label: 'Building chart', status: 'success', step_number: 2, time_taken: 1.1 }],
  ['step', { label: '📄 Generating document', tool: 'file_generator', step_number: 3, total_steps: 3 }],
  [
    'step_done',
    {
      tool: 'file_generator',
      label: 'Exporting summary',
      status: 'success',
      step_number: 3,
      time_taken: 0.9,
      code: 'summary.to_excel(f"{OUTPUT_DIR}/summary.xlsx")',
    },
  ],
  [
    'file_ready',
    {
      filename: 'monthly_revenue.png',
      download_url: '/api/agent/download/u1/s1/monthly_revenue.png',
      size: 41_872,
      type: 'png',
    },
  ],
  [
    'file_ready',
    { filename: 'summary.xlsx', download_url: '/api/agent/download/u1/s1/summary.xlsx', size: 9_310, type: 'xlsx' },
  ],
  [
    'file_ready',
    { filename: 'report.docx', download_url: '/api/agent/download/u1/s1/report.docx', size: 38_120, type: 'docx' },
  ],
  [
    'file_ready',
    {
      filename: 'clean_sales.csv',
      download_url: '/api/agent/download/u1/s1/clean_sales.csv',
      size: 45_002,
      type: 'csv',
    },
  ],
  ['token', { text: 'Revenue peaks in **November** (€118k) and is lowest in **February** (€61k).\n\n' }],
  [
    'token',
    {
      text: '| Quarter | Revenue |\n|---|---|\n| Q1 | €212k |\n| Q4 | €331k |\n\nThe chart and an Excel summary are attached below [1].',
    },
  ],
  [
    'meta',
    {
      intent: 'DATA_ANALYSIS',
      tools_used: ['data_profiler', 'code_executor', 'file_generator'],
      total_time: 3.2,
      citations: [
        {
          index: 1,
          material_id: 'm1',
          material_name: 'sales_2024.csv',
          location: 'rows 2–1201',
          snippet: 'Month,Region,Product,Units,Revenue,Cost\nJan,North,Widget,12,842.10,510.00',
        },
        {
          index: 2,
          material_id: 'm2',
          material_name: 'Lecture 4 - Regression.pdf',
          location: 'page 3',
          snippet: 'Seasonality is a pattern that repeats over a fixed period, such as months or quarters.',
        },
      ],
    },
  ],
  ['done', { run_id: 'r1', message_id: 'a1', status: 'completed' }],
])

const messages = [
  { id: 'u1', role: 'user', content: 'Analyse sales_2024.csv: chart monthly revenue and export a summary to Excel.' },
  buildFinalMessage(turn),
  { id: 'u2', role: 'user', content: 'What does the lecture say about seasonality?' },
  {
    id: 'a2',
    role: 'assistant',
    content:
      'The lecture defines seasonality as a pattern that repeats over a fixed period [2]. Use `pd.Grouper` to aggregate:\n\n```python\ndf.groupby(pd.Grouper(key="date", freq="M")).sum()\n```',
    agent_metadata: { citations: turn.meta.citations.slice(1) },
    step_log: [],
    generated_files: [],
  },
]

const live = reduceEvents([
  ['step', { label: '🐍 Writing Python code', tool: 'code_executor', step_number: 2, total_steps: 4 }],
  ['code_written', { tool: 'code_executor', step_number: 2, code: 'df.corr(numeric_only=True)' }],
])

export default function PreviewPage() {
  const [progress] = useState(0.45)
  return (
    <div className="flex h-screen flex-col bg-white dark:bg-neutral-950">
      <Header>
        <span className="truncate text-sm font-medium text-neutral-900 dark:text-neutral-100">
          Preview · Economics 101
        </span>
      </Header>
      <div className="flex min-h-0 flex-1">
        <aside className="flex w-72 shrink-0 flex-col gap-5 overflow-y-auto border-r border-neutral-200 bg-neutral-50 p-3 dark:border-neutral-800 dark:bg-neutral-950">
          <MaterialsPanel notebookId="preview" materials={materials} />
          <SessionList sessions={sessions} activeId="s1" onSelect={() => {}} onNew={() => {}} onDelete={() => {}} />
          <div className="mt-auto space-y-2">
            <RuntimeStatus runtime={{ status: 'loading', progress }} />
            <RuntimeStatus runtime={{ status: 'ready', progress: 1 }} />
          </div>
        </aside>
        <main className="flex min-w-0 flex-1 flex-col">
          <div className="min-h-0 flex-1 overflow-y-auto px-4 py-6">
            <div className="mx-auto flex max-w-3xl flex-col gap-6">
              {messages.map((m) => (
                <ChatMessage key={m.id} message={m} sessionId="s1" userId="u1" />
              ))}
              <ChatMessage
                message={{ id: 'live', role: 'assistant', content: '', agent_metadata: {}, step_log: live.stepLog }}
                isStreaming
              />
            </div>
          </div>
          <div className="border-t border-neutral-200 px-4 pt-3 pb-4 dark:border-neutral-800">
            <AgentThinkingBar
              isActive
              currentStep={live.thinkingLabel}
              stepNumber={live.stepNumber}
              totalSteps={live.totalSteps}
            />
            <div className="mx-auto max-w-3xl rounded-2xl border border-neutral-300 px-4 py-3 text-sm text-neutral-400 dark:border-neutral-700 dark:text-neutral-500">
              Ask anything about your notebook…
            </div>
          </div>
        </main>
      </div>
    </div>
  )
}
