// Lists on the study tabs are fetched while the user may already be creating
// or deleting items. A response that set state blindly made a just-created
// podcast vanish ("No episodes yet.") when the opening list answered after
// the create did (seen in CI on a busy machine).

/**
 * The fetched list, with the items created locally since the request went out
 * (ids the server did not list yet) kept in front, newest first.
 */
export function mergeFetched(fetched, current) {
  const listed = new Set(fetched.map((item) => item.id))
  return [...(current ?? []).filter((item) => !listed.has(item.id)), ...fetched]
}

/**
 * Wraps requests so only the latest one settles: `latest(listDecks(id)).then(setDecks)`.
 * An older response arriving late is dropped (its promise never settles).
 */
export function latestOnly() {
  let last = 0
  return (request) => {
    const n = ++last
    return new Promise((resolve, reject) => {
      request.then(
        (value) => n === last && resolve(value),
        (error) => n === last && reject(error),
      )
    })
  }
}
