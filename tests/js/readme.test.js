// Every ```js block of the README runs as written (as an ES module that
// imports 'paging-storage' by name) and exits cleanly.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const readme = readFileSync(join(here, '..', '..', 'README.md'), 'utf8')
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])

test('the README has JavaScript examples', () => {
  assert.ok(blocks.length >= 5, `found ${blocks.length}`)
})

blocks.forEach((code, i) => {
  const title = code.split('\n')[0].slice(0, 60)
  test(`README example ${i + 1}: ${title}`, () => {
    // Beside this file, so the package resolves by its own name.
    const file = join(here, `.readme-example-${i + 1}.mjs`)
    writeFileSync(file, code)
    try {
      execFileSync('node', [file], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 })
    } catch (err) {
      assert.fail(`example ${i + 1} failed:\n${code}\n${err.stderr}`)
    } finally {
      rmSync(file, { force: true })
    }
  })
})
