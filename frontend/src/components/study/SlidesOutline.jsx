import { cardClass } from '../ui.js'

/** The deck in the page: each slide's title, bullets and (folded) speaker notes. Props: {deck}. */
export default function SlidesOutline({ deck }) {
  return (
    <ol className="flex flex-col gap-3" data-testid="slides-outline" aria-label={`Outline of ${deck.title}`}>
      {deck.slides.map((slide, i) => (
        <li key={i} className={`${cardClass} overflow-hidden`} data-testid="slides-slide">
          <div className="flex items-baseline gap-3 bg-slate-800 px-4 py-2 text-white dark:bg-slate-700">
            <span className="text-xs text-teal-300">{i + 1}</span>
            <h3 className="font-semibold" data-testid="slides-slide-title">
              {slide.title}
            </h3>
          </div>
          {slide.bullets.length > 0 && (
            <ul className="list-disc space-y-1 px-8 py-3 text-sm text-neutral-800 dark:text-neutral-200">
              {slide.bullets.map((b, j) => (
                <li key={j}>{b}</li>
              ))}
            </ul>
          )}
          {slide.notes && (
            <details className="border-t border-neutral-100 px-4 py-2 text-xs text-neutral-500 dark:border-neutral-800 dark:text-neutral-400">
              <summary className="cursor-pointer select-none">Speaker notes</summary>
              <p className="mt-1 leading-relaxed">{slide.notes}</p>
            </details>
          )}
        </li>
      ))}
    </ol>
  )
}
