import { cardClass, ghostButton } from '../ui.js'

const STATUS_LABEL = { pending: 'Queued', running: 'Generating', ready: 'Ready', failed: 'Failed' }
const HOST_STYLE = {
  A: 'text-indigo-700 dark:text-indigo-300',
  B: 'text-teal-700 dark:text-teal-300',
}

function formatDuration(seconds) {
  if (seconds == null) return ''
  const s = Math.round(seconds)
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

function ProgressBar({ value }) {
  const pct = Math.round((value ?? 0) * 100)
  return (
    <div
      className="h-2 w-full overflow-hidden rounded-full bg-neutral-200 dark:bg-neutral-800"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      data-testid="podcast-progress"
    >
      <div className="h-full rounded-full bg-indigo-500 transition-all" style={{ width: `${pct}%` }} />
    </div>
  )
}

function Transcript({ turns }) {
  return (
    <ol className="flex flex-col gap-2 text-sm" data-testid="podcast-transcript">
      {turns.map((t, i) => (
        <li key={i} className="leading-relaxed text-neutral-800 dark:text-neutral-200">
          <span className={`mr-2 font-semibold ${HOST_STYLE[t.speaker] ?? ''}`} data-testid="podcast-speaker">
            {t.name ?? `Host ${t.speaker}`}:
          </span>
          {t.text}
        </li>
      ))}
    </ol>
  )
}

/** One episode: status and progress while generating; player, download and transcript when ready. */
export default function PodcastEpisode({ podcast, open, onToggle, onDelete }) {
  const generating = podcast.status === 'pending' || podcast.status === 'running'
  return (
    <li className={`${cardClass} p-4`} data-testid="podcast-episode" data-status={podcast.status}>
      <div className="flex items-center gap-3">
        <button type="button" onClick={onToggle} className="min-w-0 flex-1 text-left" aria-expanded={open}>
          <div className="truncate font-medium text-neutral-900 dark:text-neutral-100">{podcast.title}</div>
          <div className="text-xs text-neutral-500 dark:text-neutral-400" data-testid="podcast-status">
            {STATUS_LABEL[podcast.status] ?? podcast.status}
            {generating && ` · ${Math.round((podcast.progress ?? 0) * 100)}%`}
            {podcast.status === 'ready' && podcast.duration_s != null && ` · ${formatDuration(podcast.duration_s)}`}
          </div>
        </button>
        {podcast.download_url && (
          <a className={ghostButton} href={podcast.download_url} download data-testid="podcast-download">
            Download
          </a>
        )}
        {!generating && (
          <button type="button" className={ghostButton} onClick={onDelete} aria-label={`Delete ${podcast.title}`}>
            Delete
          </button>
        )}
      </div>
      {generating && (
        <div className="mt-3">
          <ProgressBar value={podcast.progress} />
        </div>
      )}
      {podcast.status === 'failed' && (
        <p className="mt-2 text-sm text-red-700 dark:text-red-300" data-testid="podcast-error">
          {podcast.error}
        </p>
      )}
      {open && podcast.status === 'ready' && (
        <div className="mt-3 flex flex-col gap-3">
          {podcast.audio_url && (
            <audio controls preload="metadata" src={podcast.audio_url} className="w-full" data-testid="podcast-audio" />
          )}
          {podcast.script?.turns && <Transcript turns={podcast.script.turns} />}
        </div>
      )}
    </li>
  )
}
