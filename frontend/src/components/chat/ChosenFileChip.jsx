import { fileKind } from '../../lib/files.js'

/** The material chosen with "Use this file": sent with every turn until cleared. */
export default function ChosenFileChip({ material, onClear }) {
  return (
    <div className="mx-auto mb-2 flex max-w-3xl" data-testid="chosen-file" data-material-id={material.id}>
      <span className="inline-flex max-w-full items-center gap-1.5 rounded-full border border-indigo-200 bg-indigo-50 py-1 pr-1 pl-2.5 text-xs text-indigo-800 dark:border-indigo-800 dark:bg-indigo-950/50 dark:text-indigo-200">
        <span aria-hidden="true">{fileKind(material.filename, material.ext).icon}</span>
        <span className="text-indigo-500 dark:text-indigo-400">Using</span>
        <span className="truncate font-medium" title={material.filename}>
          {material.filename}
        </span>
        <button
          type="button"
          onClick={onClear}
          className="rounded-full px-1.5 text-indigo-500 hover:bg-indigo-100 hover:text-indigo-900 dark:text-indigo-300 dark:hover:bg-indigo-900 dark:hover:text-white"
          aria-label={`Stop using ${material.filename}`}
          data-testid="chosen-file-clear"
        >
          ✕
        </button>
      </span>
    </div>
  )
}
