import AgentActionBlock from './chat/AgentActionBlock.jsx'
import CitationChips from './chat/CitationChips.jsx'
import GeneratedFileCard from './chat/GeneratedFileCard.jsx'
import InlineImage from './chat/InlineImage.jsx'
import Markdown from './chat/Markdown.jsx'
import { isImage, normalizeFile } from '../lib/files.js'
import { versionOf } from '../lib/fileVersions.js'

/**
 * One chat message. Assistant messages: the agent's action drawer above the
 * answer (step code and stdout live only there), the answer as markdown,
 * citation chips, the turn's images inline (unless a later turn replaced
 * them) and a card per generated file below. `versions`: this message's
 * entry of fileVersions() (filename → {version, latest}).
 */
export default function ChatMessage({ message, isStreaming = false, sessionId, userId, versions }) {
  if (message.role === 'user') {
    return (
      <div className="flex justify-end" data-testid="message-user">
        <div className="max-w-[85%] rounded-2xl rounded-br-md bg-neutral-100 px-4 py-2.5 text-[15px] leading-7 whitespace-pre-wrap text-neutral-900 dark:bg-neutral-800 dark:text-neutral-100">
          {message.content}
        </div>
      </div>
    )
  }

  const meta = message.agent_metadata ?? {}
  const steps = message.step_log ?? []
  const files = (message.generated_files ?? []).map(normalizeFile).map((f) => ({
    ...f,
    ...versionOf(versions, f.filename),
  }))
  const images = files.filter((f) => isImage(f.filename, f.type) && !f.replaced)
  const error = message.error ?? meta.failure ?? null

  return (
    <div className="flex gap-3" data-testid="message-assistant" data-streaming={isStreaming || undefined}>
      <div
        className="mt-1 flex h-7 w-7 shrink-0 items-center justify-center rounded-full bg-indigo-600 text-xs font-bold text-white dark:bg-indigo-500"
        aria-hidden="true"
      >
        K
      </div>
      <div className="min-w-0 flex-1">
        {steps.length > 0 && (
          <AgentActionBlock
            stepLog={steps}
            toolsUsed={meta.tools_used}
            totalTime={meta.total_time}
            isStreaming={isStreaming}
            progress={message.progress}
          />
        )}
        {message.content ? (
          <Markdown>{message.content}</Markdown>
        ) : isStreaming || error ? null : (
          <div className="text-sm text-neutral-400 italic dark:text-neutral-500" data-testid="message-body">
            (no answer text)
          </div>
        )}
        {error && (
          <div
            className="mt-2 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700 dark:border-red-900/60 dark:bg-red-950/30 dark:text-red-300"
            data-testid="message-error"
          >
            {error}
          </div>
        )}
        <CitationChips citations={meta.citations} />
        {images.map((f) => (
          <InlineImage key={`${f.filename}@${f.version}`} file={f} sessionId={sessionId} userId={userId} />
        ))}
        {files.length > 0 && (
          <div className="mt-3 grid gap-2" data-testid="file-cards">
            {files.map((f) => (
              <GeneratedFileCard
                key={f.file_id ?? f.filename}
                filename={f.filename}
                downloadUrl={f.download_url}
                size={f.size}
                fileType={f.type}
                sessionId={sessionId}
                userId={userId}
                version={f.version}
                latest={f.latest}
              />
            ))}
          </div>
        )}
      </div>
    </div>
  )
}
