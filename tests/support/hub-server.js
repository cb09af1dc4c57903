// A WebSocketHub (js/server/hub.js) on a node:http server on 127.0.0.1, for
// the transport and hub tests; close() ends both.
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import { WebSocketHub } from '../../js/server/hub.js'

/**
 * @param {Partial<import('../../js/server/hub.js').HubOptions>} [options]
 * @param {number} [port] 0: any free port
 * @returns {Promise<{ hub: WebSocketHub, url: string, port: number, close: () => Promise<void> }>}
 */
export async function startHub(options = {}, port = 0) {
  const hub = new WebSocketHub(WebSocketServer, { peerId: 'hub', ...options })
  const http = createServer((_req, res) => res.end())
  http.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head))
  await new Promise((resolve) => http.listen(port, '127.0.0.1', resolve))
  const actual = /** @type {import('node:net').AddressInfo} */ (http.address()).port
  return {
    hub,
    url: `ws://127.0.0.1:${actual}`,
    port: actual,
    close: async () => {
      hub.close()
      http.closeAllConnections()
      await new Promise((resolve) => http.close(resolve))
    }
  }
}

/** Resolves once check() is true (polls every 10 ms); rejects after ms. */
export async function until(check, ms = 5000, what = 'condition') {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
