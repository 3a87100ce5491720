// The SSE event list must mirror backend/app/services/agent/events.py.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { SSE_EVENT_NAMES } from './events.js'

const eventsPy = fileURLToPath(new URL('../../../backend/app/services/agent/events.py', import.meta.url))

describe('events.js', () => {
  it('lists exactly the event names of the backend EVENT_NAMES map', () => {
    const source = readFileSync(eventsPy, 'utf8')
    const block = source.slice(source.indexOf('EVENT_NAMES'), source.indexOf('}', source.indexOf('EVENT_NAMES')))
    const backend = [...block.matchAll(/:\s*"([a-z_]+)"/g)].map((m) => m[1])
    expect(backend.length).toBeGreaterThan(5)
    expect([...SSE_EVENT_NAMES].sort()).toEqual([...backend].sort())
  })
})
