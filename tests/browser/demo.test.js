// Runs demo-scenario.js (what `npm start` starts, two demo tabs), isolated
// to loopback (see isolated.js).
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { runIsolated } from './isolated.js'

test('the demo: two tabs share data over PeerPigeon', { timeout: 300000 }, () => {
  runIsolated(join(dirname(fileURLToPath(import.meta.url)), 'demo-scenario.js'))
})
