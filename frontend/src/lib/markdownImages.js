// Images in rendered answers load only from the app's own origin (or data:/blob:
// URLs the page made). An answer can quote a document, so an external image URL
// would be a channel to send what it quotes to another server; the CSP's
// img-src 'self' data: blob: says the same, this keeps the page from even trying.

export function isOwnOriginImage(src, origin = globalThis.location?.origin) {
  if (typeof src !== 'string') return false
  const value = src.trim()
  if (!value) return false
  if (/^data:image\//i.test(value)) return true
  if (/^blob:/i.test(value)) {
    return origin ? value.slice(5).startsWith(`${origin}/`) : false
  }
  if (!origin) return false
  try {
    return new URL(value, origin).origin === origin
  } catch {
    return false
  }
}

/** The URL to offer as a plain link for a blocked image (http/https only), else null. */
export function blockedImageHref(src) {
  try {
    const url = new URL(String(src ?? '').trim())
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
  } catch {
    return null
  }
}
