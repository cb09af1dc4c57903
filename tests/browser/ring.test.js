// Runs ring-scenario.js (five demo peers, ring-wide reads and
// subscriptions, catch-up progress), isolated to loopback (see isolated.js).
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { runIsolated } from './isolated.js'

test('the demo on five peers: ring-wide document, lists and progress', { timeout: 620000 }, () => {
  runIsolated(join(dirname(fileURLToPath(import.meta.url)), 'ring-scenario.js'), { timeout: 600000 })
})
