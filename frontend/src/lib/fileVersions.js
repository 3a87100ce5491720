// Versions of generated files across a chat. The server keeps one copy per
// (session, filename): a later turn that writes the same name replaces the
// bytes (routes/agent.py upload_generated_file). So an older card's link
// serves the newer bytes; the card must say it was replaced, not show them.

/**
 * messages (oldest first) → Map(messageId → Map(filename → {version, latest})).
 * `version` counts the turns that wrote this name up to that message (1 = first).
 */
export function fileVersions(messages) {
  const seen = new Map() // filename -> times written so far
  const perMessage = new Map()
  for (const m of messages ?? []) {
    if (m.role === 'user') continue
    const names = [...new Set((m.generated_files ?? []).map((f) => f.filename ?? f.name).filter(Boolean))]
    const entry = new Map()
    for (const name of names) {
      const version = (seen.get(name) ?? 0) + 1
      seen.set(name, version)
      entry.set(name, { version })
    }
    perMessage.set(m.id, entry)
  }
  for (const entry of perMessage.values()) {
    for (const [name, v] of entry) v.latest = seen.get(name)
  }
  return perMessage
}

/** {version, latest, replaced} of one file of one message (defaults: the only version). */
export function versionOf(versions, filename) {
  const v = versions?.get(filename) ?? { version: 1, latest: 1 }
  return { ...v, replaced: v.version < v.latest }
}
