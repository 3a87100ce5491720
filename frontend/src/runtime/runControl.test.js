import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { importsOf, PyodideRuntime, timeoutMessage } from './runtimeClient.js'
import { runtimeFileUrl, validateWorkerMessage } from './sandboxHost.js'

// A stand-in worker: records what the page posts, lets the test answer.
let workers
class FakeWorker {
  constructor() {
    this.posted = []
    this.terminated = false
    workers.push(this)
  }

  postMessage(msg) {
    this.posted.push(msg)
  }

  terminate() {
    this.terminated = true
  }

  send(msg) {
    this.onmessage({ data: msg })
  }

  ready() {
    this.send({ type: 'ready', python_version: '3.8.2', packages: [], profile: 'classic', timings: {} })
  }

  lastRun() {
    return this.posted.filter((m) => m.type === 'run').at(-1)
  }
}

const request = (code, extra = {}) => ({
  run_id: 'r',
  exec_id: 'x',
  code,
  timeout_s: 5,
  output_dir: 'out',
  mounts: [],
  ...extra,
})
const flush = () => new Promise((r) => globalThis.setImmediate(r))

async function bootedRuntime() {
  const rt = new PyodideRuntime({ workerUrl: '/w.js', isolated: false, packageTimeoutS: 100 })
  rt.start()
  workers[0].ready()
  await rt.start()
  return rt
}

// -> [promise of the result], once the run was posted to the worker
async function posted(rt, code, extra) {
  const pending = rt.run(request(code, extra))
  for (let i = 0; i < 5; i += 1) await flush()
  return [pending]
}

beforeEach(() => {
  workers = []
  vi.stubGlobal('Worker', FakeWorker)
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
})

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('time limits count the user code', () => {
  it('times a phase-less worker from the post and restarts warm, naming what was lost', async () => {
    const rt = await bootedRuntime()
    const [first] = await posted(rt, 'import pandas as pd\nfrom sklearn import tree\ndf = 1')
    const w = workers[0]
    w.send({
      type: 'result',
      id: w.lastRun().id,
      ok: true,
      stdout: '',
      stderr: '',
      duration_ms: 3,
      files: [],
      vars: { df: 'DataFrame', total: 'int' },
    })
    expect((await first).imported).toEqual(['pandas', 'sklearn'])

    const [loop] = await posted(rt, 'while True: pass')
    await flush()
    w.send({ type: 'stdout', id: w.lastRun().id, text: 'started\n' })
    vi.advanceTimersByTime(5001)
    const result = await loop
    expect(result.timed_out).toBe(true)
    expect(result.ok).toBe(false)
    expect(result.stdout).toBe('started\n')
    expect(result.stderr).toMatch(/^TimeoutError: execution exceeded 5 s and was stopped\n/)
    expect(result.stderr).toContain('df, total')
    expect(result.stderr).toContain('same imports (pandas, sklearn)')
    expect(w.terminated).toBe(true)
    // the replacement pre-loads what the old kernel had imported
    expect(workers).toHaveLength(2)
    expect(workers[1].posted[0]).toMatchObject({ type: 'init', preload: ['pandas', 'sklearn'] })
    expect(rt.status).toBe('loading')
  })

  it('gives package loading its own bound and starts the code clock at phase running', async () => {
    const rt = await bootedRuntime()
    const w = workers[0]
    const [run] = await posted(rt, 'import scipy')
    await flush()
    const { id } = w.lastRun()
    w.send({ type: 'phase', id, phase: 'loading_packages', packages: ['scipy'] })
    expect(rt.label).toBe('Loading scipy…')
    vi.advanceTimersByTime(60000) // far past timeout_s, within the package bound
    w.send({ type: 'phase', id, phase: 'running' })
    vi.advanceTimersByTime(4000)
    w.send({ type: 'result', id, ok: true, stdout: 'ok\n', stderr: '', duration_ms: 64000, files: [], vars: {} })
    const result = await run
    expect(result.ok).toBe(true)
    expect(result.timed_out).toBeUndefined()

    // next run: a phase-reporting worker is held to the package bound until 'running'
    const [slow] = await posted(rt, 'import statsmodels')
    await flush()
    w.send({ type: 'phase', id: w.lastRun().id, phase: 'loading_packages', packages: ['statsmodels'] })
    vi.advanceTimersByTime(100001)
    const timedOut = await slow
    expect(timedOut.timed_out).toBe(true)
    expect(timedOut.stderr).toMatch(/^TimeoutError: loading statsmodels exceeded 100 s/)
  })
})

describe('stop', () => {
  it('ends the running code with stopped: true and its output so far, then comes back warm', async () => {
    const rt = await bootedRuntime()
    expect(rt.stop()).toBe(false) // nothing running
    const w = workers[0]
    const [run] = await posted(rt, 'import numpy\nfor i in range(10**12): print(i)')
    await flush()
    w.send({ type: 'stdout', id: w.lastRun().id, text: '0\n1\n' })
    expect(rt.running).toBe(true)
    expect(rt.stop()).toBe(true)
    const result = await run
    expect(result).toMatchObject({ ok: false, stopped: true, stdout: '0\n1\n', stderr: 'Stopped by the user\n' })
    expect(workers).toHaveLength(2)
    expect(workers[1].posted[0].preload).toEqual(['numpy'])
    // the next run waits for the new worker, then runs there
    const [next] = await posted(rt, 'print(1)')
    await flush()
    expect(workers[1].lastRun()).toBeUndefined()
    workers[1].ready()
    await flush()
    await flush()
    const { id } = workers[1].lastRun()
    workers[1].send({ type: 'result', id, ok: true, stdout: '1\n', stderr: '', duration_ms: 1, files: [], vars: {} })
    expect((await next).stdout).toBe('1\n')
  })
})

describe('sandbox protocol checks', () => {
  it('keeps protocol messages and drops anything else', () => {
    expect(validateWorkerMessage({ type: 'stdout', id: 'a', text: 'hi' })).toEqual({
      type: 'stdout',
      id: 'a',
      text: 'hi',
    })
    expect(validateWorkerMessage({ type: 'eval', code: 'alert(1)' })).toBeNull()
    expect(validateWorkerMessage({ type: 'result', id: 'a', ok: 'yes', stdout: '', stderr: '', files: [] })).toBeNull()
    expect(
      validateWorkerMessage({ type: 'result', id: 'a', ok: true, stdout: '', stderr: '', files: [{ name: 'x' }] }),
    ).toBeNull()
    expect(validateWorkerMessage({ type: 'phase', id: 'a', phase: 'hacking' })).toBeNull()
    expect(validateWorkerMessage(null)).toBeNull()
  })

  it('serves only plain GETs under the runtime base', () => {
    const base = 'http://app.test/pyodide/'
    expect(runtimeFileUrl('http://app.test/pyodide/numpy.data', base)).toBe('http://app.test/pyodide/numpy.data')
    expect(runtimeFileUrl('http://app.test/api/auth/me', base)).toBeNull()
    expect(runtimeFileUrl('http://app.test/pyodide/../api/auth/me', base)).toBeNull()
    expect(runtimeFileUrl('http://app.test/pyodide/%2e%2e/api/x', base)).toBeNull()
    expect(runtimeFileUrl('http://evil.test/pyodide/x', base)).toBeNull()
    expect(runtimeFileUrl('http://app.test/pyodide/x?y=1', base)).toBeNull()
    expect(runtimeFileUrl(42, base)).toBeNull()
  })
})

describe('helpers', () => {
  it('finds the top-level imports of code', () => {
    expect(
      importsOf('import pandas as pd, numpy\nfrom sklearn.tree import X\n  import os.path\nx = "import no"'),
    ).toEqual(['pandas', 'numpy', 'sklearn', 'os'])
  })

  it('says when nothing was lost', () => {
    expect(timeoutMessage(3)).toBe(
      'TimeoutError: execution exceeded 3 s and was stopped\n' +
        'The Python worker was restarted. No variables from earlier runs were lost.\n',
    )
  })
})
