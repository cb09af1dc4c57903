// A child process for file.test.js: writes batches 1, 2, ... to a
// FileBackend in argv[2] (20 pages holding the batch number, state the batch
// number), printing each batch number once its writeBatch has resolved,
// until it is killed.
import { FileBackend } from '../../../../js/persistence/file.js'

const f = new FileBackend(process.argv[2], 'k')
const bytes = (n) => {
  const b = new Uint8Array(4096)
  b[0] = n & 255
  b[1] = n >> 8
  return b
}
for (let n = 1; n < 65536; n++) {
  const pages = Array.from({ length: 20 }, (_, id) => ({ id, bytes: bytes(n), record: bytes(n).slice(0, 8) }))
  await f.writeBatch({ pages, deleted: [], state: bytes(n).slice(0, 2) })
  process.stdout.write(`${n}\n`)
}
