import { apiFetch } from './config.js'

// GET /api/runtime (public): {profile: 'classic'|'modern', index_url, manifest_url, python_version}
export const getRuntimeConfig = () => apiFetch('/runtime')
