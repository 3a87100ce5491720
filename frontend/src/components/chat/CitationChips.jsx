import { useState } from 'react'
import Modal from '../Modal.jsx'

/** `[1] notes.pdf · page 3` chips; a click opens the cited passage. */
export default function CitationChips({ citations }) {
  const [open, setOpen] = useState(null)
  if (!citations?.length) return null
  return (
    <div className="mt-3 flex flex-wrap gap-1.5">
      {citations.map((c) => (
        <button
          key={`${c.index}-${c.material_id}`}
          type="button"
          onClick={() => setOpen(c)}
          className="inline-flex max-w-full items-center gap-1 rounded-full border border-neutral-200 bg-neutral-50 px-2.5 py-0.5 text-xs text-neutral-700 hover:border-indigo-300 hover:bg-indigo-50 dark:border-neutral-700 dark:bg-neutral-800 dark:text-neutral-300 dark:hover:border-indigo-500/60 dark:hover:bg-indigo-950/40"
          data-testid="citation-chip"
        >
          <span className="font-semibold text-indigo-600 dark:text-indigo-400">[{c.index}]</span>
          <span className="truncate">
            {c.material_name}
            {c.location ? ` · ${c.location}` : ''}
          </span>
        </button>
      ))}
      <Modal
        open={Boolean(open)}
        title={open ? `[${open.index}] ${open.material_name}${open.location ? ` · ${open.location}` : ''}` : ''}
        onClose={() => setOpen(null)}
      >
        <blockquote
          className="border-l-4 border-indigo-300 pl-4 text-sm leading-6 whitespace-pre-wrap text-neutral-700 dark:border-indigo-500/60 dark:text-neutral-300"
          data-testid="citation-passage"
        >
          {open?.snippet}
        </blockquote>
      </Modal>
    </div>
  )
}
