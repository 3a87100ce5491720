import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import tailwindcss from '@tailwindcss/vite'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

// The API docs page (/docs, backend/app/routes/docs.py) loads Swagger UI from
// the build, never a CDN: the npm package's bundle and stylesheet are copied to
// <outDir>/swagger-ui/ by this plugin.
const SWAGGER_UI_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png']
function swaggerUiAssets() {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
  return {
    name: 'kepler-swagger-ui-assets',
    apply: 'build',
    generateBundle() {
      for (const name of SWAGGER_UI_FILES) {
        this.emitFile({ type: 'asset', fileName: `swagger-ui/${name}`, source: readFileSync(join(dir, name)) })
      }
    },
  }
}

// KEPLER_BACKEND lets the dev server talk to a backend on another port.
const backend = process.env.KEPLER_BACKEND ?? 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [react(), tailwindcss(), swaggerUiAssets()],
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
