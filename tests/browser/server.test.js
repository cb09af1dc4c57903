// Runs server-scenario.js (three pages and the demo's server peer; a new
// page reads everything through the server), isolated to loopback (see isolated.js).
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { runIsolated } from './isolated.js'

test('the server peer keeps what closed pages wrote: a new page reads it all', { timeout: 300000 }, () => {
  runIsolated(join(dirname(fileURLToPath(import.meta.url)), 'server-scenario.js'))
})
