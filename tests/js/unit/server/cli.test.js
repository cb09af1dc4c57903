// The `paging-storage` command: flags, the address it prints, and SIGTERM
// flushing before it exits 0 (what a client wrote is there after a restart).
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { PagingStorage } from '../../../../js/index.js'
import { until } from '../../../support/hub-server.js'

const CLI = fileURLToPath(new URL('../../../../js/server/cli.js', import.meta.url))

/** Starts `serve`; resolves with the process and the ws:// address it printed. */
async function serve(args) {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
  await until(() => /listening on ws:\/\/\S+/.test(out) || child.exitCode !== null, 20000, 'the address')
  const url = /listening on (ws:\/\/\S+)/.exec(out)?.[1]
  assert.ok(url, out)
  return { child, url, exited, output: () => out }
}

test('--help, and bad flags exit 2 with the usage', () => {
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' })
  assert.equal(help.status, 0)
  assert.match(help.stdout, /usage: paging-storage serve --dir/)
  for (const args of [
    [],
    ['serve'],
    ['serve', '--dir', 'x', '--port', 'abc'],
    ['serve', '--dir', 'x', '--nope'],
    ['launch', '--dir', 'x'],
    ['serve', '--dir', 'x', '--role', '17'],
    ['serve', '--dir', 'x', '--role', 'half']
  ]) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' })
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, /usage|must be a whole number|--role must be/)
  }
})

test('serve prints its address; SIGTERM flushes and exits 0; a restart has the data', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ps-cli-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const first = await serve(['--dir', dir, '--port', '0', '--memory-pages', '64'])
  t.after(() => first.child.kill('SIGKILL'))
  // The server runs with the default sync timings: so does its client.
  const client = new PagingStorage({ servers: [first.url] })
  t.after(() => client.shutdown())
  await until(() => client.getStats().connectedPeers === 1, 10000, 'the client to meet the server')
  for (let i = 0; i < 100; i++) await client.set(`cli:${i}`, i)
  await client.replicated({ timeout: 10000, copies: 2 })
  first.child.kill('SIGTERM')
  assert.equal(await first.exited, 0, first.output())
  assert.match(first.output(), /SIGTERM: flushed and closed/)

  const second = await serve(['--dir', dir, '--port', '0'])
  t.after(() => second.child.kill('SIGKILL'))
  const health = await (await fetch(second.url.replace('ws://', 'http://') + '/health')).json()
  assert.equal(health.keys, 100)
  second.child.kill('SIGINT')
  assert.equal(await second.exited, 0)
})

test('a dir another server holds: exit 1 with LOCKED', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ps-cli-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const first = await serve(['--dir', dir, '--port', '0'])
  t.after(() => first.child.kill('SIGKILL'))
  const r = spawnSync(process.execPath, [CLI, 'serve', '--dir', dir, '--port', '0'], { encoding: 'utf8' })
  assert.equal(r.status, 1)
  assert.match(r.stderr, /LOCKED/)
})

test('--role n and --signaling: a weighted server peer with its signaling server, as printed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ps-cli-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const s = await serve(['--dir', dir, '--port', '0', '--role', '4', '--signaling'])
  t.after(() => s.child.kill('SIGKILL'))
  await until(() => /signaling: ws:\/\/127\.0\.0\.1:\d+/.test(s.output()), 10000, 'the signaling address')
  assert.match(s.output(), /\(ring weight 4\)/)
  s.child.kill('SIGTERM')
  assert.equal(await s.exited, 0)
})
