import { Link } from 'react-router'
import { useAuth } from '../auth.jsx'
import { useTheme } from '../lib/theme.js'

export function ThemeToggle() {
  const [dark, toggle] = useTheme()
  return (
    <button
      type="button"
      onClick={toggle}
      className="rounded-lg p-2 text-neutral-600 hover:bg-neutral-100 hover:text-neutral-900 dark:text-neutral-400 dark:hover:bg-neutral-800 dark:hover:text-neutral-100"
      aria-label={dark ? 'Switch to light mode' : 'Switch to dark mode'}
      title={dark ? 'Light mode' : 'Dark mode'}
      data-testid="theme-toggle"
    >
      {dark ? '☀️' : '🌙'}
    </button>
  )
}

/** `compact`: on a phone only the mark, leaving the width to a page title. */
export function Logo({ compact = false }) {
  return (
    <Link
      to="/"
      className="flex items-center gap-2 font-semibold tracking-tight text-neutral-900 dark:text-neutral-100"
    >
      <span className="flex h-7 w-7 items-center justify-center rounded-lg bg-indigo-600 text-sm text-white dark:bg-indigo-500">
        K
      </span>
      <span className={compact ? 'hidden sm:inline' : ''}>KeplerLab</span>
    </Link>
  )
}

/** Top bar: logo, an optional title in the middle, theme toggle and account. */
export default function Header({ children }) {
  const { user, logout } = useAuth() ?? {}
  return (
    <header className="flex h-14 shrink-0 items-center gap-2 border-b sm:gap-4 border-neutral-200 bg-white px-4 dark:border-neutral-800 dark:bg-neutral-950">
      <Logo compact={!!children} />
      <div className="flex min-w-0 flex-1 items-center gap-2">{children}</div>
      <ThemeToggle />
      {user && (
        <div className="flex items-center gap-3">
          <span className="hidden text-sm text-neutral-600 sm:inline dark:text-neutral-400" data-testid="user-name">
            {user.name || user.email}
          </span>
          <button
            type="button"
            onClick={logout}
            className="rounded-lg px-3 py-1.5 text-sm text-neutral-600 hover:bg-neutral-100 hover:text-neutral-900 dark:text-neutral-400 dark:hover:bg-neutral-800 dark:hover:text-neutral-100"
            data-testid="logout"
          >
            Log out
          </button>
        </div>
      )}
    </header>
  )
}
