// formatMetrics: the Prometheus text exposition format, from a store's stats.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatMetrics } from '../../../../js/server/metrics.js'

const stats = /** @type {any} */ ({
  ready: true,
  totalKeys: 12,
  tombstones: 1,
  totalPages: 3,
  connectedPeers: 2,
  cache: { residentPages: 2, dirtyPages: 1 },
  sync: { messagesIn: 5, messagesOut: 6, bytesIn: 70, bytesOut: 80, rejected: 3, rejectedWhy: { 'bad "json"\n': 2, rate: 1 }, pendingReplications: 4, underReplicated: 0 }
})
const hub = { framesIn: 1, bytesIn: 2, framesOut: 3, bytesOut: 4, relayed: 5, dropped: 6, refused: 7 }

test('every metric has HELP and TYPE lines, and one sample per series', () => {
  const text = formatMetrics({ stats, hub, clients: 9, diskBytes: 4096 })
  assert.ok(text.endsWith('\n'))
  const lines = text.trimEnd().split('\n')
  const names = new Set()
  for (const line of lines) {
    if (line.startsWith('# TYPE ')) names.add(line.split(' ')[2])
    else if (!line.startsWith('# HELP ')) {
      assert.match(line, /^paging_storage_[a-z_]+(\{[^}]*\})? -?\d+(\.\d+)?$/, line)
      assert.ok(names.has(line.split(/[{ ]/)[0]), `${line}: a sample after its TYPE`)
    }
  }
  assert.match(text, /^paging_storage_keys 12$/m)
  assert.match(text, /^paging_storage_disk_bytes 4096$/m)
  assert.match(text, /^paging_storage_hub_clients 9$/m)
  assert.match(text, /^paging_storage_pending_replications 4$/m)
  assert.match(text, /^# TYPE paging_storage_bytes_out_total counter$/m)
})

test('label values are escaped (backslash, quote, newline)', () => {
  const text = formatMetrics({ stats, hub, clients: 0, diskBytes: 0 })
  assert.match(text, /^paging_storage_rejected_messages_total\{reason="bad \\"json\\"\\n"\} 2$/m)
  assert.match(text, /^paging_storage_rejected_messages_total\{reason="rate"\} 1$/m)
})

test('with no rejections by reason, the total stands alone', () => {
  const text = formatMetrics({ stats: { ...stats, sync: { ...stats.sync, rejectedWhy: {}, rejected: 0 } }, hub, clients: 0, diskBytes: 0 })
  assert.match(text, /^paging_storage_rejected_messages_total 0$/m)
})
