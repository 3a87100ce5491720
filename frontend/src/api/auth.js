import { apiFetch } from './config.js'

export const register = ({ email, password, name }) =>
  apiFetch('/auth/register', { json: { email, password, name: name || undefined } })

export const login = ({ email, password }) => apiFetch('/auth/login', { json: { email, password } })

export const logout = () => apiFetch('/auth/logout', { method: 'POST' })

export const getMe = () => apiFetch('/auth/me')
