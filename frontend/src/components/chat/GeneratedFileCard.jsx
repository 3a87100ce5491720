import { useEffect, useState } from 'react'
import { saveBlob } from '../../api/agent.js'
import { fileKind, humanSize } from '../../lib/files.js'
import Modal from '../Modal.jsx'
import { fetchFileBlob } from './generatedFileBlob.js'

const buttonClass =
  'rounded-lg border border-neutral-200 bg-white px-2.5 py-1 text-xs font-medium text-neutral-700 hover:bg-neutral-100 disabled:opacity-50 dark:border-neutral-700 dark:bg-neutral-800 dark:text-neutral-200 dark:hover:bg-neutral-700'

/**
 * A file the agent produced: icon, name, size, Download and (images) Preview.
 * `version`/`latest` (lib/fileVersions.js): the server keeps only the newest
 * bytes of a name, so a replaced card says so and its Download gets the
 * latest version; it offers no preview of bytes that are no longer its own.
 */
export default function GeneratedFileCard({
  filename,
  downloadUrl,
  size,
  fileType,
  sessionId,
  userId,
  version = 1,
  latest = 1,
}) {
  const replaced = version < latest
  const kind = fileKind(filename, fileType)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)
  const [preview, setPreview] = useState(null) // object URL
  const [previewOpen, setPreviewOpen] = useState(false)

  useEffect(() => () => preview && URL.revokeObjectURL(preview), [preview])

  const fetchBlob = () => fetchFileBlob({ filename, downloadUrl, sessionId, userId })

  const onDownload = async () => {
    setBusy(true)
    setError(null)
    try {
      saveBlob(await fetchBlob(), filename)
    } catch (err) {
      setError(err.message)
    } finally {
      setBusy(false)
    }
  }

  const onPreview = async () => {
    setPreviewOpen(true)
    if (preview) return
    setError(null)
    try {
      setPreview(URL.createObjectURL(await fetchBlob()))
    } catch (err) {
      setError(err.message)
      setPreviewOpen(false)
    }
  }

  return (
    <div
      className={`flex flex-wrap items-center gap-3 rounded-xl border-l-4 border border-y-neutral-200 border-r-neutral-200 bg-white px-3 py-2.5 shadow-sm dark:border-y-neutral-800 dark:border-r-neutral-800 dark:bg-neutral-900 ${kind.accent}`}
      data-testid="file-card"
      data-kind={kind.kind}
      data-version={version}
      data-replaced={replaced || undefined}
    >
      <span className="text-2xl leading-none" aria-hidden="true">
        {kind.icon}
      </span>
      <div className="min-w-[9rem] flex-1">
        <div
          className="truncate text-sm font-medium text-neutral-900 dark:text-neutral-100"
          title={filename}
          data-testid="file-name"
        >
          {filename}
        </div>
        <div className="text-xs text-neutral-500 dark:text-neutral-400">
          <span className={kind.badge}>{kind.label}</span>
          {!replaced && (
            <>
              {' · '}
              <span data-testid="file-size">{humanSize(size)}</span>
            </>
          )}
          {error && <span className="ml-2 text-red-600 dark:text-red-400">{error}</span>}
        </div>
        {/* Its own line: at phone width it must not squeeze the name and size. */}
        {replaced ? (
          <div className="text-xs text-amber-700 dark:text-amber-400" data-testid="file-replaced">
            Replaced by version {latest} in a later answer
          </div>
        ) : (
          version > 1 && (
            <div className="text-xs text-indigo-700 dark:text-indigo-300" data-testid="file-version">
              Version {version}, replaces the earlier file
            </div>
          )
        )}
      </div>
      {/* The buttons wrap under the name at phone width instead of squeezing it. */}
      <div className="ml-auto flex shrink-0 gap-2">
        {kind.kind === 'image' && !replaced && (
          <button type="button" className={buttonClass} onClick={onPreview} data-testid="file-preview">
            Preview
          </button>
        )}
        <button type="button" className={buttonClass} onClick={onDownload} disabled={busy} data-testid="file-download">
          {busy ? 'Downloading…' : replaced ? 'Download latest' : 'Download'}
        </button>
      </div>
      <Modal open={previewOpen} title={filename} onClose={() => setPreviewOpen(false)} wide>
        {preview ? (
          <img
            src={preview}
            alt={filename}
            className="mx-auto max-h-[75vh] rounded-lg"
            data-testid="file-preview-image"
          />
        ) : (
          <div className="py-10 text-center text-sm text-neutral-500 dark:text-neutral-400">Loading preview…</div>
        )}
      </Modal>
    </div>
  )
}
