import { useEffect, useMemo, useRef, useState } from 'react'
import { deleteMaterial, uploadMaterial } from '../../api/materials.js'
import { fileKind, humanSize } from '../../lib/files.js'
import { createLimiter } from '../../lib/uploadQueue.js'

const ACCEPT = '.pdf,.docx,.txt,.md,.csv,.xlsx,.xls'
const UPLOAD_CONCURRENCY = 2 // parallel XHRs: enough to overlap upload and extraction

function UploadRow({ upload, onDismiss }) {
  const pct = Math.round(upload.progress * 100)
  const label = upload.error ? 'failed' : upload.state === 'queued' ? 'waiting' : `${pct}%`
  return (
    <li
      className="px-2 py-1.5"
      data-testid="material-uploading"
      data-state={upload.error ? 'failed' : upload.state}
      data-name={upload.name}
    >
      <div className="flex items-center gap-2 text-xs text-neutral-600 dark:text-neutral-400">
        <span className="min-w-0 flex-1 truncate" title={upload.name}>
          {upload.name}
        </span>
        <span className={upload.error ? 'text-red-600 dark:text-red-400' : ''}>{label}</span>
        {upload.error && (
          <button
            type="button"
            onClick={onDismiss}
            className="rounded px-1 text-neutral-400 hover:bg-neutral-200 hover:text-neutral-700 dark:hover:bg-neutral-800 dark:hover:text-neutral-200"
            aria-label={`Dismiss the error for ${upload.name}`}
            data-testid="material-upload-dismiss"
          >
            ✕
          </button>
        )}
      </div>
      {upload.error ? (
        <div className="mt-1 text-xs break-words text-red-600 dark:text-red-400" data-testid="material-upload-error">
          {upload.error}
        </div>
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

function MaterialRow({ material: m, chosen, onOpen, onDelete }) {
  const kind = fileKind(m.filename, m.ext)
  const pending = m.status && !['ready', 'done', 'completed', 'processed'].includes(m.status)
  return (
    <li
      className={`group flex items-center gap-1 rounded-lg pr-1 ${
        chosen ? 'bg-indigo-50 dark:bg-indigo-950/40' : 'hover:bg-neutral-100 dark:hover:bg-neutral-900'
      }`}
      data-testid="material-item"
      data-material-id={m.id}
      data-status={m.status}
      data-chosen={chosen || undefined}
    >
      <button
        type="button"
        onClick={() => onOpen(m)}
        className="flex min-w-0 flex-1 items-center gap-2 rounded-lg px-2 py-1.5 text-left focus-visible:outline-2 focus-visible:outline-indigo-500"
        title={`Preview ${m.filename}`}
        data-testid="material-open"
      >
        <span aria-hidden="true">{kind.icon}</span>
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm text-neutral-800 dark:text-neutral-200">{m.filename}</div>
          <div className="text-[11px] text-neutral-400 dark:text-neutral-500">
            {m.type === 'data' ? 'Data' : 'Document'} · {humanSize(m.size)}
            {chosen && <span className="text-indigo-600 dark:text-indigo-300"> · in use</span>}
            {pending && (
              <span className={m.status === 'failed' ? ' text-red-500' : ' text-amber-600 dark:text-amber-400'}>
                {' '}
                · {m.status}
              </span>
            )}
          </div>
        </div>
      </button>
      <button
        type="button"
        onClick={() => onDelete(m)}
        className="rounded p-1 text-xs text-neutral-400 opacity-0 group-hover:opacity-100 hover:bg-neutral-200 hover:text-red-600 focus:opacity-100 dark:hover:bg-neutral-800 dark:hover:text-red-400 [@media(hover:none)]:opacity-100"
        aria-label={`Delete ${m.filename}`}
        data-testid="material-delete"
      >
        ✕
      </button>
    </li>
  )
}

/**
 * The notebook's materials: upload several files (picker or drop anywhere on
 * the panel; each with its own progress and error, two at a time), list,
 * preview on click, delete.
 */
export default function MaterialsPanel({ notebookId, materials, chosenId, onAdded, onDeleted, onOpen }) {
  const inputRef = useRef(null)
  const dragDepth = useRef(0) // dragenter/leave fire for every child: count them
  const [uploads, setUploads] = useState([]) // {key, name, state: queued|uploading, progress, error}
  const [dragging, setDragging] = useState(false)
  const limit = useMemo(() => createLimiter(UPLOAD_CONCURRENCY), [])

  // A file dropped beside the panel would make the browser open it in place of the app.
  useEffect(() => {
    const guard = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files') && e.preventDefault()
    window.addEventListener('dragover', guard)
    window.addEventListener('drop', guard)
    return () => {
      window.removeEventListener('dragover', guard)
      window.removeEventListener('drop', guard)
    }
  }, [])

  const patch = (key, fields) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...fields } : u)))
  const drop = (key) => setUploads((list) => list.filter((u) => u.key !== key))

  const upload = (files) => {
    for (const file of files) {
      const key = `${file.name}-${Date.now()}-${Math.random()}`
      setUploads((list) => [...list, { key, name: file.name, state: 'queued', progress: 0, error: null }])
      limit(() => {
        patch(key, { state: 'uploading' })
        return uploadMaterial(notebookId, file, (p) => patch(key, { progress: p })).promise
      })
        .then((material) => {
          drop(key)
          onAdded?.(material)
        })
        .catch((err) => patch(key, { error: err.message })) // stays until dismissed
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

  const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files')
  const dropHandlers = {
    onDragEnter: (e) => {
      if (!hasFiles(e)) return
      e.preventDefault()
      dragDepth.current += 1
      setDragging(true)
    },
    onDragOver: (e) => {
      if (!hasFiles(e)) return
      e.preventDefault()
      e.dataTransfer.dropEffect = 'copy'
    },
    onDragLeave: () => {
      dragDepth.current = Math.max(0, dragDepth.current - 1)
      if (dragDepth.current === 0) setDragging(false)
    },
    onDrop: (e) => {
      e.preventDefault()
      dragDepth.current = 0
      setDragging(false)
      const files = [...(e.dataTransfer?.files ?? [])]
      if (files.length) upload(files)
    },
  }

  return (
    <section
      className={`relative -m-1 flex min-h-0 flex-col rounded-xl p-1 transition ${
        dragging ? 'bg-indigo-50 ring-2 ring-indigo-400 dark:bg-indigo-950/40 dark:ring-indigo-500' : ''
      }`}
      data-testid="materials-panel"
      data-dragging={dragging || undefined}
      {...dropHandlers}
    >
      <div className="mb-2 flex items-center justify-between px-1">
        <h2 className="text-xs font-semibold tracking-wide text-neutral-500 uppercase dark:text-neutral-400">
          Materials
        </h2>
        <span className="text-xs text-neutral-400 dark:text-neutral-500">{materials.length}</span>
      </div>
      <button
        type="button"
        onClick={() => inputRef.current?.click()}
        className={`flex w-full flex-col items-center gap-1 rounded-xl border border-dashed px-3 py-4 text-center text-sm transition ${
          dragging
            ? 'border-indigo-400 text-indigo-700 dark:border-indigo-500 dark:text-indigo-300'
            : 'border-neutral-300 text-neutral-600 hover:border-neutral-400 hover:bg-neutral-100 dark:border-neutral-700 dark:text-neutral-400 dark:hover:border-neutral-600 dark:hover:bg-neutral-900'
        }`}
        data-testid="material-drop-zone"
      >
        <span className="font-medium">{dragging ? 'Drop to upload' : '+ Add materials'}</span>
        <span className="text-xs text-neutral-400 dark:text-neutral-500">
          {dragging ? 'Each file uploads on its own' : 'Drop files here · PDF, DOCX, TXT, CSV, XLSX'}
        </span>
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
          <UploadRow key={u.key} upload={u} onDismiss={() => drop(u.key)} />
        ))}
        {materials.map((m) => (
          <MaterialRow key={m.id} material={m} chosen={m.id === chosenId} onOpen={onOpen} onDelete={onDelete} />
        ))}
        {materials.length === 0 && uploads.length === 0 && (
          <li className="px-2 py-3 text-xs text-neutral-400 dark:text-neutral-500">No materials yet.</li>
        )}
      </ul>
    </section>
  )
}
