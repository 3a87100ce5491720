import { useCallback, useEffect, useRef, useState } from 'react'
import { listMessages } from '../api/sessions.js'
import { stepProgress } from '../hooks/agentStreamReducer.js'
import { fileVersions } from '../lib/fileVersions.js'
import { rememberedRun, useAgentStream } from '../hooks/useAgentStream.js'
import ChatMessage from './ChatMessage.jsx'
import AgentThinkingBar from './chat/AgentThinkingBar.jsx'
import ChosenFileChip from './chat/ChosenFileChip.jsx'
import { chosenFileRequest } from '../lib/chosenFile.js'

const SUGGESTIONS = [
  'Summarise my materials',
  'Analyse this dataset and chart the key columns',
  'Create an Excel file with summary statistics',
]

/** The last assistant message's run id, if the server recorded one. */
function lastRunId(messages) {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'assistant') return messages[i].agent_metadata?.run_id ?? null
  }
  return null
}

/**
 * Chat of one session: history, the live turn (thinking bar + streaming
 * message), and the input. Streaming and execution live in useAgentStream.
 */
export default function ChatPanel({
  sessionId,
  user,
  runtime,
  materialIds,
  chosenMaterial,
  onClearChosen,
  onTurnFinished,
}) {
  const [messages, setMessages] = useState([])
  const [loading, setLoading] = useState(true)
  const [loadError, setLoadError] = useState(null)
  const [input, setInput] = useState('')
  const scrollRef = useRef(null)
  const resumedRef = useRef(null)

  // Show the finished turn at once, then swap in the server's stored copy
  // (the canonical step log, files and failure note).
  const onFinished = useCallback(
    (msg) => {
      setMessages((m) => [...m, msg])
      onTurnFinished?.()
      if (String(msg.id).startsWith('local-')) return
      listMessages(sessionId)
        .then((stored) => stored?.some((x) => x.id === msg.id) && setMessages(stored))
        .catch(() => {})
    },
    [sessionId, onTurnFinished],
  )
  const { state, send, resume, stop, busy } = useAgentStream({ sessionId, runtime, onFinished })

  // Load the session's history, then pick up a run left waiting for the browser.
  useEffect(() => {
    let cancelled = false
    setLoading(true)
    setLoadError(null)
    setMessages([])
    listMessages(sessionId)
      .then((msgs) => {
        if (cancelled) return
        setMessages(msgs ?? [])
        if (resumedRef.current === sessionId) return
        resumedRef.current = sessionId
        const runId = rememberedRun(sessionId) ?? lastRunId(msgs ?? [])
        if (runId) resume(runId)
      })
      .catch((err) => !cancelled && setLoadError(err.message))
      .finally(() => !cancelled && setLoading(false))
    return () => {
      cancelled = true
    }
  }, [sessionId, resume])

  // Keep the newest content in view.
  useEffect(() => {
    const el = scrollRef.current
    if (el) el.scrollTop = el.scrollHeight
  }, [messages, state.answer, state.stepLog, state.thinkingLabel])

  const submit = (text) => {
    const message = text.trim()
    if (!message || busy) return
    setMessages((m) => [
      ...m,
      { id: `local-user-${Date.now()}`, role: 'user', content: message, created_at: new Date().toISOString() },
    ])
    setInput('')
    send(message, chosenFileRequest(chosenMaterial, materialIds))
  }

  const live = busy
    ? {
        id: 'streaming',
        role: 'assistant',
        content: state.answer,
        agent_metadata: state.meta ?? {},
        step_log: state.stepLog,
        generated_files: state.pendingFiles,
        progress: stepProgress(state),
      }
    : null
  // A file written again by a later turn (or the live one) is a new version.
  const versions = fileVersions(live ? [...messages, live] : messages)

  return (
    <div className="flex h-full min-h-0 flex-col" data-testid="chat-panel">
      <div ref={scrollRef} className="min-h-0 flex-1 overflow-y-auto px-4 py-6">
        <div className="mx-auto flex max-w-3xl flex-col gap-6">
          {loading && <div className="text-sm text-neutral-500 dark:text-neutral-400">Loading conversation…</div>}
          {loadError && (
            <div className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700 dark:border-red-900/60 dark:bg-red-950/30 dark:text-red-300">
              {loadError}
            </div>
          )}
          {!loading && messages.length === 0 && !busy && (
            <div className="py-16 text-center" data-testid="chat-empty">
              <div className="text-2xl font-semibold text-neutral-800 dark:text-neutral-100">
                What would you like to learn?
              </div>
              <p className="mt-2 text-sm text-neutral-500 dark:text-neutral-400">
                Ask about your materials, or ask for an analysis, a chart or a file.
              </p>
              <div className="mt-6 flex flex-wrap justify-center gap-2">
                {SUGGESTIONS.map((s) => (
                  <button
                    key={s}
                    type="button"
                    onClick={() => submit(s)}
                    className="rounded-full border border-neutral-200 px-3 py-1.5 text-sm text-neutral-700 hover:bg-neutral-100 dark:border-neutral-700 dark:text-neutral-300 dark:hover:bg-neutral-800"
                  >
                    {s}
                  </button>
                ))}
              </div>
            </div>
          )}
          {messages.map((m) => (
            <ChatMessage key={m.id} message={m} sessionId={sessionId} userId={user?.id} versions={versions.get(m.id)} />
          ))}
          {live && (live.step_log.length > 0 || live.content) && (
            <ChatMessage
              message={live}
              isStreaming
              sessionId={sessionId}
              userId={user?.id}
              versions={versions.get(live.id)}
            />
          )}
        </div>
      </div>

      <div className="border-t border-neutral-200 bg-white/80 px-4 pt-3 pb-4 backdrop-blur dark:border-neutral-800 dark:bg-neutral-950/80">
        <AgentThinkingBar
          isActive={state.isThinking}
          currentStep={state.thinkingLabel}
          progress={stepProgress(state)}
          startedAt={state.phaseStartedAt}
        />
        {chosenMaterial && <ChosenFileChip material={chosenMaterial} onClear={onClearChosen} />}
        <form
          className="mx-auto flex max-w-3xl items-end gap-2 rounded-2xl border border-neutral-300 bg-white p-2 shadow-sm focus-within:border-indigo-400 dark:border-neutral-700 dark:bg-neutral-900 dark:focus-within:border-indigo-500"
          onSubmit={(e) => {
            e.preventDefault()
            submit(input)
          }}
        >
          <textarea
            value={input}
            onChange={(e) => setInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault()
                submit(input)
              }
            }}
            rows={1}
            placeholder="Ask about your notebook…"
            className="max-h-48 min-h-[40px] flex-1 resize-none bg-transparent px-2 py-2 text-[15px] text-neutral-900 outline-none placeholder:text-neutral-400 dark:text-neutral-100 dark:placeholder:text-neutral-500"
            data-testid="chat-input"
          />
          {busy ? (
            <button
              type="button"
              onClick={stop}
              disabled={state.stopState === 'stopping'}
              aria-label="Stop the running turn"
              className="rounded-xl border border-neutral-300 bg-white px-4 py-2 text-sm font-medium text-neutral-800 hover:bg-neutral-100 disabled:cursor-wait disabled:opacity-70 dark:border-neutral-600 dark:bg-neutral-800 dark:text-neutral-100 dark:hover:bg-neutral-700"
              data-testid="chat-stop"
            >
              {state.stopState === 'stopping' ? 'Stopping…' : '■ Stop'}
            </button>
          ) : (
            <button
              type="submit"
              disabled={busy || !input.trim()}
              className="rounded-xl bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:bg-neutral-300 dark:bg-indigo-500 dark:hover:bg-indigo-400 dark:disabled:bg-neutral-700 dark:disabled:text-neutral-400"
              data-testid="chat-send"
            >
              Send
            </button>
          )}
        </form>
      </div>
    </div>
  )
}
