// Runs offline-scenario.js (stores that open without the signaling server
// and sync once it starts), isolated to loopback (see isolated.js).
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { runIsolated } from './isolated.js'

test('offline first: open, write, then sync when the signaling server starts', { timeout: 300000 }, () => {
  runIsolated(join(dirname(fileURLToPath(import.meta.url)), 'offline-scenario.js'))
})
