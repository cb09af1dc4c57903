// FileBackend: the persistence interface (persistence/backend.js) on disk in
// Node, in a LevelDB database (the classic-level package, whose prebuilt
// binaries install from the npm registry: no compiler). Chosen over lmdb by
// measurement (issue 17): lmdb read pages 1.5x faster in batches, and wrote
// 1.2x faster, but LevelDB's lock is exclusive and the OS releases it when
// its process dies, so a second process on the same directory gets LOCKED
// and a server killed with SIGKILL restarts at once.
//
// Layout: one database per store, at <dir>/<persistenceKey>; keys are 'p'
// + page id (8 bytes, big-endian) -> page bytes, 'r' + page id -> the page's
// manifest record, 's' -> the manifest state. writeBatch is one LevelDB
// WriteBatch (atomic: after a crash, all of it or none), written with sync
// (on disk when it resolves: a killed process, or machine, leaves the last
// completed flush) unless durability is 'relaxed' (in the OS: a process
// crash loses nothing, a machine crash may lose the last batches).
//
// Importing this module loads nothing: classic-level is imported when the
// first call opens the database (the browser build carries this file, never
// runs it: createBackend refuses 'file' outside Node).
import { PagingStorageError } from '../core/errors.js'
import { toStorageError } from './backend.js'

// A specifier bundlers leave alone (the browser build must not pull it in).
const LEVEL_MODULE = 'classic-level'
const PAGE = 0x70 // 'p'
const RECORD = 0x72 // 'r'
const STATE = Uint8Array.of(0x73) // 's'

/** @param {number} prefix @param {number} id @returns {Uint8Array} the key of a page or its record */
function idKey(prefix, id) {
  const key = new Uint8Array(9)
  key[0] = prefix
  new DataView(key.buffer).setBigUint64(1, BigInt(id))
  return key
}

/** @param {Uint8Array} v a value as classic-level gives it (a Buffer) @returns {Uint8Array} a plain view of its bytes */
const bytesOf = (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength)

/** @returns {boolean} whether this runs in Node (the file backend needs its file system) */
export function inNode() {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string'
}

export class FileBackend {
  #path
  #sync
  /** @type {Promise<any> | null} the database, once opening started */
  #db = null
  #closed = false

  /**
   * @param {string} dir the directory stores live in (created if missing)
   * @param {string} persistenceKey the store's subdirectory of dir
   * @param {'strict' | 'relaxed'} [durability] strict: each batch is on disk when
   *   writeBatch resolves; relaxed: in the OS
   */
  constructor(dir, persistenceKey, durability = 'strict') {
    this.#path = `${dir.replace(/[/\\]+$/, '')}/${encodeURIComponent(persistenceKey)}`
    this.#sync = durability === 'strict'
  }

  /** The database's directory. */
  get path() {
    return this.#path
  }

  async loadManifest() {
    const db = await this.#open()
    try {
      const state = await db.get(STATE)
      if (state === undefined) return null
      /** @type {Uint8Array[]} */
      const records = []
      for await (const value of db.values({ gte: idKey(RECORD, 0), lt: Uint8Array.of(RECORD + 1) })) records.push(bytesOf(value))
      return { state: bytesOf(state), records }
    } catch (err) {
      throw toStorageError(err, 'file: loading the manifest')
    }
  }

  /** @param {number[]} ids */
  async readPages(ids) {
    const db = await this.#open()
    /** @type {Map<number, Uint8Array>} */
    const out = new Map()
    try {
      const values = await db.getMany(ids.map((id) => idKey(PAGE, id)))
      ids.forEach((id, i) => {
        if (values[i] !== undefined) out.set(id, bytesOf(values[i]))
      })
    } catch (err) {
      throw toStorageError(err, 'file: reading pages')
    }
    return out
  }

  /** @param {{pages: Array<{id: number, bytes: Uint8Array, record: Uint8Array}>, deleted: number[], state: Uint8Array}} batch */
  async writeBatch({ pages, deleted, state }) {
    const db = await this.#open()
    const ops = []
    for (const p of pages) {
      ops.push({ type: 'put', key: idKey(PAGE, p.id), value: p.bytes }, { type: 'put', key: idKey(RECORD, p.id), value: p.record })
    }
    for (const id of deleted) ops.push({ type: 'del', key: idKey(PAGE, id) }, { type: 'del', key: idKey(RECORD, id) })
    ops.push({ type: 'put', key: STATE, value: state })
    try {
      await db.batch(ops, { sync: this.#sync })
    } catch (err) {
      throw fileError(err, 'file: writing a batch')
    }
  }

  async clear() {
    const db = await this.#open()
    try {
      await db.clear()
    } catch (err) {
      throw fileError(err, 'file: clearing')
    }
  }

  async close() {
    this.#closed = true
    const opening = this.#db
    this.#db = null
    if (opening) await opening.then((db) => db.close()).catch(() => {})
  }

  /** @returns {Promise<any>} the open database (classic-level ClassicLevel) */
  #open() {
    if (this.#closed) return Promise.reject(new PagingStorageError('CLOSED', 'file: the backend is closed'))
    this.#db ??= openLevel(this.#path).catch((err) => {
      this.#db = null // a later call tries again (the holder may have closed)
      throw err
    })
    return this.#db
  }
}

/**
 * @param {string} path
 * @returns {Promise<any>} a ClassicLevel database on path, open
 * @throws {PagingStorageError} LOCKED when another process (or instance) has it open, IO_ERROR otherwise
 */
async function openLevel(path) {
  /** @type {any} */
  let level
  try {
    level = await import(/* @vite-ignore */ LEVEL_MODULE)
  } catch (err) {
    throw new PagingStorageError('IO_ERROR', "file: the 'classic-level' package is missing (npm install classic-level)", { cause: err })
  }
  const db = new level.ClassicLevel(path, { keyEncoding: 'view', valueEncoding: 'view', createIfMissing: true })
  try {
    await db.open()
  } catch (err) {
    const e = /** @type {any} */ (err)
    if (e?.cause?.code === 'LEVEL_LOCKED' || e?.code === 'LEVEL_LOCKED') {
      throw new PagingStorageError('LOCKED', `file: ${path} is open in another process or store (one at a time)`, { cause: err })
    }
    throw toStorageError(err, `file: opening ${path}`)
  }
  return db
}

/**
 * A write failure: QUOTA_EXCEEDED when the disk is full (ENOSPC), else as toStorageError.
 * @param {unknown} err
 * @param {string} what
 */
function fileError(err, what) {
  const text = String(/** @type {any} */ (err)?.message ?? '') + String(/** @type {any} */ (err)?.cause?.message ?? '')
  if (/ENOSPC|No space left/i.test(text)) return new PagingStorageError('QUOTA_EXCEEDED', `${what}: the disk is full`, { cause: err })
  return toStorageError(err, what)
}
