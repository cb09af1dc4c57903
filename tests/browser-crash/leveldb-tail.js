// Works around a LevelDB bug that Chromium's IndexedDB hits after a SIGKILL
// (google/leveldb#1287, fix proposed in google/leveldb#1336):
//
//   1. The browser is killed between the write() of a log record's header and
//      its payload (or between the fragments of a large record): the write-ahead
//      log (NNNNNN.log) or MANIFEST ends with an incomplete record.
//   2. The next launch opens the database. log::Reader treats the incomplete
//      tail as "the writer died mid-record" and drops it silently, but with
//      options.reuse_logs (which Chromium sets) the same file is reopened for
//      append, and new records go after the torn bytes.
//   3. The launch after that reads the torn header followed by unrelated bytes:
//      "Corruption: checksum mismatch". Chromium's IndexedDB (paranoid checks)
//      then deletes the whole backing store and starts empty ("IndexedDB
//      recovering from a corrupted (and deleted) database").
//
// Dropping the incomplete tail ourselves before the relaunch is exactly what
// LevelDB does with it at step 2 (the record never completed, so no commit
// depended on it); it only keeps step 2 from turning the dropped bytes into
// mid-file corruption.
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const BLOCK = 32768
const HEADER = 7
const FULL = 1
const FIRST = 2
const LAST = 4

/** Byte length of the leading run of complete records in a LevelDB log file
 *  (the file's own length when it does not end mid-record). */
export function completeLength(buf) {
  let off = 0
  let end = 0 // end of the last complete logical record
  let inFragments = false
  while (off < buf.length) {
    const room = BLOCK - (off % BLOCK)
    if (room < HEADER) {
      // Block trailer: zero padding up to the next block.
      off += room
      if (!inFragments) end = Math.min(off, buf.length)
      continue
    }
    if (buf.length - off < HEADER) break // torn header
    const len = buf[off + 4] | (buf[off + 5] << 8)
    const type = buf[off + 6]
    if (off + HEADER + len > buf.length) break // torn payload
    off += HEADER + len
    if (type === FIRST) inFragments = true
    else if (type === FULL || type === LAST) inFragments = false
    if (!inFragments) end = off
  }
  return end
}

/** Truncates incomplete trailing records off every IndexedDB LevelDB log and
 *  MANIFEST in `profile` (Chromium must not be running on it).
 *  @returns {{file: string, from: number, to: number}[]} what was cut */
export function dropTornLogTails(profile) {
  const root = join(profile, 'Default', 'IndexedDB')
  const cut = []
  if (!existsSync(root)) return cut
  for (const dir of readdirSync(root)) {
    if (!dir.endsWith('.leveldb')) continue
    for (const name of readdirSync(join(root, dir))) {
      if (!/^\d+\.log$/.test(name) && !name.startsWith('MANIFEST-')) continue
      const file = join(root, dir, name)
      const buf = readFileSync(file)
      const keep = completeLength(buf)
      if (keep === buf.length) continue
      const fd = openSync(file, 'r+')
      try {
        ftruncateSync(fd, keep)
      } finally {
        closeSync(fd)
      }
      cut.push({ file, from: buf.length, to: keep })
    }
  }
  return cut
}
