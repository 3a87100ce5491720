import { useRef, useState } from 'react'
import { deleteMaterial, uploadMaterial } from '../../api/materials.js'
import { fileKind, humanSize } from '../../lib/files.js'

const ACCEPT = '.pdf,.docx,.txt,.md,.csv,.xlsx,.xls'

function UploadRow({ upload }) {
  const pct = Math.round(upload.progress * 100)
  return (
    <li className="px-2 py-1.5" data-testid="material-uploading">
      <div className="flex items-center gap-2 text-xs text-neutral-600 dark:text-neutral-400">
        <span className="min-w-0 flex-1 truncate">{upload.name}</span>
        <span>{upload.error ? 'failed' : `${pct}%`}</span>
      </div>
      {upload.error ? (
        <div className="mt-1 text-xs text-red-600 dark:text-red-400">{upload.error}</div>
      ) : (
        <div className="mt-1 h-1 overflow-hidden rounded-full bg-neutral-200 dark:bg-neutral-800">
          <div
            className="h-full bg-indigo-500 transition-[width] duration-200"
            style={{ width: `${pct}%` }}
            data-testid="material-upload-progress"
          />
        </div>
      )}
    </li>
  )
}

/** The notebook's materials: upload (with progress), list, delete. */
export default function MaterialsPanel({ notebookId, materials, onAdded, onDeleted }) {
  const inputRef = useRef(null)
  const [uploads, setUploads] = useState([]) // {key, name, progress, error}
  const [dragging, setDragging] = useState(false)

  const patch = (key, fields) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...fields } : u)))

  const upload = (files) => {
    for (const file of files) {
      const key = `${file.name}-${Date.now()}-${Math.random()}`
      setUploads((list) => [...list, { key, name: file.name, progress: 0, error: null }])
      const { promise } = uploadMaterial(notebookId, file, (p) => patch(key, { progress: p }))
      promise
        .then((material) => {
          setUploads((list) => list.filter((u) => u.key !== key))
          onAdded?.(material)
        })
        .catch((err) => {
          patch(key, { error: err.message })
          setTimeout(() => setUploads((list) => list.filter((u) => u.key !== key)), 6000)
        })
    }
  }

  const onDelete = async (m) => {
    if (!window.confirm(`Remove “${m.filename}” from this notebook?`)) return
    try {
      await deleteMaterial(m.id)
      onDeleted?.(m.id)
    } catch (err) {
      window.alert(err.message)
    }
  }

  return (
    <section className="flex min-h-0 flex-col">
      <div className="mb-2 flex items-center justify-between px-1">
        <h2 className="text-xs font-semibold tracking-wide text-neutral-500 uppercase dark:text-neutral-400">
          Materials
        </h2>
        <span className="text-xs text-neutral-400 dark:text-neutral-500">{materials.length}</span>
      </div>
      <button
        type="button"
        onClick={() => inputRef.current?.click()}
        onDragOver={(e) => {
          e.preventDefault()
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault()
          setDragging(false)
          upload([...e.dataTransfer.files])
        }}
        className={`flex w-full flex-col items-center gap-1 rounded-xl border border-dashed px-3 py-4 text-center text-sm transition ${
          dragging
            ? 'border-indigo-400 bg-indigo-50 text-indigo-700 dark:border-indigo-500 dark:bg-indigo-950/40 dark:text-indigo-300'
            : 'border-neutral-300 text-neutral-600 hover:border-neutral-400 hover:bg-neutral-100 dark:border-neutral-700 dark:text-neutral-400 dark:hover:border-neutral-600 dark:hover:bg-neutral-900'
        }`}
      >
        <span className="font-medium">+ Add material</span>
        <span className="text-xs text-neutral-400 dark:text-neutral-500">PDF, DOCX, TXT, CSV, XLSX</span>
      </button>
      <input
        ref={inputRef}
        type="file"
        multiple
        accept={ACCEPT}
        className="hidden"
        onChange={(e) => {
          upload([...e.target.files])
          e.target.value = ''
        }}
        data-testid="material-upload"
      />
      <ul className="mt-2 min-h-0 space-y-0.5 overflow-y-auto">
        {uploads.map((u) => (
          <UploadRow key={u.key} upload={u} />
        ))}
        {materials.map((m) => {
          const kind = fileKind(m.filename, m.ext)
          const pending = m.status && !['ready', 'done', 'completed', 'processed'].includes(m.status)
          return (
            <li
              key={m.id}
              className="group flex items-center gap-2 rounded-lg px-2 py-1.5 hover:bg-neutral-100 dark:hover:bg-neutral-900"
              data-testid="material-item"
              data-status={m.status}
            >
              <span aria-hidden="true">{kind.icon}</span>
              <div className="min-w-0 flex-1">
                <div className="truncate text-sm text-neutral-800 dark:text-neutral-200" title={m.filename}>
                  {m.filename}
                </div>
                <div className="text-[11px] text-neutral-400 dark:text-neutral-500">
                  {m.type === 'data' ? 'Data' : 'Document'} · {humanSize(m.size)}
                  {pending && (
                    <span className={m.status === 'failed' ? ' text-red-500' : ' text-amber-600 dark:text-amber-400'}>
                      {' '}
                      · {m.status}
                    </span>
                  )}
                </div>
              </div>
              <button
                type="button"
                onClick={() => onDelete(m)}
                className="rounded p-1 text-xs text-neutral-400 opacity-0 group-hover:opacity-100 hover:bg-neutral-200 hover:text-red-600 focus:opacity-100 dark:hover:bg-neutral-800 dark:hover:text-red-400"
                aria-label={`Delete ${m.filename}`}
                data-testid="material-delete"
              >
                ✕
              </button>
            </li>
          )
        })}
        {materials.length === 0 && uploads.length === 0 && (
          <li className="px-2 py-3 text-xs text-neutral-400 dark:text-neutral-500">No materials yet.</li>
        )}
      </ul>
    </section>
  )
}
