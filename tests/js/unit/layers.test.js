// The layer rules of eslint.config.js: a lower layer never imports a higher
// one, only js/engine/ touches the wasm byte codecs, and the Vue layer uses
// the package by its name. Each case lints a one-line snippet as if it were
// a file at that path.
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { before, describe, test } from 'node:test'
import { ESLint } from 'eslint'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** @type {ESLint} */
let eslint
before(() => {
  eslint = new ESLint({ cwd: ROOT })
})

/**
 * @param {string} file path from the repository root
 * @param {string} code
 * @returns {Promise<import('eslint').Linter.LintMessage[]>}
 */
async function lint(file, code) {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${file}` })
  return result.messages
}

/** Asserts that importing `from` in `file` breaks a layer rule, with message matching `why`. */
async function refused(file, from, why) {
  const messages = await lint(file, `import '${from}'\n`)
  assert.equal(messages.length, 1, `${file} importing ${from}: ${JSON.stringify(messages)}`)
  assert.equal(messages[0].ruleId, 'no-restricted-imports')
  assert.equal(messages[0].severity, 2)
  assert.match(messages[0].message, why)
}

/** Asserts that importing `from` in `file` is fine. */
async function allowed(file, from) {
  const messages = await lint(file, `import '${from}'\nexport { x } from '${from}'\n`)
  assert.deepEqual(messages, [], `${file} importing ${from}`)
}

describe('refused imports', () => {
  test('js/store must not import js/sync', () => refused('js/store/snippet.js', '../sync/replicator.js', /js\/store\/ must not import js\/sync\//))

  test('js/tabs imports only js/core; nothing below js/api imports js/tabs', async () => {
    await refused('js/tabs/snippet.js', '../api/store-host.js', /js\/tabs\/ must not import js\/api\//)
    await refused('js/tabs/snippet.js', '../store/local-store.js', /js\/tabs\/ must not import js\/store\//)
    await refused('js/sync/snippet.js', '../tabs/shared-store.js', /js\/sync\/ must not import js\/tabs\//)
    await allowed('js/api/snippet.js', '../tabs/shared-store.js')
    await allowed('js/tabs/snippet.js', '../core/errors.js')
  })

  test('js/core imports nothing above it', async () => {
    await refused('js/core/snippet.js', '../engine/ring.js', /js\/core\/ must not import js\/engine\//)
    await refused('js/core/snippet.js', '../store/local-store.js', /must not import js\/store\//)
    await refused('js/core/snippet.js', '../transport/transport.js', /must not import js\/transport\//)
  })

  test('only js/engine builds or reads wasm bytes', async () => {
    for (const file of ['js/api/snippet.js', 'js/sync/snippet.js', 'js/store/snippet.js', 'js/core/snippet.js']) {
      for (const codec of ['wire', 'codec', 'sync-codec']) {
        const messages = await lint(file, `import '../engine/${codec}.js'\n`)
        assert.ok(
          messages.some((m) => m.ruleId === 'no-restricted-imports' && /only js\/engine\/ builds or reads wasm bytes/.test(m.message)),
          `${file} importing ${codec}.js: ${JSON.stringify(messages)}`
        )
      }
    }
  })

  test('the other downward-only rules', async () => {
    await refused('js/engine/snippet.js', '../store/local-store.js', /js\/engine\/ must not import js\/store\//)
    await refused('js/engine/snippet.js', '../sync/protocol.js', /must not import js\/sync\//)
    await refused('js/sync/snippet.js', '../api/paging-storage.js', /js\/sync\/ must not import js\/api\//)
    await refused('js/sync/snippet.js', '../persistence/memory.js', /js\/sync\/ must not import js\/persistence\//)
    await refused('js/store/snippet.js', '../api/options.js', /js\/store\/ must not import js\/api\//)
    await refused('js/store/snippet.js', '../transport/peerpigeon.js', /must not import js\/transport\//)
    await refused('js/transport/snippet.js', '../sync/messenger.js', /js\/transport\/ must not import js\/sync\//)
    await refused('js/persistence/snippet.js', '../engine/ring.js', /js\/persistence\/ must not import js\/engine\//)
  })

  test('a nested file of a layer is covered too', () =>
    refused('js/store/deeper/snippet.js', '../../sync/replicator.js', /js\/store\/ must not import js\/sync\//))

  test("vue-composable imports the package by its name, not its files", async () => {
    await refused('vue-composable/snippet.js', '../js/index.js', /import 'paging-storage', not its files/)
    await refused('vue-composable/snippet.js', '../dist/paging-storage.global.js', /not its files/)
  })

  test('re-exports are imports too', async () => {
    const messages = await lint('js/store/snippet.js', "export { x } from '../sync/replicator.js'\n")
    assert.deepEqual(messages.map((m) => m.ruleId), ['no-restricted-imports'])
  })
})

describe('allowed imports', () => {
  test('js/sync may use the store, the engine and core', async () => {
    await allowed('js/sync/snippet.js', '../store/local-store.js')
    await allowed('js/sync/snippet.js', '../engine/ring.js')
    await allowed('js/sync/snippet.js', '../core/keys.js')
    await allowed('js/sync/snippet.js', './protocol.js')
  })

  test('js/engine may use its own byte codecs', async () => {
    await allowed('js/engine/snippet.js', './wire.js')
    await allowed('js/engine/snippet.js', './codec.js')
    await allowed('js/engine/snippet.js', './sync-codec.js')
    await allowed('js/engine/snippet.js', '../core/limits.js')
  })

  test('js/api may use every layer below it', async () => {
    await allowed('js/api/snippet.js', '../store/local-store.js')
    await allowed('js/api/snippet.js', '../sync/replicated-store.js')
    await allowed('js/api/snippet.js', '../persistence/create-backend.js')
    await allowed('js/api/snippet.js', '../transport/peerpigeon.js')
    await allowed('js/api/snippet.js', '../engine/load-module.js')
  })

  test('js/store may use the engine and persistence', async () => {
    await allowed('js/store/snippet.js', '../engine/wasm-engine.js')
    await allowed('js/store/snippet.js', '../persistence/backend.js')
  })

  test('vue-composable imports the package by name', () => allowed('vue-composable/snippet.js', 'paging-storage'))

  test('tests may import any file', () => allowed('tests/js/unit/snippet.test.js', '../../../js/engine/wire.js'))
})
