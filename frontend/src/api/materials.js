import { apiFetch, apiUrl, ApiError, errorFromResponse } from './config.js'

export const listMaterials = (notebookId) => apiFetch(`/notebooks/${encodeURIComponent(notebookId)}/materials`)

export const getMaterial = (id) => apiFetch(`/materials/${encodeURIComponent(id)}`)

export const deleteMaterial = (id) => apiFetch(`/materials/${encodeURIComponent(id)}`, { method: 'DELETE' })

export const getMaterialText = (id) => apiFetch(`/materials/${encodeURIComponent(id)}/text`)

/**
 * The first `bytes` of the extracted text (a Range request: a preview of a
 * large file does not download all of it). → `{text, truncated}`
 */
export async function getMaterialTextHead(id, bytes) {
  const res = await fetch(apiUrl(`/materials/${encodeURIComponent(id)}/text`), {
    credentials: 'include',
    headers: { Range: `bytes=0-${bytes - 1}` },
  })
  if (res.status === 416) return { text: '', truncated: false } // an empty text has no byte 0
  if (!res.ok) throw await errorFromResponse(res)
  const total = Number(/\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1] ?? NaN)
  const text = new TextDecoder('utf-8').decode(await res.arrayBuffer())
  return { text, truncated: res.status === 206 && total > bytes }
}

export const materialRawUrl = (id) => apiUrl(`/materials/${encodeURIComponent(id)}/raw`)

/**
 * Upload one file as multipart field `file`. fetch() has no upload progress,
 * so this uses XMLHttpRequest; `onProgress(fraction 0..1)` follows the bytes.
 * Returns {promise, abort}.
 */
export function uploadMaterial(notebookId, file, onProgress) {
  const xhr = new XMLHttpRequest()
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', apiUrl(`/notebooks/${encodeURIComponent(notebookId)}/materials`))
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total)
    }
    xhr.onload = () => {
      let body = null
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = xhr.responseText
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(1)
        resolve(body)
      } else {
        const detail = body?.detail ?? body
        const msg = typeof detail === 'string' && detail ? detail : `Upload failed (${xhr.status})`
        reject(new ApiError(msg, xhr.status, detail))
      }
    }
    xhr.onerror = () => reject(new ApiError('Network error during upload', 0, null))
    xhr.onabort = () => reject(new ApiError('Upload cancelled', 0, null))
    const form = new FormData()
    form.append('file', file)
    xhr.send(form)
  })
  return { promise, abort: () => xhr.abort() }
}
