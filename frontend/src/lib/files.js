// How a generated file or material looks: icon, accent colour, readable size.

const KINDS = {
  xlsx: {
    icon: '📊',
    label: 'Excel',
    accent: 'border-emerald-400 dark:border-emerald-500/70',
    badge: 'text-emerald-700 dark:text-emerald-300',
  },
  docx: {
    icon: '📝',
    label: 'Word',
    accent: 'border-blue-400 dark:border-blue-500/70',
    badge: 'text-blue-700 dark:text-blue-300',
  },
  csv: {
    icon: '🗃️',
    label: 'CSV',
    accent: 'border-neutral-400 dark:border-neutral-500',
    badge: 'text-neutral-600 dark:text-neutral-300',
  },
  pdf: {
    icon: '📕',
    label: 'PDF',
    accent: 'border-red-400 dark:border-red-500/70',
    badge: 'text-red-700 dark:text-red-300',
  },
  image: {
    icon: '🖼️',
    label: 'Image',
    accent: 'border-purple-400 dark:border-purple-500/70',
    badge: 'text-purple-700 dark:text-purple-300',
  },
  txt: {
    icon: '📄',
    label: 'Text',
    accent: 'border-neutral-300 dark:border-neutral-600',
    badge: 'text-neutral-600 dark:text-neutral-300',
  },
  other: {
    icon: '📎',
    label: 'File',
    accent: 'border-neutral-300 dark:border-neutral-600',
    badge: 'text-neutral-600 dark:text-neutral-300',
  },
}

const EXT_KIND = {
  xlsx: 'xlsx',
  xls: 'xlsx',
  xlsm: 'xlsx',
  docx: 'docx',
  doc: 'docx',
  csv: 'csv',
  tsv: 'csv',
  pdf: 'pdf',
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  gif: 'image',
  webp: 'image',
  svg: 'image',
  txt: 'txt',
  md: 'txt',
}

export function extensionOf(filename) {
  const m = /\.([a-z0-9]+)$/i.exec(filename ?? '')
  return m ? m[1].toLowerCase() : ''
}

/** `type` may be an extension ("xlsx") or a MIME type ("image/png"). */
export function fileKind(filename, type) {
  let key = EXT_KIND[extensionOf(filename)]
  if (!key && type) {
    const t = String(type).toLowerCase()
    if (t.startsWith('image/')) key = 'image'
    else
      key =
        EXT_KIND[t.split('/').pop()] ?? (t.includes('spreadsheet') ? 'xlsx' : t.includes('word') ? 'docx' : undefined)
  }
  return { kind: key ?? 'other', ...KINDS[key ?? 'other'] }
}

export const isImage = (filename, type) => fileKind(filename, type).kind === 'image'

export function humanSize(bytes) {
  const n = Number(bytes) || 0
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v >= 10 || Number.isInteger(v) ? Math.round(v) : v.toFixed(1)} ${units[i]}`
}

/** One shape for files from file_ready events, messages and GET /agent/files. */
export function normalizeFile(f) {
  return {
    filename: f.filename ?? f.name,
    download_url: f.download_url ?? f.url ?? '',
    size: f.size ?? 0,
    type: f.type ?? '',
    file_id: f.file_id ?? f.id ?? null,
  }
}
