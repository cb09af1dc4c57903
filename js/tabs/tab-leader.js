// TabLeader: the leader tab's side of a shared store. It runs the calls the
// follower tabs send on the store held here, in the order each follower
// sent them (the store's queue keeps arrival order), answers each, and
// tells the followers what they cannot ask synchronously: every write that
// changed the store ('applied', for their change events) and a snapshot of
// the introspection (stats, ring, and pages when asked).
//
// Invariant: a call is answered exactly when it was run here. Once close()
// has begun, new calls are left unanswered (their followers send them again
// to the next leader); those already running are answered, so the channel
// stays open until the store has closed (js/tabs/shared-store.js).
import { OPS, errorToWire } from './tab-protocol.js'

/** ms between snapshots while followers listen. */
const SNAPSHOT_EVERY = 1000
/** ms after a write before the snapshot that shows it. */
const SNAPSHOT_AFTER_WRITE = 200
/** ms a follower's ask for pages (want) stays in force. */
const WANT_FOR = 5000

export class TabLeader {
  #channel
  #host
  #id
  /** Follower tab ids that said hello and not bye. @type {Set<string>} */
  #followers = new Set()
  /** @type {(() => void) | null} stops listening to the store's 'applied' and 'saved' */
  #offApplied = null
  /** Per follower tab, the id of its last write call answered (for 'saved'). @type {Map<string, number>} */
  #lastWrite = new Map()
  /** @type {any} */
  #timer = null
  /** @type {any} */
  #soon = null
  #wantUntil = 0
  #closing = false
  /** @type {() => void} stops listening to the channel */
  #off

  /**
   * @param {{ channel: { post: (m: object) => void, on: (fn: (m: any) => void) => () => void },
   *           host: import('../api/store-host.js').Backing & { watchFor: (tab: string, targets: any[]) => void }, id: string }} parts
   *   channel: the tabs' channel (validated messages); host: the store held here; id: this tab's
   */
  constructor({ channel, host, id }) {
    this.#channel = channel
    this.#host = host
    this.#id = id
    this.#off = channel.on((m) => this.#receive(m))
  }

  /** Announces this tab as the leader (the followers then send it their calls). */
  announce() {
    this.#channel.post({ t: 'leader', from: this.#id, peerId: this.#host.peerId })
  }

  /** Stops answering; the caller then closes the store and lets the lock go. */
  close() {
    this.#closing = true
    this.#off()
    this.#offApplied?.()
    clearInterval(this.#timer)
    clearTimeout(this.#soon)
    this.#channel.post({ t: 'bye', from: this.#id })
  }

  /** @param {any} m a validated tab message */
  #receive(m) {
    if (this.#closing || m.from === this.#id) return
    switch (m.t) {
      case 'hello':
        this.#follow(m.from)
        this.announce()
        this.#snapshot()
        break
      case 'want':
        this.#follow(m.from)
        this.#wantUntil = Date.now() + WANT_FOR
        this.#snapshot()
        break
      case 'bye':
        this.#host.watchFor(m.from, [])
        this.#followers.delete(m.from)
        this.#lastWrite.delete(m.from)
        if (this.#followers.size === 0) this.#quiet()
        break
      case 'calls':
        if (m.to === this.#id) for (const call of m.calls) this.#run(m.from, call)
        break
    }
  }

  /** @param {string} tab */
  #follow(tab) {
    this.#followers.add(tab)
    if (this.#offApplied === null) {
      const offs = [
        this.#host.on('applied', (applied) => this.#applied(applied)),
        this.#host.on('saved', () => this.#saved()),
        this.#host.on('progress', (progress) => this.#channel.post({ t: 'progress', from: this.#id, progress }))
      ]
      this.#offApplied = () => offs.forEach((off) => off())
      this.#timer = setInterval(() => this.#snapshot(), SNAPSHOT_EVERY)
      this.#timer.unref?.()
    }
  }

  /** No follower listens: no 'applied' listener (writes skip building events), no timer. */
  #quiet() {
    this.#offApplied?.()
    this.#offApplied = null
    clearInterval(this.#timer)
  }

  /** @param {import('../store/local-store.js').AppliedWrite[]} applied */
  #applied(applied) {
    const records = applied.map(({ record: r }) => ({ key: r.key, json: r.json, deleted: r.deleted, origin: r.origin, hlc: r.hlc }))
    this.#channel.post({ t: 'applied', from: this.#id, records })
    if (this.#soon === null) {
      this.#soon = setTimeout(() => {
        this.#soon = null
        this.#snapshot()
      }, SNAPSHOT_AFTER_WRITE)
      this.#soon.unref?.()
    }
  }

  /** A save stored every write answered before it began (answers come
   *  after the write ran, so a write that ran just before may be left for
   *  the next save: the followers keep it a while longer, never too short). */
  #saved() {
    if (this.#lastWrite.size > 0) this.#channel.post({ t: 'saved', from: this.#id, through: Object.fromEntries(this.#lastWrite) })
  }

  #snapshot() {
    if (this.#closing) return
    const host = this.#host
    /** @type {import('./tab-protocol.js').Snapshot} */
    const snap = { stats: host.stats('open'), distribution: host.distribution(), attached: host.attached, at: Date.now() }
    if (Date.now() < this.#wantUntil) {
      snap.pages = host.pages()
      snap.diagnosis = host.diagnose('open')
    }
    this.#channel.post({ t: 'snapshot', from: this.#id, snap })
  }

  /** Answers of this turn, per follower tab, posted together. @type {Map<string, object[]>} */
  #outbox = new Map()

  /** @param {string} to @param {object} answer */
  #answer(to, answer) {
    if (this.#outbox.size === 0) queueMicrotask(() => this.#postAnswers())
    const list = this.#outbox.get(to) ?? []
    this.#outbox.set(to, list)
    list.push(answer)
  }

  #postAnswers() {
    for (const [to, replies] of this.#outbox) this.#channel.post({ t: 'replies', from: this.#id, to, replies })
    this.#outbox.clear()
  }

  /**
   * Runs one call (each is queued on the store at once, so a follower's
   * calls keep their order).
   * @param {string} from @param {{ id: number, op: string, args: any[] }} call
   */
  async #run(from, { id, op, args }) {
    this.#follow(from)
    const reply = (/** @type {object} */ body) => this.#answer(from, { id, ...body })
    try {
      if (!OPS.includes(op)) throw new Error(`unknown call ${op}`)
      let value
      if (op === 'scan') {
        /** @type {import('../core/record.js').StoredRecord[]} */
        const records = []
        await this.#host.scan(args[0], (r) => records.push({ key: r.key, json: r.json, deleted: r.deleted, origin: r.origin, hlc: r.hlc }))
        value = records
      } else if (op === 'watch') {
        this.#host.watchFor(from, args[0])
      } else {
        value = await /** @type {any} */ (this.#host)[op](...args)
      }
      reply({ value })
      if (op === 'write') this.#lastWrite.set(from, Math.max(id, this.#lastWrite.get(from) ?? 0))
    } catch (err) {
      reply({ error: errorToWire(err) })
    }
  }
}
