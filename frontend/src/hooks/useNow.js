import { useEffect, useState } from 'react'

/** Date.now(), refreshed every `intervalMs` while `active` (a ticking clock for elapsed times). */
export function useNow(active, intervalMs = 1000) {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!active) return undefined
    setNow(Date.now())
    const id = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(id)
  }, [active, intervalMs])
  return now
}
