// Helpers for tests that settle promises by hand.

export function deferred() {
  let resolve, reject
  const promise = new Promise((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

export const tick = () => new Promise((r) => setTimeout(r, 0))
