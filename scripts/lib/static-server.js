// A static file server on 127.0.0.1 for built pages (tests, and the demo of
// `npm start`). `routes` maps exact paths to extra responses
// ({type, body}), e.g. the demo's runtime config.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, join, normalize } from 'node:path'

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png'
}

/** Serves `root` on 127.0.0.1 (port 0: any free one). @returns {{url, port, close}} */
export async function serveStatic(root, { port = 0, routes = {} } = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname))
    const route = routes[path]
    if (route) return void res.writeHead(200, { 'content-type': route.type }).end(route.body)
    let file = join(root, path)
    if (!file.startsWith(root)) return void res.writeHead(403).end()
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html')
      await stat(file)
    } catch {
      return void res.writeHead(404).end()
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(res)
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const actual = server.address().port
  return { url: `http://127.0.0.1:${actual}/`, port: actual, close: () => new Promise((r) => server.close(r)) }
}
