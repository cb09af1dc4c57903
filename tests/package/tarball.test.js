// Packs the package, installs the tarball into a fresh project and runs a
// user's script against it: what `npm install paging-storage` gives people.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { killTrial } from '../server/durable-kill.js'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..', '..')

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

/** The packed package and the fresh project it is installed in. */
let work = ''
let app = ''
/** @type {{ filename: string, files: Array<{ path: string }> }} */
let packed

before(() => {
  work = mkdtempSync(join(tmpdir(), 'ps-tarball-'))
  packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], repo))[0]
  app = join(work, 'app')
  run('mkdir', ['-p', app], work)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, packed.filename)], app)
})

after(() => rmSync(work, { recursive: true, force: true }))

test('the packed tarball installs and works for a user script', () => {
  {
    const files = packed.files.map((f) => f.path)
    // The package is its JavaScript sources as they are (js/, vue-composable/)
    // plus the build (dist/: the wasm module and the <script> build).
    assert.ok(files.includes('js/index.js'))
    assert.ok(files.includes('dist/wasm/paging_storage.wasm'))
    assert.ok(files.includes('js/index.d.ts'))
    for (const f of files) {
      assert.ok(/^(js\/|vue-composable\/|dist\/|package\.json$|README\.md$|LICENSE$)/.test(f), `unexpected file in tarball: ${f}`)
    }

    assert.ok(readdirSync(join(app, 'node_modules')).includes('paging-storage'))
    copyFileSync(join(here, 'user-script.mjs'), join(app, 'user-script.mjs'))
    const out = JSON.parse(run('node', ['user-script.mjs'], app))

    assert.deepEqual(out.user, { name: 'Alice', age: 30 })
    assert.equal(out.exists, true)
    assert.equal(out.deleted, true)
    assert.equal(out.afterDelete, undefined)
    assert.deepEqual(out.local, [1, 2, 3])
    assert.equal(out.localDeleted, true)
    assert.deepEqual(out.setMany, [
      { key: 'key1', success: true },
      { key: 'key2', success: true },
      { key: '', success: false, code: 'INVALID_KEY' }
    ])
    assert.deepEqual(out.getMany, [['key1', 'value1'], ['key2', 'value2'], ['nope', null]])
    assert.deepEqual(out.range, [['item:1999', { i: 1999 }], ['item:1998', { i: 1998 }]])
    assert.equal(out.keys, 10)
    assert.deepEqual(out.stats, {
      totalKeys: 2002,
      totalPagesOver10: true,
      residentWithinBudget: true,
      memoryPressure: 'number',
      connectedPeers: 0,
      hasDht: 'object'
    })
    assert.equal(out.pages, true)
    assert.equal(out.diagnose, true)
    assert.deepEqual(out.export, { totalKeys: 2002, peerId: true })
    assert.equal(out.imported, 2004) // 2,002 keys and the 2 deletes (exports carry tombstones)
    assert.deepEqual(out.otherValue, { i: 1999 })
    assert.equal(out.cleared, true)
    assert.deepEqual(out.afterClear, { i: 500 })
    assert.equal(out.badValue, 'INVALID_VALUE')
    assert.equal(out.badKey, 'INVALID_KEY')
    assert.equal(out.afterShutdown, 'CLOSED')
    assert.equal(out.backgroundErrors, 0)
    assert.deepEqual(out.file, { keys: 500, last: { i: 499 } }, "the file backend, installed without install scripts")
  }
})

// Issue 17: `npx paging-storage serve` from the installed tarball; two Node
// clients write 20,000 keys and wait for replicated({ durable: true }); the
// server is killed with SIGKILL during a second burst (0.3 to 2.3 s into
// it) and restarted. Every key the clients had a durable acknowledgement
// for is in its store, in each of 10 trials.
test('the server from the tarball: SIGKILL in a burst loses no durably acknowledged key (10 trials)', { timeout: 600000 }, async () => {
  const figures = []
  for (let t = 0; t < 10; t++) {
    figures.push(await killTrial({ command: ['npx', '--no-install', 'paging-storage'], cwd: app, firstBurst: 20000, killAfterMs: 300 + ((t * 211) % 2000) }))
  }
  console.error(`kill trials: ${JSON.stringify(figures)}`)
  for (const f of figures) assert.ok(f.acked > 20000, 'some of the second burst was acknowledged before the kill')
})
