// The demo as `npm start` serves it (scripts/demo-server.mjs over the built
// demo, with its signaling server), on free ports, for the browser scenarios.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Starts the demo server; `url` resolves with its address. @returns {{ child: import('node:child_process').ChildProcess, url: Promise<string> }} */
export function startDemo() {
  const child = spawn('node', [join(repo, 'scripts', 'demo-server.mjs')], {
    // A fresh server peer directory per run (its store outlives the process).
    env: { ...process.env, DEMO_PORT: '0', SIGNALING_PORT: '0', SERVER_PORT: '0', DEMO_DATA_DIR: mkdtempSync(join(tmpdir(), 'ps-demo-')) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  const url = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d
      const m = /paging-storage demo: (http:\/\/\S+)/.exec(out)
      if (m) resolve(m[1])
    })
    child.stderr.on('data', (d) => {
      out += d
    })
    child.on('exit', (code) => reject(new Error(`demo server exited (${code}):\n${out}`)))
  })
  return { child, url }
}
