// Set the theme before first paint so dark mode does not flash. A file, not an
// inline <script>: the page's CSP (script-src 'self') blocks inline scripts.
try {
  const saved = localStorage.getItem('kepler-theme')
  const dark = saved ? saved === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches
  document.documentElement.classList.toggle('dark', dark)
} catch (e) {
  // storage blocked: the app applies the theme once it starts
}
