import { describe, expect, it } from 'vitest'
import { latestOnly, mergeFetched } from './listRequests.js'
import { deferred, tick as flush } from './testPromises.js'

describe('mergeFetched', () => {
  it('keeps an item created while the list was loading', () => {
    const created = { id: 'new', status: 'pending' }
    const fetched = [{ id: 'a' }, { id: 'b' }]
    expect(mergeFetched(fetched, [created]).map((p) => p.id)).toEqual(['new', 'a', 'b'])
  })

  it('takes the listed copy of an item the server already knows', () => {
    const merged = mergeFetched([{ id: 'a', status: 'ready' }], [{ id: 'a', status: 'pending' }])
    expect(merged).toEqual([{ id: 'a', status: 'ready' }])
  })

  it('is the fetched list when nothing was loaded before', () => {
    expect(mergeFetched([{ id: 'a' }], null)).toEqual([{ id: 'a' }])
  })
})

describe('latestOnly', () => {
  it('drops an older response that arrives after a newer one', async () => {
    const latest = latestOnly()
    const first = deferred()
    const second = deferred()
    const seen = []
    latest(first.promise).then((v) => seen.push(v))
    latest(second.promise).then((v) => seen.push(v))
    second.resolve(['a', 'new'])
    await flush()
    first.resolve(['a'])
    await flush()
    expect(seen).toEqual([['a', 'new']])
  })

  it('passes the latest error on and drops an older one', async () => {
    const latest = latestOnly()
    const first = deferred()
    const second = deferred()
    const errors = []
    latest(first.promise).catch((e) => errors.push(e.message))
    latest(second.promise).catch((e) => errors.push(e.message))
    first.reject(new Error('old'))
    second.reject(new Error('new'))
    await flush()
    expect(errors).toEqual(['new'])
  })
})
