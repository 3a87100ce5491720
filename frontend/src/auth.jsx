import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react'
import * as authApi from './api/auth.js'

const AuthContext = createContext(null)

/** Who is signed in (`user` is undefined while checking, null when nobody). */
export function AuthProvider({ children }) {
  const [user, setUser] = useState(undefined)

  useEffect(() => {
    authApi
      .getMe()
      .then(setUser)
      .catch(() => setUser(null))
  }, [])

  const login = useCallback(async (creds) => {
    const { user: u } = await authApi.login(creds)
    setUser(u)
    return u
  }, [])

  const register = useCallback(async (data) => {
    const { user: u } = await authApi.register(data)
    setUser(u)
    return u
  }, [])

  const logout = useCallback(async () => {
    try {
      await authApi.logout()
    } finally {
      setUser(null)
    }
  }, [])

  const value = useMemo(() => ({ user, login, register, logout }), [user, login, register, logout])
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>
}

export const useAuth = () => useContext(AuthContext)
