import { afterEach, describe, expect, it, vi } from 'vitest'

import { PyodideRuntime } from './runtimeClient.js'
import {
  DEFAULT_CONFIG,
  clearRuntimeConfig,
  disposeRuntime,
  getRuntime,
  loadRuntimeConfig,
} from './usePyodideWorker.js'

afterEach(() => {
  clearRuntimeConfig()
  ;['s-classic', 's-modern'].forEach(disposeRuntime)
})

describe('PyodideRuntime profiles', () => {
  it('defaults to the modern (Pyodide 0.27.7) worker and bundle', () => {
    const rt = new PyodideRuntime()
    expect(rt.profile).toBe('modern')
    expect(rt.indexURL).toBe('/pyodide/modern/')
  })

  it('points the classic profile at /pyodide/', () => {
    const rt = new PyodideRuntime({ profile: 'classic' })
    expect(rt.indexURL).toBe('/pyodide/')
  })

  it('isolates both profiles by default', () => {
    expect(new PyodideRuntime().isolated).toBe(true)
    expect(new PyodideRuntime({ profile: 'classic' }).isolated).toBe(true)
    expect(new PyodideRuntime({ isolated: false }).isolated).toBe(false)
  })

  it('rejects an unknown profile', () => {
    expect(() => new PyodideRuntime({ profile: 'nightly' })).toThrow(/unknown runtime profile/)
  })

  it('starts an unisolated worker as a classic worker, whatever the profile', () => {
    const made = []
    vi.stubGlobal(
      'Worker',
      class {
        constructor(url, opts) {
          made.push([String(url), opts])
        }
        postMessage() {}
        terminate() {}
      },
    )
    try {
      new PyodideRuntime({ profile: 'modern', workerUrl: '/m.js', isolated: false }).start()
      new PyodideRuntime({ profile: 'classic', workerUrl: '/w.js', isolated: false }).start()
    } finally {
      vi.unstubAllGlobals()
    }
    expect(made).toEqual([
      ['/m.js', undefined],
      ['/w.js', undefined],
    ])
  })
})

describe('loadRuntimeConfig', () => {
  it('asks the server once and caches the answer', async () => {
    const fetchConfig = vi.fn().mockResolvedValue({ profile: 'modern', index_url: '/pyodide/modern/' })
    const first = await loadRuntimeConfig(fetchConfig)
    const second = await loadRuntimeConfig(fetchConfig)
    expect(first).toEqual({ profile: 'modern', index_url: '/pyodide/modern/' })
    expect(second).toBe(first)
    expect(fetchConfig).toHaveBeenCalledTimes(1)
    const rt = getRuntime('s-modern', first)
    expect(rt.profile).toBe('modern')
    expect(rt.indexURL).toBe('/pyodide/modern/')
  })

  it('falls back to the default profile when the server cannot say, and asks again next time', async () => {
    const failing = vi.fn().mockRejectedValue(new Error('offline'))
    expect(await loadRuntimeConfig(failing)).toEqual(DEFAULT_CONFIG)
    const working = vi.fn().mockResolvedValue({ profile: 'classic', index_url: '/pyodide/' })
    expect(await loadRuntimeConfig(working)).toEqual({ profile: 'classic', index_url: '/pyodide/' })
    expect(working).toHaveBeenCalledTimes(1)
    expect(getRuntime('s-classic').profile).toBe('modern') // no config given: the default
  })
})
