// A PeerPigeon signaling server on 127.0.0.1, for the browser peer tests
// and benchmarks: the package's own (js/server/signaling.js), which the
// server peer and the demo run too.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { freePort, startSignaling as start } from '../../js/server/signaling.js'

export { freePort }

/** port 0: any free port. @returns {Promise<{url: string, close: () => Promise<void>}>} */
export async function startSignaling(port = 0) {
  const { url, close } = await start({ host: '127.0.0.1', port })
  return { url, close }
}

/** The browser bundle (a classic script that sets window.PeerPigeon). */
export function peerPigeonBundle() {
  const main = fileURLToPath(import.meta.resolve('peerpigeon'))
  return join(dirname(main), 'dist', 'peerpigeon-browser.js')
}
