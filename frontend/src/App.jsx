import { lazy, Suspense } from 'react'
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router'
import { AuthProvider, useAuth } from './auth.jsx'
import AuthPage from './pages/AuthPage.jsx'
import NotebookPage from './pages/NotebookPage.jsx'
import NotebooksPage from './pages/NotebooksPage.jsx'

// Dev-only gallery of chat components with sample data (not in production builds).
const PreviewPage = import.meta.env.DEV ? lazy(() => import('./dev/PreviewPage.jsx')) : null

function Loading() {
  return (
    <div className="flex h-screen items-center justify-center text-sm text-neutral-500 dark:text-neutral-400">
      Loading…
    </div>
  )
}

function RequireAuth({ children }) {
  const { user } = useAuth()
  const location = useLocation()
  if (user === undefined) return <Loading />
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname }} />
  return children
}

function GuestOnly({ children }) {
  const { user } = useAuth()
  if (user === undefined) return <Loading />
  return user ? <Navigate to="/" replace /> : children
}

export default function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <Routes>
          <Route
            path="/login"
            element={
              <GuestOnly>
                <AuthPage mode="login" />
              </GuestOnly>
            }
          />
          <Route
            path="/register"
            element={
              <GuestOnly>
                <AuthPage mode="register" />
              </GuestOnly>
            }
          />
          <Route
            path="/"
            element={
              <RequireAuth>
                <NotebooksPage />
              </RequireAuth>
            }
          />
          <Route
            path="/notebooks/:notebookId"
            element={
              <RequireAuth>
                <NotebookPage />
              </RequireAuth>
            }
          />
          {PreviewPage && (
            <Route
              path="/__preview"
              element={
                <Suspense fallback={<Loading />}>
                  <PreviewPage />
                </Suspense>
              }
            />
          )}
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </AuthProvider>
    </BrowserRouter>
  )
}
