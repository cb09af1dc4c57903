// `npm pack` on a clone that was not built must not produce a package
// without its wasm module (it used to pack three files without a warning):
// prepack builds, and without Emscripten it fails loudly.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

test('npm pack on an unbuilt clone without Emscripten fails loudly instead of packing no wasm', () => {
  const clone = mkdtempSync(join(tmpdir(), 'ps-unbuilt-'))
  try {
    for (const f of ['package.json', 'LICENSE', 'README.md', 'js', 'vue-composable', 'scripts']) {
      cpSync(join(repo, f), join(clone, f), { recursive: true })
    }
    const r = spawnSync('npm', ['pack', '--dry-run', '--ignore-scripts=false'], {
      cwd: clone,
      encoding: 'utf8',
      env: { ...process.env, EMCMAKE: join(clone, 'no-such-emcmake') }
    })
    assert.notEqual(r.status, 0, `npm pack succeeded:\n${r.stdout}`)
    assert.match(r.stderr, /Emscripten \(emcmake\) is not installed/)
  } finally {
    rmSync(clone, { recursive: true, force: true })
  }
})
