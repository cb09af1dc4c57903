// Builds the demo app (demo/) into build/demo with Vite. index.html loads
// PeerPigeon's browser build as a classic script on purpose, so Vite's note
// that it cannot bundle it is dropped.
import { fileURLToPath } from 'node:url'

import { build, createLogger } from 'vite'

const logger = createLogger('warn')
const warn = logger.warn
logger.warn = (msg, options) => {
  if (!msg.includes('peerpigeon-browser.js')) warn(msg, options)
}
await build({
  configFile: fileURLToPath(new URL('../demo/vite.config.js', import.meta.url)),
  logLevel: 'warn',
  customLogger: logger
})
