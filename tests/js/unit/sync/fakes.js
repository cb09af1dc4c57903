// Shared fakes for the sync unit tests (not a test file itself).

/** Resolves after every pending microtask and I/O callback (setImmediate is never mocked here). */
export function flush() {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Whether a promise has settled, without advancing any (mocked) timer.
 * @param {Promise<unknown>} p
 * @returns {Promise<'resolved' | 'rejected' | 'pending'>}
 */
export async function state(p) {
  let s = 'pending'
  p.then(
    () => (s = 'resolved'),
    () => (s = 'rejected')
  )
  await flush()
  return s
}

/** A record; `value` left out. */
export function rec(key, hlc, origin = 'P', json = '1') {
  return json === null
    ? { key, hlc, origin, deleted: true, json: null }
    : { key, hlc, origin, deleted: false, json }
}

/** An hlc: n in the wall-clock bits, as 16 hex digits. */
export function hlc(n) {
  return n.toString(16).padStart(12, '0') + '0000'
}

/**
 * A fake ring: members, and replicasFor from a table (key -> replicas);
 * counts retain/release.
 * @param {string[]} members
 * @param {Record<string, string[]>} table
 */
export function fakeRing(members, table = {}) {
  const ring = {
    members,
    refs: 1,
    replicasFor: (keys) => keys.map((k) => table[k] ?? members.slice(0, 1)),
    indexOf: (p) => members.indexOf(p),
    has: (p) => members.includes(p),
    retain() {
      ring.refs++
      return ring
    },
    release() {
      ring.refs--
    }
  }
  return ring
}

/**
 * A SyncContext whose parts record what they were asked.
 * @param {Partial<import('../../../../js/sync/sync-context.js').SyncContext> & {ringView?: any}} over
 */
export function fakeContext(over = {}) {
  let id = 100
  const sent = []
  const pushed = []
  const queued = []
  const merged = []
  const errors = []
  const scans = []
  let ring = over.ringView ?? fakeRing(['A', 'B'])
  const ctx = {
    selfId: 'A',
    rf: 2,
    retryInterval: 1000,
    ring: () => ring,
    isMember: () => true,
    send: (peer, msg) => sent.push({ peer, msg }),
    nextId: () => id++,
    syncScan: async (_ring, queries) => {
      scans.push(queries)
      return queries.map((q) => (q.entries ? { entries: [] } : { counts: new Array(16).fill(0), digests: new Array(16).fill('0'.repeat(16)) }))
    },
    scanAll: async () => {},
    lookup: async (keys) => keys.map(() => null),
    merge: async (records) => {
      merged.push(records)
    },
    reportError: (err) => errors.push(err),
    queue: (peer, r) => queued.push({ peer, rec: r }),
    pushKeys: async (peer, keys) => {
      pushed.push({ peer, keys })
    },
    isPushingTo: () => false,
    announce: () => {},
    ...over
  }
  delete ctx.ringView
  return {
    ctx,
    sent,
    pushed,
    queued,
    merged,
    errors,
    scans,
    setRing(r) {
      ring = r
    }
  }
}
