// `npm start`'s server (scripts/demo-server.mjs) when its ports are taken:
// it must not crash with EADDRINUSE, but take the next free ports and print
// them (the app learns the signaling and server peer addresses from
// /demo-config.json).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Holds a free port on 127.0.0.1. @returns {Promise<import('node:net').Server>} */
function hold() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => resolve(s))
  })
}

test('regression: npm start with its ports taken uses the next free ones and prints them (it crashed with EADDRINUSE)', { timeout: 60000 }, async () => {
  const [demoBusy, signalingBusy, serverBusy] = await Promise.all([hold(), hold(), hold()])
  const demoPort = demoBusy.address().port
  const signalingPort = signalingBusy.address().port
  const serverPort = serverBusy.address().port
  const data = mkdtempSync(join(tmpdir(), 'ps-demo-'))
  const child = spawn('node', [join(repo, 'scripts', 'demo-server.mjs')], {
    env: { ...process.env, DEMO_PORT: String(demoPort), SIGNALING_PORT: String(signalingPort), SERVER_PORT: String(serverPort), DEMO_DATA_DIR: data },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  try {
    const line = await new Promise((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d
        const m = /paging-storage demo: http:\/\/127\.0\.0\.1:(\d+)\/ +\(signaling: (ws:\/\/127\.0\.0\.1:(\d+)); server peer: (ws:\/\/127\.0\.0\.1:(\d+)),/.exec(out)
        if (m) resolve(m)
      })
      child.stderr.on('data', (d) => (out += d))
      child.on('exit', (code) => reject(new Error(`demo server exited (${code}):\n${out}`)))
    })
    assert.notEqual(Number(line[1]), demoPort)
    assert.notEqual(Number(line[3]), signalingPort)
    assert.match(out, new RegExp(`port ${demoPort} is taken; using ${line[1]}`))
    assert.notEqual(Number(line[5]), serverPort)
    assert.match(out, new RegExp(`port ${signalingPort} is taken`))
    assert.match(out, new RegExp(`port ${serverPort} is taken`))
    const config = await (await fetch(`http://127.0.0.1:${line[1]}/demo-config.json`)).json()
    assert.equal(config.signalingUrl, line[2])
    assert.deepEqual(config.servers, [line[4]])
    const health = await (await fetch(`${line[4].replace('ws://', 'http://')}/health`)).json()
    assert.equal(health.status, 'ok')
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)))
    demoBusy.close()
    signalingBusy.close()
    serverBusy.close()
    rmSync(data, { recursive: true, force: true })
  }
})
