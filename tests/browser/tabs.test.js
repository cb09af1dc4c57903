// Runs tabs-scenario.js (the Shorter Vue snippet in tabs that share a store,
// over PeerPigeon), isolated to loopback (see isolated.js).
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { runIsolated } from './isolated.js'

test('tabs of one profile share a store and a mesh; the lead passes on', { timeout: 300000 }, () => {
  runIsolated(join(dirname(fileURLToPath(import.meta.url)), 'tabs-scenario.js'))
})
