import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/config.js'
import { MESSAGES, authErrorMessage, validateAuthForm } from './authForm.js'

describe('validateAuthForm', () => {
  it('says what to fix in plain words', () => {
    expect(validateAuthForm({ email: '', password: '' }, true)).toEqual({
      email: MESSAGES.emailMissing,
      password: MESSAGES.passwordMissing,
    })
    expect(validateAuthForm({ email: 'ada@', password: 'short' }, true)).toEqual({
      email: 'Enter an email address like name@example.com.',
      password: 'Use at least 8 characters.',
    })
    expect(validateAuthForm({ email: ' ada@example.com ', password: 'long enough' }, true)).toEqual({})
  })
  it('sign-in does not judge an existing password by the sign-up rule', () => {
    expect(validateAuthForm({ email: 'ada@example.com', password: 'short' }, false)).toEqual({})
  })
})

describe('authErrorMessage', () => {
  it("maps pydantic's 422 items to field messages, never the raw text", () => {
    const detail = [
      { loc: ['body', 'password'], type: 'string_too_short', msg: 'String should have at least 8 characters' },
      { loc: ['body', 'email'], type: 'value_error', msg: 'Value error, not a valid email address' },
    ]
    const out = authErrorMessage(new ApiError('raw', 422, detail), true)
    expect(out.fields).toEqual({ password: 'Use at least 8 characters.', email: MESSAGES.emailInvalid })
    expect(JSON.stringify(out)).not.toMatch(/String should have/)
  })
  it('409 is a duplicate account, 401 a wrong password, 429 throttling, no status offline', () => {
    expect(authErrorMessage(new ApiError('x', 409, 'An account…'), true).fields.email).toBe(MESSAGES.duplicate)
    expect(authErrorMessage(new ApiError('x', 401, 'Wrong email or password'), false).message).toBe(
      MESSAGES.wrongPassword,
    )
    expect(authErrorMessage(new ApiError('x', 429, 'slow down'), false).message).toBe(MESSAGES.throttled)
    expect(authErrorMessage(new TypeError('Failed to fetch'), false).message).toBe(MESSAGES.offline)
  })
})
