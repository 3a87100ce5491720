// Run async jobs with at most `limit` in flight: a dozen dropped files upload
// two at a time instead of all competing for one connection and the server's
// extraction threads.

/** `run(job) → Promise` of the job's result; jobs start in the order given. */
export function createLimiter(limit = 2) {
  if (!(limit >= 1)) throw new Error('limit must be at least 1')
  let active = 0
  const waiting = []

  const next = () => {
    while (active < limit && waiting.length) {
      const { job, resolve, reject } = waiting.shift()
      active += 1
      Promise.resolve()
        .then(job)
        .then(resolve, reject)
        .finally(() => {
          active -= 1
          next()
        })
    }
  }

  const run = (job) =>
    new Promise((resolve, reject) => {
      waiting.push({ job, resolve, reject })
      next()
    })
  run.stats = () => ({ active, waiting: waiting.length })
  return run
}
