/**
 * Checkboxes for choosing which of the notebook's materials a study tool uses.
 * Props: {materials, selected: Set<string>, onChange(Set<string>), testId}.
 */
export default function MaterialPicker({ materials, selected, onChange, testId = 'material-picker' }) {
  const toggle = (id) => {
    const next = new Set(selected)
    if (next.has(id)) next.delete(id)
    else next.add(id)
    onChange(next)
  }
  if (!materials.length) {
    return <p className="text-sm text-neutral-500 dark:text-neutral-400">Upload material to this notebook first.</p>
  }
  return (
    <fieldset className="flex flex-wrap gap-2" data-testid={testId}>
      <legend className="sr-only">Materials</legend>
      {materials.map((m) => (
        <label
          key={m.id}
          className={`flex cursor-pointer items-center gap-2 rounded-full border px-3 py-1 text-xs transition ${
            selected.has(m.id)
              ? 'border-indigo-400 bg-indigo-50 text-indigo-800 dark:border-indigo-500 dark:bg-indigo-950/50 dark:text-indigo-200'
              : 'border-neutral-300 text-neutral-600 dark:border-neutral-700 dark:text-neutral-400'
          }`}
        >
          <input
            type="checkbox"
            className="accent-indigo-600"
            checked={selected.has(m.id)}
            onChange={() => toggle(m.id)}
          />
          {m.filename}
        </label>
      ))}
    </fieldset>
  )
}

/** The materials a study tool starts with: every document (or every material if none is a document). */
export function defaultSelection(materials) {
  const docs = materials.filter((m) => m.type === 'document')
  return new Set((docs.length ? docs : materials).map((m) => m.id))
}
