// Every module of js/ has its unit test file at tests/js/unit/<same path>.test.js,
// except those listed here with where they are tested instead.
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const js = join(here, '..', '..', '..', 'js')

const TESTED_ELSEWHERE = {
  'index.js': 're-exports only; tests/types/implementation.ts checks them against index.d.ts',
  'api/paging-storage.js': 'the public API: tests/js/api.test.js, tests/js/model.test.js, tests/sim',
  'core/log.js': 'one call into the debug package',
  'engine/load-module.js': 'every suite that opens a store loads the module through it',
  'persistence/indexeddb.js': 'needs a browser: tests/browser/persistence.test.js',
  'sync/sync-context.js': 'JSDoc types only',
  'sync/wire-checks.js': 'the checks decode() uses: tests/js/unit/sync/protocol.test.js (every bad form of every message)',
  'sync/sync-parts.js': 'wiring only: every ReplicatedStore test (tests/js/unit/sync/replicated-store.test.js, tests/sim)',
  'transport/transport.js': 'the interface, a JSDoc type only',
  'api/backing.js': 'tests/js/tabs.test.js (shared) and every API test (alone)',
  'tabs/shared-store.js': 'tabs played in one realm: tests/js/tabs.test.js; real tabs: tests/browser/tabs-scenario.js',
  'tabs/tab-leader.js': 'tests/js/tabs.test.js, tests/browser/tabs-scenario.js',
  'tabs/tab-follower.js': 'tests/js/tabs.test.js, tests/browser/tabs-scenario.js'
}

/** @param {string} dir @returns {string[]} paths relative to js/ */
function modules(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return modules(path)
    return e.name.endsWith('.js') ? [relative(js, path)] : []
  })
}

test('every module of js/ has a unit test file (or says where it is tested)', () => {
  const missing = modules(js).filter(
    (m) => !(m in TESTED_ELSEWHERE) && !existsSync(join(here, m.replace(/\.js$/, '.test.js')))
  )
  assert.deepEqual(missing, [])
  for (const m of Object.keys(TESTED_ELSEWHERE)) assert.ok(existsSync(join(js, m)), `${m} is listed but gone`)
})
