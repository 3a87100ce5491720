import { useState } from 'react'
import Modal from '../Modal.jsx'
import { useFileObjectUrl } from './generatedFileBlob.js'

/**
 * An image the turn produced, shown in the answer without a click; a click
 * enlarges it in the modal. The bytes come through the signed download link
 * as a blob (the page's CSP allows blob: images, nothing foreign).
 */
export default function InlineImage({ file, sessionId, userId }) {
  const { url, error } = useFileObjectUrl({
    filename: file.filename,
    downloadUrl: file.download_url,
    sessionId,
    userId,
  })
  const [open, setOpen] = useState(false)

  if (error) {
    return (
      <div className="mt-3 text-xs text-red-600 dark:text-red-400" data-testid="inline-image-error">
        Could not show {file.filename}: {error}
      </div>
    )
  }
  return (
    <figure className="mt-3" data-testid="inline-image" data-filename={file.filename}>
      {url ? (
        <button
          type="button"
          onClick={() => setOpen(true)}
          className="block max-w-full cursor-zoom-in overflow-hidden rounded-xl border border-neutral-200 bg-white focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:border-neutral-700"
          aria-label={`Enlarge ${file.filename}`}
        >
          <img src={url} alt={file.filename} className="block max-h-[420px] w-auto max-w-full" />
        </button>
      ) : (
        <div
          className="h-48 w-full max-w-md animate-pulse rounded-xl bg-neutral-100 dark:bg-neutral-800"
          aria-label={`Loading ${file.filename}`}
        />
      )}
      <figcaption className="mt-1 text-xs text-neutral-500 dark:text-neutral-400">{file.filename}</figcaption>
      <Modal open={open} title={file.filename} onClose={() => setOpen(false)} wide>
        <img
          src={url}
          alt={file.filename}
          className="mx-auto max-h-[75vh] rounded-lg"
          data-testid="file-preview-image"
        />
      </Modal>
    </figure>
  )
}
