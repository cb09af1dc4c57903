// Records what a Transport reports, as strings: '+peer' joined, '-peer'
// left, 'from:data' a message; for the transport tests.

/**
 * @param {{ on: (event: string, fn: (e: any) => void) => unknown }} t
 * @returns {string[]} filled as events come
 */
export function recordEvents(t) {
  const seen = []
  t.on('peer-joined', (e) => seen.push('+' + e.peerId))
  t.on('peer-left', (e) => seen.push('-' + e.peerId))
  t.on('message', (e) => seen.push(`${e.from}:${e.data}`))
  return seen
}
