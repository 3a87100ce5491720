import { describe, expect, it } from 'vitest'
import { buildExecutionResultBody } from '../runtime/protocol.js'
import { failedRunResult } from './executionResult.js'

describe('failedRunResult', () => {
  it('reports a runtime failure as stderr so the repair loop sees it', () => {
    const err = new Error('ExecuteRequest.code must be a string')
    err.name = 'ProtocolError'
    const body = buildExecutionResultBody(failedRunResult(err))
    expect(body).toEqual({
      ok: false,
      stdout: '',
      stderr: 'ProtocolError: ExecuteRequest.code must be a string\n',
      duration_ms: 0,
      files: [],
      vars: {},
      timed_out: false,
      stopped: false,
      imported: [],
    })
  })

  it('names a plain Error a RuntimeError', () => {
    expect(failedRunResult(new Error('boom')).stderr).toBe('RuntimeError: boom\n')
  })
})
