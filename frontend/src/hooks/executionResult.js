// What the page reports when the runtime itself could not run the code
// (a malformed request, a dead worker): an ExecutionResult-shaped failure
// whose stderr the server's repair loop can read.
export function failedRunResult(err) {
  const name = err?.name && err.name !== 'Error' ? err.name : 'RuntimeError'
  return {
    ok: false,
    stdout: '',
    stderr: `${name}: ${err?.message ?? String(err)}\n`,
    duration_ms: 0,
    files: [],
    vars: {},
  }
}
