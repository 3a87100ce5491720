import { useCallback, useEffect, useState } from 'react'

const KEY = 'kepler-theme'

function initialDark() {
  try {
    const saved = localStorage.getItem(KEY)
    if (saved) return saved === 'dark'
  } catch {
    /* storage unavailable */
  }
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches
}

/** `[isDark, toggle]`; sets the `dark` class on <html> and remembers the choice. */
export function useTheme() {
  const [dark, setDark] = useState(initialDark)
  useEffect(() => {
    document.documentElement.classList.toggle('dark', dark)
  }, [dark])
  const toggle = useCallback(() => {
    setDark((d) => {
      try {
        localStorage.setItem(KEY, d ? 'light' : 'dark')
      } catch {
        /* storage unavailable */
      }
      return !d
    })
  }, [])
  return [dark, toggle]
}
