// Runs peers-scenario.js (three pages on a real PeerPigeon mesh), isolated
// to loopback (see isolated.js).
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { runIsolated } from './isolated.js'

test('peer sync between three Chromium pages over PeerPigeon', { timeout: 300000 }, () => {
  runIsolated(join(dirname(fileURLToPath(import.meta.url)), 'peers-scenario.js'))
})
