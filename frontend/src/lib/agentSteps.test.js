import { describe, expect, it } from 'vitest'
import {
  LOCAL,
  agentStreamReducer,
  initialStreamState,
  reduceEvents,
  stepProgress,
} from '../hooks/agentStreamReducer.js'
import { actionSummary, elapsedSeconds, formatElapsed, stepActivity, toolName, toolNames } from './agentSteps.js'

const step = (n, total, label, tool) => ['step', { step_number: n, total_steps: total, label, tool }]

describe('tool names', () => {
  it('known tools read as phrases, never ids', () => {
    expect(toolName('data_profiler')).toBe('Profiling the data')
    expect(toolName('code_executor')).toBe('Running Python')
    expect(toolName('code_repair')).toBe('Fixing the code')
    expect(toolName('rag_answer')).toBe('Searching your materials')
  })
  it('unknown tools are de-snake-cased, empty ones say "Working"', () => {
    expect(toolName('web_search')).toBe('Web search')
    expect(toolName('')).toBe('Working')
    expect(toolNames(['code_executor', 'python', 'data_profiler'])).toEqual(['Running Python', 'Profiling the data'])
  })
  it('a running step with an unfinished fix is fixing the code', () => {
    const repairs = [{ attempt: 2, success: false }]
    expect(stepActivity({ tool: 'code_executor', status: 'running', repairs })).toBe('Fixing the code (attempt 2)')
    expect(stepActivity({ tool: 'code_executor', status: 'success', repairs })).toBe('Running Python')
    expect(stepActivity({ tool: 'file_generator', label: '✏️ Editing chart.png' })).toBe('Editing the file')
    expect(stepActivity({ tool: 'file_generator', label: '📊 Building chart' })).toBe('Creating the file')
  })
})

describe('elapsed time', () => {
  it('whole seconds, shown only once a phase runs long', () => {
    expect(elapsedSeconds(1000, 13_999)).toBe(12)
    expect(elapsedSeconds(null, 5)).toBeNull()
    expect(formatElapsed(1)).toBeNull()
    expect(formatElapsed(12)).toBe('12 s')
    expect(formatElapsed(125)).toBe('2 min 5 s')
    expect(formatElapsed(120)).toBe('2 min')
  })
  it('the reducer stamps each phase, and running code restarts the clock', () => {
    let s = agentStreamReducer(initialStreamState, { type: LOCAL.START, at: 100 })
    s = agentStreamReducer(s, { type: 'event', name: 'step', data: { step_number: 1, total_steps: 3 }, at: 200 })
    expect(s.phaseStartedAt).toBe(200)
    expect(s.stepLog[0].started_at).toBe(200)
    s = agentStreamReducer(s, { type: 'event', name: 'execute', data: { run_id: 'r' }, at: 900 })
    expect(s.phaseStartedAt).toBe(900)
    expect(s.thinkingLabel).toBe('🐍 Running Python')
  })
})

describe('bar and drawer count the same steps', () => {
  const events = [
    step(1, 3, '🔍 Profiling your dataset', 'data_profiler'),
    ['step_done', { tool: 'data_profiler', status: 'success', step_number: 1, time_taken: 0.2 }],
    step(2, 3, '🐍 Analysing the data', 'code_executor'),
  ]
  it('mid-run both say "Step 2 of 2" (the answer step is not a step)', () => {
    const s = reduceEvents(events)
    const progress = stepProgress(s)
    expect(progress).toMatchObject({ current: 2, total: 2 })
    const summary = actionSummary({ stepLog: s.stepLog, isStreaming: true, progress })
    expect(summary).toBe('Step 2 of 2 · Profiling the data, Running Python')
  })
  it('finished, the drawer says how many ran, with human tool names', () => {
    const s = reduceEvents([
      ...events,
      ['step_done', { tool: 'code_executor', status: 'success', step_number: 2, time_taken: 3 }],
      ['step', { tool: 'generate_response', label: 'Writing', step_number: 3, total_steps: 3 }],
      ['done', { status: 'completed' }],
    ])
    expect(stepProgress(s)).toMatchObject({ current: 2, total: 2 })
    const summary = actionSummary({
      stepLog: s.stepLog,
      toolsUsed: ['data_profiler', 'code_executor', 'generate_response'],
    })
    expect(summary).toBe('Ran 2 steps · Profiling the data, Running Python · 3.2s')
    expect(summary).not.toMatch(/data_profiler|code_executor/)
  })
})
