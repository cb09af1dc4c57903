// Introspection for getStats(), listPages() and diagnose(): synchronous, and
// none of it does I/O; every figure is a counter or the engine's directory.
import { StatusCode } from '../core/errors.js'

/**
 * @typedef {object} StatsSources
 * @property {string} state opening | open | closing | closed | failed
 * @property {string} peerId
 * @property {ReturnType<typeof import('./options.js').normalizeOptions>} opts
 * @property {import('../store/local-store.js').LocalStore} local
 * @property {import('../sync/replicated-store.js').ReplicatedStore | null} replicated
 */

/**
 * The store's counters; zeros until open.
 * @param {StatsSources} s
 * @returns {import('../index.js').StorageStats}
 */
export function storageStats({ state, peerId, opts, local, replicated }) {
  const e = state === 'closed' ? null : local.engineStats()
  const c = local.counters
  const sync = replicated?.stats ?? null
  const maxDisk = opts.persistence.maxDiskPages
  return {
    ready: state === 'open',
    peerId,
    totalPages: e?.pages ?? 0,
    totalKeys: e?.liveKeys ?? 0,
    tombstones: e?.tombstones ?? 0,
    bytes: e?.bytes ?? 0,
    connectedPeers: sync?.connectedPeers ?? 0,
    cache: {
      residentPages: e?.residentPages ?? 0,
      maxMemoryPages: opts.persistence.maxMemoryPages,
      memoryPressure: e?.memoryPressure ?? 0,
      dirtyPages: e?.dirtyPages ?? 0,
      corruptPages: e?.corruptPages ?? 0,
      bufferedWrites: e?.bufferedWrites ?? 0,
      runPages: e?.runPages ?? 0,
      runMerges: e?.runMerges ?? 0,
      pageLoads: c.pageLoads,
      flushes: c.flushes,
      lastSave: c.lastSave,
      maxCachePages: opts.maxCachePages,
      remoteRecords: sync?.remoteRecords ?? 0,
      remoteBytes: sync?.remoteBytes ?? 0,
      remotePages: sync?.remotePages ?? 0,
      maxDiskPages: maxDisk,
      diskPressure: (e?.pages ?? 0) / maxDisk,
      quotaBlocked: c.quotaBlocked
    },
    dht: dhtStats(opts, sync, e?.liveKeys ?? 0),
    sync: {
      pendingReplications: sync?.pendingReplications ?? 0,
      underReplicated: sync?.underReplicated ?? 0,
      messagesIn: sync?.messagesIn ?? 0,
      messagesOut: sync?.messagesOut ?? 0,
      bytesIn: sync?.bytesIn ?? 0,
      bytesOut: sync?.bytesOut ?? 0,
      rejected: sync?.rejected ?? 0,
      rejectedWhy: sync?.rejectedWhy ?? {},
      refusedWhy: sync?.refusedWhy ?? {},
      excludedPeers: sync?.excludedPeers ?? 0,
      partialChars: sync?.partialChars ?? 0,
      throttled: sync?.throttled ?? 0,
      restamped: sync?.restamped ?? 0,
      audits: sync?.audits ?? { sent: 0, passed: 0, failed: 0, answered: 0 },
      subscriptions: sync?.subscriptions ?? { watching: 0, keys: 0, prefixes: 0, subscribers: 0, pubsIn: 0, pubsOut: 0 }
    },
    queue: c.queue
  }
}

/**
 * @param {ReturnType<typeof import('./options.js').normalizeOptions>} opts
 * @param {import('../sync/replicated-store.js').ReplicatedStore['stats'] | null} sync
 * @param {number} liveKeys
 */
function dhtStats(opts, sync, liveKeys) {
  const base = { enabled: sync !== null, virtualNodes: opts.virtualNodes, replicationFactor: opts.replicationFactor }
  if (sync === null) {
    return { ...base, peers: 0, ownedKeys: liveKeys, replicaKeys: 0, loadStdDev: 0, isLoadBalanced: true }
  }
  const shares = sync.shares
  const mean = shares.reduce((a, b) => a + b, 0) / shares.length
  const variance = shares.reduce((a, b) => a + (b - mean) ** 2, 0) / shares.length
  const loadStdDev = mean > 0 ? Math.sqrt(variance) / mean : 0
  return {
    ...base,
    peers: sync.members,
    ownedKeys: sync.ownedKeys,
    replicaKeys: sync.replicaKeys,
    loadStdDev,
    isLoadBalanced: loadStdDev <= 0.1
  }
}

/**
 * @param {import('../store/local-store.js').LocalStore} local
 * @returns {import('../index.js').PageSummary[]}
 */
export function pageList(local) {
  return local.listPages().map((p) => ({
    id: p.id,
    firstKey: p.lowerKey,
    keyCount: p.keyCount,
    bytes: p.bytes,
    resident: p.resident,
    dirty: p.dirty,
    corrupt: p.corrupt,
    lastModified: p.lastModifiedMs === 0 ? null : p.lastModifiedMs
  }))
}

/**
 * Health report: invariants, corrupt pages, stats.
 * @param {StatsSources} s
 * @returns {import('../index.js').Diagnosis}
 */
export function diagnosis(s) {
  const stats = storageStats(s)
  if (!s.local.isOpen || s.state === 'closed') {
    return { ok: false, state: s.state, issues: [`store is ${s.state}`], stats }
  }
  const inv = s.local.checkInvariants()
  const pages = pageList(s.local)
  const issues = []
  if (inv.code !== StatusCode.OK) issues.push(`invariant broken: ${inv.message}`)
  for (const p of pages) if (p.corrupt) issues.push(`page ${p.id} is corrupt (keys from '${p.firstKey}')`)
  return { ok: issues.length === 0, state: s.state, issues, stats, pages: pages.length }
}
