import { describe, expect, it } from 'vitest'
import { createLimiter } from './uploadQueue.js'
import { deferred, tick } from './testPromises.js'

describe('createLimiter', () => {
  it('keeps at most `limit` jobs running and starts the rest in order', async () => {
    const run = createLimiter(2)
    const gates = [deferred(), deferred(), deferred(), deferred()]
    const started = []
    const results = gates.map((g, i) =>
      run(() => {
        started.push(i)
        return g.promise
      }),
    )
    await tick()
    expect(started).toEqual([0, 1])
    expect(run.stats()).toEqual({ active: 2, waiting: 2 })
    gates[1].resolve('b')
    await tick()
    expect(started).toEqual([0, 1, 2])
    gates[0].resolve('a')
    gates[2].resolve('c')
    await tick()
    expect(started).toEqual([0, 1, 2, 3])
    gates[3].resolve('d')
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd'])
    expect(run.stats()).toEqual({ active: 0, waiting: 0 })
  })

  it('a failing job rejects alone and frees its slot', async () => {
    const run = createLimiter(1)
    const bad = run(() => Promise.reject(new Error('corrupt')))
    const thrown = run(() => {
      throw new Error('sync throw')
    })
    const good = run(() => 'ok')
    await expect(bad).rejects.toThrow('corrupt')
    await expect(thrown).rejects.toThrow('sync throw')
    expect(await good).toBe('ok')
  })

  it('rejects a limit below one', () => {
    expect(() => createLimiter(0)).toThrow()
  })
})
