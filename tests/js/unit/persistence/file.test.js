// file.js: the persistence interface on disk (LevelDB through classic-level):
// the contract the memory backend keeps, plus what only a disk has: data
// that outlives its process, one process at a time, atomic batches whatever
// moment the process is killed at.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { FileBackend } from '../../../../js/persistence/file.js'

const dirs = []
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'ps-file-'))
  dirs.push(d)
  return d
}
const page = (id, b) => ({ id, bytes: Uint8Array.of(b, b), record: Uint8Array.of(b + 100) })

describe('FileBackend', () => {
  test('never flushed: no manifest, no pages; the database is <dir>/<persistenceKey>', async () => {
    const dir = tempDir()
    const f = new FileBackend(dir, 'my store/1')
    assert.equal(await f.loadManifest(), null)
    assert.deepEqual(await f.readPages([1, 2]), new Map())
    assert.equal(f.path, `${dir}/my%20store%2F1`)
    await f.close()
  })

  test('writeBatch stores pages, records and state; a later batch replaces and deletes; all of it outlives a reopen', async () => {
    const dir = tempDir()
    const f = new FileBackend(dir, 'k')
    await f.writeBatch({ pages: [page(1, 1), page(2, 2), page(2 ** 40, 3)], deleted: [], state: Uint8Array.of(9) })
    await f.writeBatch({ pages: [page(1, 50)], deleted: [2], state: Uint8Array.of(10) })
    await f.close()
    const g = new FileBackend(dir, 'k')
    const manifest = await g.loadManifest()
    assert.deepEqual(manifest?.state, Uint8Array.of(10))
    assert.deepEqual(manifest?.records.map((r) => r[0]).sort(), [103, 150])
    const pages = await g.readPages([2 ** 40, 2, 1, 7])
    assert.deepEqual(pages.get(1), Uint8Array.of(50, 50))
    assert.deepEqual(pages.get(2 ** 40), Uint8Array.of(3, 3), 'ids past 32 bits')
    assert.equal(pages.has(2), false, 'deleted')
    assert.equal(pages.has(7), false, 'a missing page is absent from the map')
    await g.clear()
    assert.equal(await g.loadManifest(), null)
    await g.close()
  })

  test('stores under other persistenceKeys never see each other', async () => {
    const dir = tempDir()
    const a = new FileBackend(dir, 'a')
    const b = new FileBackend(dir, 'b')
    await a.writeBatch({ pages: [page(1, 1)], deleted: [], state: Uint8Array.of(1) })
    assert.equal(await b.loadManifest(), null)
    await Promise.all([a.close(), b.close()])
  })

  test('one instance at a time: a second gets LOCKED until the first closes; a closed one refuses with CLOSED', async () => {
    const dir = tempDir()
    const a = new FileBackend(dir, 'k')
    await a.loadManifest()
    const b = new FileBackend(dir, 'k')
    await assert.rejects(b.loadManifest(), { code: 'LOCKED' })
    await a.close()
    assert.equal(await b.loadManifest(), null, 'it may open once the first has closed')
    await assert.rejects(a.readPages([1]), { code: 'CLOSED' })
    await b.close()
  })

  test('a directory that cannot be made (a file is in the way) is an IO_ERROR', async () => {
    const file = join(tempDir(), 'a-file')
    writeFileSync(file, 'x')
    const f = new FileBackend(file, 'k')
    await assert.rejects(f.loadManifest(), { code: 'IO_ERROR' })
  })
})

describe('FileBackend, killed while writing', () => {
  const writer = fileURLToPath(new URL('./file-writer.mjs', import.meta.url))

  /**
   * Runs the writer (batches n = 1, 2, ...: 20 pages each holding n, and
   * state n), kills it with SIGKILL `ms` after its first completed batch
   * (waited for: a loaded machine starts it slowly), and answers the last
   * batch it saw completed and what the directory holds after.
   */
  async function killedAfter(dir, ms) {
    const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    let acked = 0
    child.stdout.on('data', (d) => {
      for (const line of String(d).split('\n')) if (line) acked = Math.max(acked, Number(line))
    })
    const exited = new Promise((r) => child.on('exit', r))
    for (const end = Date.now() + 30000; acked === 0 && child.exitCode === null && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5))
    await new Promise((r) => setTimeout(r, ms))
    child.kill('SIGKILL')
    await exited
    const f = new FileBackend(dir, 'k')
    const manifest = await f.loadManifest()
    const pages = await f.readPages(Array.from({ length: 20 }, (_, i) => i))
    await f.close()
    return { acked, manifest, pages }
  }

  test('every trial reopens with the last completed batch whole, and nothing of a later one (10 trials)', async () => {
    const results = []
    for (let trial = 0; trial < 10; trial++) {
      const dir = tempDir()
      const { acked, manifest, pages } = await killedAfter(dir, 50 + trial * 37)
      assert.ok(acked > 0, 'the writer completed batches before it was killed')
      const n = manifest === null ? 0 : manifest.state[0] + 256 * manifest.state[1]
      // The batch in flight may have landed whole; never less than what completed.
      assert.ok(n === acked || n === acked + 1, `trial ${trial}: state ${n}, ${acked} completed`)
      for (const [id, bytes] of pages) assert.equal(bytes[0] + 256 * bytes[1], n, `trial ${trial}: page ${id} is of batch ${n}`)
      assert.equal(pages.size, 20)
      assert.equal(manifest?.records.length, 20)
      results.push(`${acked}/${n}`)
    }
    console.error(`file backend, SIGKILL while writing: completed/reopened batch per trial ${results.join(' ')}`)
  })
})
