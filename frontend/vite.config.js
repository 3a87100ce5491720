import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import tailwindcss from '@tailwindcss/vite'

// KEPLER_BACKEND lets the dev server talk to a backend on another port.
const backend = process.env.KEPLER_BACKEND ?? 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    port: 5173,
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/pyodide': { target: backend, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    // the markdown + highlighter stack is one chunk; no CDN, everything bundled
    chunkSizeWarningLimit: 900,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.js'],
  },
})
