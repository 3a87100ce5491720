import { useState } from 'react'
import { Link, useLocation, useNavigate } from 'react-router'
import { useAuth } from '../auth.jsx'
import { Logo, ThemeToggle } from '../components/Header.jsx'
import { cardClass, inputClass, primaryButton } from '../components/ui.js'
import { MIN_PASSWORD, authErrorMessage, validateAuthForm } from '../lib/authForm.js'

const fieldClass = `${inputClass} aria-invalid:border-red-400 dark:aria-invalid:border-red-500`

/** A field's message under it (hint in grey, problem in red), tied to the input for screen readers. */
function FieldNote({ id, error, hint, testId }) {
  if (!error && !hint) return null
  return (
    <span
      id={id}
      className={`block text-xs ${error ? 'text-red-600 dark:text-red-400' : 'text-neutral-500 dark:text-neutral-400'}`}
      data-testid={error ? testId : undefined}
    >
      {error || hint}
    </span>
  )
}

/** Sign in or create an account; problems are said next to the field they are about. */
export default function AuthPage({ mode }) {
  const isRegister = mode === 'register'
  const { login, register } = useAuth()
  const navigate = useNavigate()
  const location = useLocation()
  const [form, setForm] = useState({ name: '', email: '', password: '' })
  const [error, setError] = useState(null)
  const [fieldErrors, setFieldErrors] = useState({})
  const [submitted, setSubmitted] = useState(false) // client checks speak up after the first try
  const [busy, setBusy] = useState(false)

  const set = (key) => (e) => {
    const next = { ...form, [key]: e.target.value }
    setForm(next)
    // Live while fixing: a message goes away as soon as the field is right.
    if (submitted) setFieldErrors(validateAuthForm(next, isRegister))
  }

  const onSubmit = async (e) => {
    e.preventDefault()
    setSubmitted(true)
    setError(null)
    const problems = validateAuthForm(form, isRegister)
    setFieldErrors(problems)
    if (Object.keys(problems).length) return
    setBusy(true)
    try {
      const email = form.email.trim()
      if (isRegister) await register({ ...form, email })
      else await login({ email, password: form.password })
      navigate(location.state?.from ?? '/', { replace: true })
    } catch (err) {
      const { fields, message } = authErrorMessage(err, isRegister)
      setFieldErrors(fields)
      setError(message)
    } finally {
      setBusy(false)
    }
  }

  const invalid = (key) => (fieldErrors[key] ? { 'aria-invalid': true, 'aria-describedby': `auth-${key}-note` } : {})

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
          <form
            onSubmit={onSubmit}
            noValidate // our own messages, in the same words as the server's answers
            className={`${cardClass} mt-8 space-y-4 p-6`}
            data-testid="auth-form"
          >
            {isRegister && (
              <label className="block space-y-1.5">
                <span className="text-sm font-medium text-neutral-700 dark:text-neutral-300">Name</span>
                <input
                  className={fieldClass}
                  value={form.name}
                  onChange={set('name')}
                  autoComplete="name"
                  data-testid="auth-name"
                  {...invalid('name')}
                />
                <FieldNote id="auth-name-note" error={fieldErrors.name} testId="auth-name-error" />
              </label>
            )}
            <label className="block space-y-1.5">
              <span className="text-sm font-medium text-neutral-700 dark:text-neutral-300">Email</span>
              <input
                className={fieldClass}
                type="email"
                required
                value={form.email}
                onChange={set('email')}
                autoComplete="email"
                data-testid="auth-email"
                {...invalid('email')}
              />
              <FieldNote id="auth-email-note" error={fieldErrors.email} testId="auth-email-error" />
            </label>
            <label className="block space-y-1.5">
              <span className="text-sm font-medium text-neutral-700 dark:text-neutral-300">Password</span>
              <input
                className={fieldClass}
                type="password"
                required
                value={form.password}
                onChange={set('password')}
                autoComplete={isRegister ? 'new-password' : 'current-password'}
                data-testid="auth-password"
                aria-describedby="auth-password-note"
                {...invalid('password')}
              />
              <FieldNote
                id="auth-password-note"
                error={fieldErrors.password}
                hint={isRegister ? `At least ${MIN_PASSWORD} characters.` : null}
                testId="auth-password-error"
              />
            </label>
            {error && (
              <div
                className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950/40 dark:text-red-300"
                role="alert"
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
