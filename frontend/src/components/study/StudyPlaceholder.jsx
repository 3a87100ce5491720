/** Shared empty state until a study tool is built. */
export default function StudyPlaceholder({ icon, title, materials = [] }) {
  return (
    <div className="flex h-full items-center justify-center p-8" data-testid={`study-${title.toLowerCase()}`}>
      <div className="max-w-sm text-center">
        <div className="text-4xl" aria-hidden="true">
          {icon}
        </div>
        <h2 className="mt-3 text-lg font-semibold text-neutral-900 dark:text-neutral-100">{title}</h2>
        <p className="mt-1 text-sm text-neutral-500 dark:text-neutral-400">
          {materials.length
            ? `Will be generated from ${materials.length} material${materials.length === 1 ? '' : 's'} in this notebook.`
            : 'Upload material to this notebook first.'}
        </p>
        <p className="mt-4 inline-block rounded-full bg-neutral-100 px-3 py-1 text-xs text-neutral-500 dark:bg-neutral-800 dark:text-neutral-400">
          Coming soon
        </p>
      </div>
    </div>
  )
}
