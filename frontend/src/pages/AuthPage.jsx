import { useState } from 'react'
import { Link, useLocation, useNavigate } from 'react-router'
import { useAuth } from '../auth.jsx'
import { Logo, ThemeToggle } from '../components/Header.jsx'
import { cardClass, inputClass, primaryButton } from '../components/ui.js'

/** Sign in or create an account. */
export default function AuthPage({ mode }) {
  const isRegister = mode === 'register'
  const { login, register } = useAuth()
  const navigate = useNavigate()
  const location = useLocation()
  const [form, setForm] = useState({ name: '', email: '', password: '' })
  const [error, setError] = useState(null)
  const [busy, setBusy] = useState(false)

  const set = (key) => (e) => setForm((f) => ({ ...f, [key]: e.target.value }))

  const onSubmit = async (e) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      if (isRegister) await register(form)
      else await login({ email: form.email, password: form.password })
      navigate(location.state?.from ?? '/', { replace: true })
    } catch (err) {
      setError(err.message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="flex min-h-screen flex-col bg-neutral-50 dark:bg-neutral-950">
      <div className="flex items-center justify-between px-6 py-4">
        <Logo />
        <ThemeToggle />
      </div>
      <main className="flex flex-1 items-center justify-center px-4 pb-16">
        <div className="w-full max-w-sm">
          <h1 className="text-center text-2xl font-semibold tracking-tight text-neutral-900 dark:text-neutral-100">
            {isRegister ? 'Create your account' : 'Welcome back'}
          </h1>
          <p className="mt-2 text-center text-sm text-neutral-500 dark:text-neutral-400">
            {isRegister ? 'Your AI study notebook, ready in seconds.' : 'Sign in to your study notebooks.'}
          </p>
          <form onSubmit={onSubmit} className={`${cardClass} mt-8 space-y-4 p-6`} data-testid="auth-form">
            {isRegister && (
              <label className="block space-y-1.5">
                <span className="text-sm font-medium text-neutral-700 dark:text-neutral-300">Name</span>
                <input
                  className={inputClass}
                  value={form.name}
                  onChange={set('name')}
                  autoComplete="name"
                  data-testid="auth-name"
                />
              </label>
            )}
            <label className="block space-y-1.5">
              <span className="text-sm font-medium text-neutral-700 dark:text-neutral-300">Email</span>
              <input
                className={inputClass}
                type="email"
                required
                value={form.email}
                onChange={set('email')}
                autoComplete="email"
                data-testid="auth-email"
              />
            </label>
            <label className="block space-y-1.5">
              <span className="text-sm font-medium text-neutral-700 dark:text-neutral-300">Password</span>
              <input
                className={inputClass}
                type="password"
                required
                value={form.password}
                onChange={set('password')}
                autoComplete={isRegister ? 'new-password' : 'current-password'}
                data-testid="auth-password"
              />
            </label>
            {error && (
              <div
                className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950/40 dark:text-red-300"
                data-testid="auth-error"
              >
                {error}
              </div>
            )}
            <button type="submit" disabled={busy} className={`${primaryButton} w-full`} data-testid="auth-submit">
              {busy ? 'Please wait…' : isRegister ? 'Create account' : 'Sign in'}
            </button>
          </form>
          <p className="mt-6 text-center text-sm text-neutral-500 dark:text-neutral-400">
            {isRegister ? 'Already have an account? ' : 'New to KeplerLab? '}
            <Link
              to={isRegister ? '/login' : '/register'}
              className="font-medium text-indigo-600 hover:underline dark:text-indigo-400"
              data-testid="auth-switch"
            >
              {isRegister ? 'Sign in' : 'Create an account'}
            </Link>
          </p>
        </div>
      </main>
    </div>
  )
}
