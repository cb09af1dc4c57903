// The server peer's /metrics page: its store's and its hub's counters in
// the Prometheus text exposition format (version 0.0.4,
// https://prometheus.io/docs/instrumenting/exposition_formats/). Gauges and
// counters only, so the format is written here rather than through a
// client library (prom-client brings a registry, histograms and two
// dependencies for what is a dozen lines of text).

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/**
 * @typedef {object} MetricsSource
 * @property {import('../index.js').StorageStats} stats the store's getStats()
 * @property {WebSocketHubStats} hub the hub's counters
 * @property {number} clients sockets open on the hub
 * @property {number} diskBytes bytes of the store's files on disk
 */
/** @typedef {import('./hub.js').WebSocketHub['stats']} WebSocketHubStats */

/**
 * @param {MetricsSource} source
 * @returns {string} the exposition text
 */
export function formatMetrics({ stats, hub, clients, diskBytes }) {
  /** @type {string[]} */
  const out = []
  /**
   * @param {string} name
   * @param {'gauge' | 'counter'} type
   * @param {string} help
   * @param {number | Array<[Record<string, string>, number]>} value
   */
  const metric = (name, type, help, value) => {
    const full = `paging_storage_${name}`
    out.push(`# HELP ${full} ${help}`, `# TYPE ${full} ${type}`)
    if (typeof value === 'number') return void out.push(`${full} ${value}`)
    for (const [labels, v] of value) {
      const text = Object.entries(labels)
        .map(([k, l]) => `${k}="${escapeLabel(l)}"`)
        .join(',')
      out.push(`${full}{${text}} ${v}`)
    }
  }
  const s = stats.sync
  metric('up', 'gauge', 'Whether the store is open (1) or not (0).', stats.ready ? 1 : 0)
  metric('keys', 'gauge', 'Live keys this peer holds.', stats.totalKeys)
  metric('tombstones', 'gauge', 'Deleted keys whose tombstones are kept.', stats.tombstones)
  metric('pages', 'gauge', 'Pages of the store.', stats.totalPages)
  metric('resident_pages', 'gauge', 'Pages held in memory.', stats.cache.residentPages)
  metric('dirty_pages', 'gauge', 'Pages changed since they were last saved.', stats.cache.dirtyPages)
  metric('disk_bytes', 'gauge', "Bytes of the store's files on disk.", diskBytes)
  metric('peers', 'gauge', 'Peers in the ring, this one excluded.', stats.connectedPeers)
  metric('hub_clients', 'gauge', 'WebSocket connections open.', clients)
  metric('messages_in_total', 'counter', 'Protocol messages received.', s.messagesIn)
  metric('messages_out_total', 'counter', 'Protocol messages sent.', s.messagesOut)
  metric('bytes_in_total', 'counter', 'Characters of protocol messages received.', s.bytesIn)
  metric('bytes_out_total', 'counter', 'Characters of protocol messages sent.', s.bytesOut)
  const why = Object.entries(s.rejectedWhy)
  metric('rejected_messages_total', 'counter', 'Messages rejected (malformed, over budget), by reason.', why.length > 0 ? why.map(([reason, n]) => [{ reason }, n]) : s.rejected)
  metric('pending_replications', 'gauge', 'Records waiting for a replica to acknowledge them (replication lag).', s.pendingReplications)
  metric('under_replicated', 'gauge', 'Own writes held by fewer replicas than the replication factor.', s.underReplicated)
  metric('hub_frames_relayed_total', 'counter', 'Frames relayed between WebSocket clients.', hub.relayed)
  metric('hub_frames_dropped_total', 'counter', 'Frames dropped (over a budget, unknown recipient, full socket).', hub.dropped)
  metric('hub_connections_refused_total', 'counter', 'Connections closed for a protocol fault or a full hub.', hub.refused)
  metric('hub_bytes_in_total', 'counter', 'Bytes of WebSocket frames received.', hub.bytesIn)
  metric('hub_bytes_out_total', 'counter', 'Characters of WebSocket frames sent.', hub.bytesOut)
  return out.join('\n') + '\n'
}

/** Label values escape backslash, double quote and newline (the format's rule). @param {string} v */
function escapeLabel(v) {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}
