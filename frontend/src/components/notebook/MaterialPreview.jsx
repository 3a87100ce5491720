import { useEffect, useState } from 'react'
import { getMaterialTextHead } from '../../api/materials.js'
import { PREVIEW_BYTES, buildPreview } from '../../lib/materialPreview.js'
import Modal from '../Modal.jsx'

function PreviewTable({ preview }) {
  return (
    <div className="overflow-auto rounded-lg border border-neutral-200 dark:border-neutral-800">
      <table className="min-w-full text-left text-xs" data-testid="material-preview-table">
        <thead className="sticky top-0 bg-neutral-100 dark:bg-neutral-800">
          <tr>
            {preview.columns.map((c, i) => (
              <th key={i} className="px-3 py-2 font-semibold whitespace-nowrap text-neutral-700 dark:text-neutral-200">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-neutral-100 dark:divide-neutral-800">
          {preview.rows.map((r, i) => (
            <tr key={i} data-testid="material-preview-row">
              {r.map((c, j) => (
                <td key={j} className="px-3 py-1.5 whitespace-nowrap text-neutral-700 dark:text-neutral-300">
                  {c}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** A material's first rows (data) or opening text (documents), and "Use this file". */
export default function MaterialPreview({ material, chosen, onUse, onClose }) {
  const [state, setState] = useState({ loading: true, preview: null, error: null })

  useEffect(() => {
    if (!material) return
    let cancelled = false
    setState({ loading: true, preview: null, error: null })
    getMaterialTextHead(material.id, PREVIEW_BYTES)
      .then(({ text, truncated }) => {
        if (cancelled) return
        const preview = buildPreview(text, { ext: material.ext, type: material.type, truncated })
        setState({ loading: false, preview, error: null })
      })
      .catch((err) => !cancelled && setState({ loading: false, preview: null, error: err.message }))
    return () => {
      cancelled = true
    }
  }, [material])

  const { loading, preview, error } = state
  return (
    <Modal open={!!material} title={material?.filename ?? ''} onClose={onClose} wide>
      <div className="flex flex-col gap-3" data-testid="material-preview" data-kind={preview?.kind}>
        {loading && <div className="text-sm text-neutral-500 dark:text-neutral-400">Loading preview…</div>}
        {error && <div className="text-sm text-red-600 dark:text-red-400">{error}</div>}
        {preview?.kind === 'table' && (
          <>
            <div className="text-xs text-neutral-500 dark:text-neutral-400">
              {preview.sheet ? `Sheet “${preview.sheet}” · ` : ''}
              first {preview.rows.length} row{preview.rows.length === 1 ? '' : 's'}
              {preview.more ? ' (more in the file)' : ''}
            </div>
            <PreviewTable preview={preview} />
          </>
        )}
        {preview?.kind === 'text' && (
          <>
            <pre
              className="max-h-[55vh] overflow-auto rounded-lg bg-neutral-50 p-3 font-sans text-sm whitespace-pre-wrap text-neutral-800 dark:bg-neutral-950 dark:text-neutral-200"
              data-testid="material-preview-text"
            >
              {preview.text || '(no text could be extracted)'}
            </pre>
            {preview.more && (
              <div className="text-xs text-neutral-500 dark:text-neutral-400">Only the beginning is shown.</div>
            )}
          </>
        )}
        <div className="flex items-center justify-end gap-2 pt-1">
          <button
            type="button"
            onClick={onClose}
            className="rounded-lg px-3 py-1.5 text-sm text-neutral-600 hover:bg-neutral-100 dark:text-neutral-300 dark:hover:bg-neutral-800"
          >
            Close
          </button>
          <button
            type="button"
            onClick={() => onUse(material)}
            disabled={chosen}
            className="rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:cursor-default disabled:bg-neutral-300 dark:bg-indigo-500 dark:hover:bg-indigo-400 dark:disabled:bg-neutral-700 dark:disabled:text-neutral-300"
            data-testid="material-use"
          >
            {chosen ? 'In use for the chat' : 'Use this file'}
          </button>
        </div>
      </div>
    </Modal>
  )
}
