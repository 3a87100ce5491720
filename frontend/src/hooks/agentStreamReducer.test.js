import { describe, expect, it } from 'vitest'
import {
  agentStreamReducer,
  buildFinalMessage,
  initialStreamState,
  LOCAL,
  REPAIR_SUCCESS_LABEL,
  reduceEvents,
  RUNNING_CODE_LABEL,
  STOPPED_ANSWER,
  STOPPING_LABEL,
  stepProgress,
} from './agentStreamReducer.js'

const step = (n, total, label = `step ${n}`, tool = 'code_executor') => [
  'step',
  { label, tool, step_number: n, total_steps: total },
]

describe('agentStreamReducer', () => {
  it('start turns thinking on with a fresh state', () => {
    const dirty = { ...initialStreamState, answer: 'old', stepLog: [{ step_number: 1 }] }
    const s = agentStreamReducer(dirty, { type: LOCAL.START })
    expect(s.isThinking).toBe(true)
    expect(s.status).toBe('streaming')
    expect(s.answer).toBe('')
    expect(s.stepLog).toEqual([])
  })

  it('run records the run and session ids', () => {
    const s = reduceEvents([['run', { run_id: 'r1', session_id: 's1' }]])
    expect(s.runId).toBe('r1')
    expect(s.sessionId).toBe('s1')
  })

  it('step updates the thinking label and step counter in place', () => {
    const s = reduceEvents([step(1, 3, '🔍 Searching your materials'), step(2, 3, '🐍 Writing Python code')])
    expect(s.thinkingLabel).toBe('🐍 Writing Python code')
    expect(s.stepNumber).toBe(2)
    expect(s.totalSteps).toBe(2) // the plan's third step is the answer, not a listed step
    expect(s.stepLog.map((x) => [x.step_number, x.status])).toEqual([
      [1, 'running'],
      [2, 'running'],
    ])
  })

  it('code_written and stdout attach to the current step, never to the answer', () => {
    const s = reduceEvents([
      step(1, 1),
      ['code_written', { tool: 'code_executor', step_number: 1, code: 'print(1)' }],
      ['stdout', { step_number: 1, text: '1\n' }],
      ['stdout', { step_number: 1, text: '2\n' }],
    ])
    expect(s.stepLog[0].code).toBe('print(1)')
    expect(s.stepLog[0].stdout).toBe('1\n2\n')
    expect(s.answer).toBe('')
  })

  it('step_done completes the step with the server record', () => {
    const s = reduceEvents([
      step(1, 1, 'Profiling', 'data_profiler'),
      ['stdout', { step_number: 1, text: 'live\n' }],
      [
        'step_done',
        {
          tool: 'data_profiler',
          label: 'Profiling',
          status: 'error',
          step_number: 1,
          time_taken: 1.25,
          code: 'df.describe()',
          stdout: '',
          stderr: 'KeyError: x',
        },
      ],
    ])
    expect(s.stepLog).toHaveLength(1)
    expect(s.stepLog[0]).toMatchObject({
      status: 'error',
      time_taken: 1.25,
      code: 'df.describe()',
      stdout: 'live\n', // empty server stdout keeps what streamed live
      stderr: 'KeyError: x',
    })
  })

  it('step_done without a prior step appends a new entry', () => {
    const s = reduceEvents([
      ['step_done', { tool: 't', label: 'L', status: 'success', step_number: 4, time_taken: 0.5 }],
    ])
    expect(s.stepLog).toHaveLength(1)
    expect(s.stepLog[0].step_number).toBe(4)
  })

  it('execute stores the pending request and shows "Running code"', () => {
    const req = { run_id: 'r1', exec_id: 'e1', code: 'x=1', timeout_s: 15, output_dir: 'o', mounts: [] }
    const s = reduceEvents([step(1, 2), ['execute', req]])
    expect(s.pendingExecute).toEqual(req)
    expect(s.thinkingLabel).toBe(RUNNING_CODE_LABEL)
    const closed = agentStreamReducer(s, { type: LOCAL.STREAM_CLOSED })
    expect(closed.status).toBe('streaming') // pausing after execute is normal
    const running = agentStreamReducer(closed, { type: LOCAL.EXEC_START })
    expect(running.status).toBe('executing')
    const back = agentStreamReducer(running, { type: LOCAL.EXEC_DONE })
    expect(back.pendingExecute).toBeNull()
    expect(back.status).toBe('streaming')
  })

  it('repair_attempt labels the attempt and records the diff on the step', () => {
    const diff = [
      { op: '-', line: 'df["sales"]' },
      { op: '+', line: 'df["Sales"]' },
    ]
    const s = reduceEvents([
      step(1, 1),
      ['code_written', { tool: 'code_executor', step_number: 1, code: 'df["sales"]' }],
      [
        'step_done',
        { tool: 'code_executor', label: 'x', status: 'error', step_number: 1, time_taken: 0.1, stderr: 'KeyError' },
      ],
      ['repair_attempt', { attempt: 1, max_attempts: 3, error_summary: "KeyError: 'sales'", fixed_by: 'rule', diff }],
    ])
    expect(s.thinkingLabel).toBe('⚠️ Error found, fixing (attempt 1)')
    expect(s.stepLog[0].repairs).toEqual([
      { attempt: 1, max_attempts: 3, error_summary: "KeyError: 'sales'", fixed_by: 'rule', diff, success: false },
    ])

    const fixed = reduceEvents(
      [
        ['code_written', { tool: 'code_executor', step_number: 1, code: 'df["Sales"]' }],
        ['repair_success', { attempt: 1 }],
      ],
      s,
    )
    expect(fixed.thinkingLabel).toBe(REPAIR_SUCCESS_LABEL)
    expect(fixed.stepLog[0].code).toBe('df["Sales"]')
    expect(fixed.stepLog[0].stderr).toBe('') // the failed attempt's output is gone
    expect(fixed.stepLog[0].status).toBe('success')
    expect(fixed.stepLog[0].repairs[0].success).toBe(true)
  })

  it('file_ready collects pending files, replacing a re-saved name', () => {
    const s = reduceEvents([
      ['file_ready', { filename: 'a.csv', download_url: '/u1', size: 10, type: 'csv' }],
      ['file_ready', { filename: 'b.png', download_url: '/u2', size: 20, type: 'png', file_id: 'f2' }],
      ['file_ready', { filename: 'a.csv', download_url: '/u3', size: 30, type: 'csv' }],
    ])
    expect(s.pendingFiles.map((f) => [f.filename, f.size, f.download_url])).toEqual([
      ['a.csv', 30, '/u3'],
      ['b.png', 20, '/u2'],
    ])
  })

  it('token appends to the answer text', () => {
    const s = reduceEvents([
      ['token', { text: 'Hello' }],
      ['token', { text: ', world' }],
    ])
    expect(s.answer).toBe('Hello, world')
  })

  it('done stops thinking and builds the final message with steps, files and meta', () => {
    const citations = [{ index: 1, material_id: 'm', material_name: 'n.pdf', location: 'page 3', snippet: 's' }]
    const s = reduceEvents([
      ['run', { run_id: 'r9', session_id: 's' }],
      step(1, 1, 'Analysing', 'code_executor'),
      ['step_done', { tool: 'code_executor', label: 'Analysing', status: 'success', step_number: 1, time_taken: 2 }],
      ['file_ready', { filename: 'c.png', download_url: '/d', size: 5, type: 'png' }],
      ['token', { text: 'Answer' }],
      ['meta', { intent: 'DATA_ANALYSIS', tools_used: ['code_executor'], total_time: 3.2, citations }],
      ['done', { run_id: 'r9', message_id: 'm1', status: 'completed' }],
    ])
    expect(s.isThinking).toBe(false)
    expect(s.status).toBe('done')
    const msg = buildFinalMessage(s)
    expect(msg).toMatchObject({
      id: 'm1',
      role: 'assistant',
      content: 'Answer',
      agent_metadata: {
        run_id: 'r9',
        intent: 'DATA_ANALYSIS',
        tools_used: ['code_executor'],
        total_time: 3.2,
        citations,
      },
    })
    expect(msg.step_log).toHaveLength(1)
    expect(msg.generated_files.map((f) => f.filename)).toEqual(['c.png'])
  })

  it('error stops thinking and shows the message', () => {
    const s = reduceEvents([step(1, 2), ['error', { message: 'Model unavailable', code: 'llm' }]])
    expect(s.status).toBe('error')
    expect(s.isThinking).toBe(false)
    expect(s.error).toBe('Model unavailable')
    expect(s.stepLog[0].status).toBe('error')
    expect(buildFinalMessage(s).error).toBe('Model unavailable')
  })

  it('a stream that closes without done or execute is an error', () => {
    const s = agentStreamReducer(reduceEvents([step(1, 1)]), { type: LOCAL.STREAM_CLOSED })
    expect(s.status).toBe('error')
    expect(s.error).toMatch(/connection closed/)
  })

  it('a stream that closes after done stays done', () => {
    const s = agentStreamReducer(reduceEvents([['done', { status: 'completed' }]]), { type: LOCAL.STREAM_CLOSED })
    expect(s.status).toBe('done')
  })

  it('unknown events leave the state unchanged', () => {
    const before = reduceEvents([step(1, 1)])
    expect(agentStreamReducer(before, { type: 'event', name: 'mystery', data: {} })).toBe(before)
  })

  it('the answer-writing step is neither listed nor counted: bar and drawer agree', () => {
    const mid = reduceEvents([
      step(1, 3, '🔍 Profiling your dataset', 'data_profiler'),
      ['step_done', { tool: 'data_profiler', label: 'p', status: 'success', step_number: 1, time_taken: 0.2 }],
      step(2, 3, '🐍 Analysing the data', 'code_executor'),
    ])
    expect(stepProgress(mid)).toEqual({ current: 2, total: 2, listed: 2 })
    const writing = reduceEvents([step(3, 3, '✍️ Writing the answer', 'generate_response')], mid)
    expect(writing.thinkingLabel).toBe('✍️ Writing the answer')
    expect(writing.stepLog.map((x) => x.tool)).toEqual(['data_profiler', 'code_executor'])
    expect(stepProgress(writing)).toEqual({ current: 2, total: 2, listed: 2 })
    const done = reduceEvents([['done', { status: 'completed' }]], writing)
    expect(buildFinalMessage(done).step_log).toHaveLength(2)
  })

  it('a step records when it started, from the action timestamp', () => {
    const s = agentStreamReducer(reduceEvents([]), {
      type: 'event',
      name: 'step',
      data: { label: 'x', tool: 'code_executor', step_number: 1, total_steps: 2 },
      at: 1000,
    })
    expect(s.phaseStartedAt).toBe(1000)
    expect(s.stepLog[0].started_at).toBe(1000)
    const exec = agentStreamReducer(s, { type: LOCAL.EXEC_START, at: 4000 })
    expect(exec.phaseStartedAt).toBe(4000)
  })

  it('stop while code runs shows "Stopping…" until the server ends the turn as stopped', () => {
    const running = agentStreamReducer(reduceEvents([step(1, 2), ['execute', { run_id: 'r', exec_id: 'e' }]]), {
      type: LOCAL.EXEC_START,
    })
    const stopping = agentStreamReducer(running, { type: LOCAL.STOP, at: 5 })
    expect(stopping.stopState).toBe('stopping')
    expect(stopping.thinkingLabel).toBe(STOPPING_LABEL)
    // a repair the server still announces does not replace the label
    const repairing = reduceEvents([['repair_attempt', { attempt: 1, max_attempts: 3, diff: [] }]], stopping)
    expect(repairing.thinkingLabel).toBe(STOPPING_LABEL)
    const done = reduceEvents([['done', { status: 'failed' }]], stopping)
    expect(done.status).toBe('done')
    expect(done.stopState).toBe('stopped')
    expect(done.error).toBeNull()
    expect(done.stepLog[0].status).toBe('stopped')
    expect(buildFinalMessage(done).stopped).toBe(true)
  })

  it('stop with no code running ends the turn on the page as stopped', () => {
    const s = agentStreamReducer(agentStreamReducer(reduceEvents([step(1, 2)]), { type: LOCAL.STOP }), {
      type: LOCAL.STOPPED,
    })
    expect(s).toMatchObject({ status: 'done', stopState: 'stopped', isThinking: false })
    expect(buildFinalMessage(s)).toMatchObject({ stopped: true, error: null, content: STOPPED_ANSWER })
  })

  it('a turn stopped on the page keeps the answer text already streamed', () => {
    const streaming = reduceEvents([step(1, 2), ['token', { text: 'Half an answer' }]])
    const s = agentStreamReducer(agentStreamReducer(streaming, { type: LOCAL.STOP }), { type: LOCAL.STOPPED })
    expect(buildFinalMessage(s).content).toBe('Half an answer')
  })

  it('stop is ignored when no turn is active, and pressing it twice changes nothing', () => {
    expect(agentStreamReducer(initialStreamState, { type: LOCAL.STOP })).toBe(initialStreamState)
    const once = agentStreamReducer(reduceEvents([step(1, 1)]), { type: LOCAL.STOP })
    expect(agentStreamReducer(once, { type: LOCAL.STOP })).toBe(once)
  })

  it('repair_attempt keeps the extra fields the server sends (error line, outcome)', () => {
    const s = reduceEvents([
      step(1, 2),
      ['repair_attempt', { attempt: 1, max_attempts: 3, error_summary: 'KeyError', error_line: 'df["x"]', diff: [] }],
      ['repair_success', { attempt: 1 }],
    ])
    expect(s.stepLog[0].repairs[0]).toMatchObject({ error_line: 'df["x"]', success: true, outcome: 'fixed' })
  })

  it('a run that finishes after the turn was stopped and reset leaves the idle state alone', () => {
    expect(agentStreamReducer(initialStreamState, { type: LOCAL.EXEC_DONE })).toBe(initialStreamState)
  })
})
