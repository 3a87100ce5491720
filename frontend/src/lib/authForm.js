// Plain-language checks and messages for the sign-in and sign-up forms: the
// same rules as the server's (routes/auth.py: RegisterIn, LoginIn), checked
// before sending, and the server's 422/409/401/429 answers in the same words.

export const MIN_PASSWORD = 8
const MAX_NAME = 200
const MAX_EMAIL = 320
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/ // as the server's _EMAIL

export const MESSAGES = Object.freeze({
  emailMissing: 'Enter your email address.',
  emailInvalid: 'Enter an email address like name@example.com.',
  emailTooLong: 'That email address is too long.',
  passwordMissing: 'Enter your password.',
  passwordShort: `Use at least ${MIN_PASSWORD} characters.`,
  passwordLong: 'That password is too long (1024 characters at most).',
  nameLong: `Keep the name under ${MAX_NAME} characters.`,
  duplicate: 'An account with this email already exists. Sign in instead.',
  wrongPassword: 'That email and password don’t match. Check them and try again.',
  throttled: 'Too many attempts. Wait a minute, then try again.',
  offline: 'KeplerLab can’t be reached. Check that it is running, then try again.',
})

/** {name?, email?, password?}: what is wrong with the form, before sending. */
export function validateAuthForm({ name = '', email = '', password = '' }, isRegister) {
  const errors = {}
  const address = email.trim()
  if (!address) errors.email = MESSAGES.emailMissing
  else if (address.length > MAX_EMAIL) errors.email = MESSAGES.emailTooLong
  else if (!EMAIL.test(address)) errors.email = MESSAGES.emailInvalid
  if (!password) errors.password = MESSAGES.passwordMissing
  else if (password.length > 1024) errors.password = MESSAGES.passwordLong
  else if (isRegister && password.length < MIN_PASSWORD) errors.password = MESSAGES.passwordShort
  if (isRegister && name.length > MAX_NAME) errors.name = MESSAGES.nameLong
  return errors
}

/** One pydantic error item ({loc, type, msg}) as {field, message}. */
function fieldError(item) {
  const field = [...(item?.loc ?? [])].reverse().find((p) => ['email', 'password', 'name'].includes(p)) ?? null
  const type = item?.type ?? ''
  if (field === 'password')
    return {
      field,
      message:
        type === 'missing'
          ? MESSAGES.passwordMissing
          : type === 'string_too_long'
            ? MESSAGES.passwordLong
            : MESSAGES.passwordShort,
    }
  if (field === 'email')
    return {
      field,
      message:
        type === 'missing'
          ? MESSAGES.emailMissing
          : type === 'string_too_long'
            ? MESSAGES.emailTooLong
            : MESSAGES.emailInvalid,
    }
  if (field === 'name') return { field, message: MESSAGES.nameLong }
  return { field: null, message: 'Check the form and try again.' }
}

/**
 * The server's refusal in plain words: `{fields: {email?, password?, name?}, message}`
 * (`message` for the form as a whole, or null when field messages say it all).
 */
export function authErrorMessage(err, isRegister) {
  const status = err?.status
  if (status === 422 && Array.isArray(err.detail)) {
    const fields = {}
    let message = null
    for (const item of err.detail) {
      const e = fieldError(item)
      if (e.field) fields[e.field] ??= e.message
      else message = e.message
    }
    return { fields, message }
  }
  if (status === 409) return { fields: { email: MESSAGES.duplicate }, message: null }
  if (status === 401 && !isRegister) return { fields: {}, message: MESSAGES.wrongPassword }
  if (status === 429) return { fields: {}, message: MESSAGES.throttled }
  if (status == null) return { fields: {}, message: MESSAGES.offline } // fetch failed: no answer at all
  const detail = typeof err?.detail === 'string' ? err.detail : null
  return { fields: {}, message: detail ?? `Something went wrong (${status}). Try again.` }
}
