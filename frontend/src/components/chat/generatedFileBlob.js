import { useEffect, useState } from 'react'
import { fetchGeneratedFileBlob, parseDownloadUrl } from '../../api/agent.js'

/** Where a file lives: its download URL says; the props fill in what it lacks. */
export function locate({ filename, downloadUrl, sessionId, userId }) {
  const parsed = parseDownloadUrl(downloadUrl)
  return {
    userId: parsed?.userId ?? userId,
    sessionId: parsed?.sessionId ?? sessionId,
    filename: parsed?.filename ?? filename,
  }
}

export function fetchFileBlob(file) {
  const where = locate(file)
  return fetchGeneratedFileBlob(where.userId, where.sessionId, where.filename)
}

/**
 * An object URL of the file's bytes while `enabled` (signed token, then the
 * bytes); revoked when the component goes. `{url, error}`.
 */
export function useFileObjectUrl({ filename, downloadUrl, sessionId, userId }, enabled = true) {
  const [state, setState] = useState({ url: null, error: null })
  useEffect(() => {
    if (!enabled) return undefined
    let cancelled = false
    let url = null
    fetchFileBlob({ filename, downloadUrl, sessionId, userId })
      .then((blob) => {
        if (cancelled) return
        url = URL.createObjectURL(blob)
        setState({ url, error: null })
      })
      .catch((err) => !cancelled && setState({ url: null, error: err.message }))
    return () => {
      cancelled = true
      if (url) URL.revokeObjectURL(url)
    }
  }, [enabled, filename, downloadUrl, sessionId, userId])
  return state
}
