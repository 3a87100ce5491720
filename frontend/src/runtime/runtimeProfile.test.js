import { afterEach, describe, expect, it, vi } from 'vitest';

import { PyodideRuntime } from './runtimeClient.js';
import {
  CLASSIC_CONFIG, clearRuntimeConfig, disposeRuntime, getRuntime, loadRuntimeConfig,
} from './usePyodideWorker.js';

afterEach(() => {
  clearRuntimeConfig();
  ['s-classic', 's-modern'].forEach(disposeRuntime);
});

describe('PyodideRuntime profiles', () => {
  it('defaults to the classic worker and bundle', () => {
    const rt = new PyodideRuntime();
    expect(rt.profile).toBe('classic');
    expect(rt.indexURL).toBe('/pyodide/');
  });

  it('points the modern profile at /pyodide/modern/', () => {
    const rt = new PyodideRuntime({ profile: 'modern' });
    expect(rt.indexURL).toBe('/pyodide/modern/');
  });

  it('isolates the classic profile by default, not the modern one', () => {
    expect(new PyodideRuntime().isolated).toBe(true);
    expect(new PyodideRuntime({ isolated: false }).isolated).toBe(false);
    expect(new PyodideRuntime({ profile: 'modern' }).isolated).toBe(false);
  });

  it('rejects an unknown profile', () => {
    expect(() => new PyodideRuntime({ profile: 'nightly' })).toThrow(/unknown runtime profile/);
  });

  it('starts the modern worker as an ES module', () => {
    const made = [];
    vi.stubGlobal('Worker', class {
      constructor(url, opts) { made.push([String(url), opts]); }
      postMessage() {}
      terminate() {}
    });
    try {
      new PyodideRuntime({ profile: 'modern', workerUrl: '/w.mjs' }).start();
      new PyodideRuntime({ workerUrl: '/w.js', isolated: false }).start();
    } finally {
      vi.unstubAllGlobals();
    }
    expect(made).toEqual([['/w.mjs', { type: 'module' }], ['/w.js', undefined]]);
  });
});

describe('loadRuntimeConfig', () => {
  it('asks the server once and caches the answer', async () => {
    const fetchConfig = vi.fn().mockResolvedValue({ profile: 'modern', index_url: '/pyodide/modern/' });
    const first = await loadRuntimeConfig(fetchConfig);
    const second = await loadRuntimeConfig(fetchConfig);
    expect(first).toEqual({ profile: 'modern', index_url: '/pyodide/modern/' });
    expect(second).toBe(first);
    expect(fetchConfig).toHaveBeenCalledTimes(1);
    const rt = getRuntime('s-modern', first);
    expect(rt.profile).toBe('modern');
    expect(rt.indexURL).toBe('/pyodide/modern/');
  });

  it('falls back to classic when the server cannot say, and asks again next time', async () => {
    const failing = vi.fn().mockRejectedValue(new Error('offline'));
    expect(await loadRuntimeConfig(failing)).toEqual(CLASSIC_CONFIG);
    const working = vi.fn().mockResolvedValue({ profile: 'classic', index_url: '/pyodide/' });
    expect(await loadRuntimeConfig(working)).toEqual({ profile: 'classic', index_url: '/pyodide/' });
    expect(working).toHaveBeenCalledTimes(1);
    expect(getRuntime('s-classic').profile).toBe('classic');
  });
});
