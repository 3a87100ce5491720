// The one place that knows how to talk to the backend: same-origin `/api`,
// cookie auth, JSON by default, errors carrying the server's `detail`.

export const API_PREFIX = '/api'

export class ApiError extends Error {
  constructor(message, status, detail) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.detail = detail
  }
}

export function apiUrl(path) {
  return `${API_PREFIX}${path.startsWith('/') ? path : `/${path}`}`
}

function detailMessage(detail, fallback) {
  if (!detail) return fallback
  if (typeof detail === 'string') return detail
  // FastAPI validation errors: [{loc, msg, type}]
  if (Array.isArray(detail)) {
    return detail.map((d) => d?.msg ?? JSON.stringify(d)).join('; ') || fallback
  }
  return detail.message ?? JSON.stringify(detail)
}

export async function errorFromResponse(res) {
  let detail = null
  try {
    const text = await res.text()
    try {
      detail = JSON.parse(text)?.detail ?? text
    } catch {
      detail = text
    }
  } catch {
    /* body unreadable */
  }
  return new ApiError(detailMessage(detail, `Request failed (${res.status})`), res.status, detail)
}

/**
 * fetch() against the API. `opts.json` is sent as a JSON body; a FormData or
 * Blob `opts.body` is sent as is. Resolves to parsed JSON, text, or null (204),
 * or to the raw Response with `opts.raw`.
 */
export async function apiFetch(path, opts = {}) {
  const { json, raw, headers, ...rest } = opts
  const init = {
    credentials: 'include',
    ...rest,
    headers: { Accept: 'application/json', ...headers },
  }
  if (json !== undefined) {
    init.body = JSON.stringify(json)
    init.headers['Content-Type'] = 'application/json'
    init.method = init.method ?? 'POST'
  }
  const res = await fetch(apiUrl(path), init)
  if (!res.ok) throw await errorFromResponse(res)
  if (raw) return res
  if (res.status === 204) return null
  const type = res.headers.get('content-type') ?? ''
  return type.includes('application/json') ? res.json() : res.text()
}

/** Bytes of a same-origin URL the server handed out (e.g. an execute mount). */
export async function fetchBytes(url, { signal } = {}) {
  const res = await fetch(url, { credentials: 'include', signal })
  if (!res.ok) throw await errorFromResponse(res)
  return new Uint8Array(await res.arrayBuffer())
}
