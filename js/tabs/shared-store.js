// SharedStore: the Backing of a PagingStorage whose persistenceKey every
// tab of the app shares. One tab, elected with the store's Web Lock, holds
// the store (a StoreHost: engine, backend, network) and serves the others
// (TabLeader); every other tab follows (TabFollower), its calls forwarded to
// the leader. When the leader's tab closes or crashes, the browser lets its
// lock go and the next tab in the lock's queue opens the store from the
// backend and takes the lead; the calls made meanwhile wait (they are
// pending, not failed) and then run on the new leader.
//
// Invariant: calls reach the store in the order this tab made them, through
// every change of role (TabFollower invariant 1; the handover queues the
// pending calls on the new store before any later call).
import { Emitter } from '../core/emitter.js'
import { logger } from '../core/log.js'
import { LeaderElection } from './election.js'
import { TabFollower } from './tab-follower.js'
import { TabLeader } from './tab-leader.js'
import { channelName, isTabMessage, tabId } from './tab-protocol.js'

const log = logger('tabs')

/** The tabs' BroadcastChannel, delivering only well-formed messages. */
class TabChannel {
  #bc
  /** @type {Set<(m: any) => void>} */
  #listeners = new Set()

  /** @param {string} name */
  constructor(name) {
    this.#bc = new BroadcastChannel(name)
    this.#bc.onmessage = (/** @type {MessageEvent} */ e) => {
      if (!isTabMessage(e.data)) return
      for (const fn of [...this.#listeners]) fn(e.data)
    }
  }

  /** @param {object} m */
  post(m) {
    this.#bc.postMessage(m)
  }

  /** @param {(m: any) => void} fn @returns {() => void} */
  on(fn) {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  close() {
    this.#listeners.clear()
    this.#bc.close()
  }
}

/** The events of the current backing this one passes on. */
const RELAYED = ['applied', 'progress']

export class SharedStore {
  /** @type {'follower' | 'leader'} until elected, a follower */
  role = 'follower'
  #id = tabId()
  #channel
  #election
  #follower
  /** @type {import('../api/store-host.js').Backing | null} once elected */
  #host = null
  /** @type {TabLeader | null} */
  #leader = null
  #makeHost
  #events = new Emitter()
  /** @type {Map<string, () => void>} event -> the relay of it from the current backing, while listened to */
  #relay = new Map()
  #closing = false
  #onRole
  /** @type {import('../api/store-host.js').Backing} where calls go now */
  #current

  /**
   * Synchronous: the election runs in the background.
   * @param {ReturnType<typeof import('../api/options.js').normalizeOptions>} opts
   * @param {{ locks: { request: Function }, lockName: string,
   *           makeHost: () => import('../api/store-host.js').Backing & { watchFor: (tab: string, targets: any[]) => void },
   *           loadModule: () => Promise<any>,
   *           makeRing: (module: any, members: string[], weights: number[]) => import('../engine/ring.js').RingView,
   *           emptyStats: (state: string) => import('../index.js').StorageStats,
   *           onRole: (role: 'leader' | 'follower') => void }} parts
   *   makeHost: opens the store in this tab (its lock is held: the election's);
   *   onRole: told when this tab takes the lead
   */
  constructor(opts, { locks, lockName, makeHost, loadModule, makeRing, emptyStats, onRole }) {
    this.#channel = new TabChannel(channelName(lockName))
    this.#election = new LeaderElection(locks, lockName)
    this.#makeHost = makeHost
    this.#onRole = onRole
    this.#follower = new TabFollower({ channel: this.#channel, id: this.#id, opts, loadModule, makeRing, emptyStats })
    this.#current = /** @type {any} */ (this.#follower)
    /** @type {(v?: any) => void} */
    let resolve = () => {}
    /** @type {(e: any) => void} */
    let reject = () => {}
    /** Resolves once calls can run: a leader is known, or this tab's store is open. @type {Promise<void>} */
    this.ready = new Promise((res, rej) => {
      resolve = res
      reject = rej
    })
    this.ready.catch(() => {})
    this.#follower.ready.then(resolve)
    this.#election.tryLead().then(
      (leads) => {
        if (leads) return this.#lead(resolve, reject)
        log('%s follows', this.#id)
        this.#follower.start()
        this.#election.waitToLead().then((won) => {
          if (won) this.#lead(resolve, reject)
        })
      },
      (err) => reject(err)
    )
  }

  get peerId() {
    return this.#current.peerId
  }

  /**
   * This tab holds the lock: open the store here, hand it the calls that
   * wait, and serve the other tabs.
   * @param {(v?: any) => void} resolve @param {(e: any) => void} reject ready's
   */
  async #lead(resolve, reject) {
    // Closing, with calls the last leader took to its grave: run them here
    // first (close() waits for them), then let go.
    if (this.#closing && !this.#follower.hasPending) return this.#election.release()
    log('%s leads', this.#id)
    const host = this.#makeHost()
    try {
      await host.ready
    } catch (err) {
      // This tab cannot open it: the next tab in the queue tries.
      this.#channel.post({ t: 'failed', from: this.#id, error: { message: String(/** @type {any} */ (err)?.message ?? err) } })
      this.#election.release()
      reject(err)
      return
    }
    if (this.#closing) {
      this.#follower.handover(host)
      await host.close()
      return this.#election.release()
    }
    if (this.#follower.standby) {
      try {
        host.attach(this.#follower.standby)
      } catch {
        // a mesh under another peer id: the app attaches its own (attach())
      }
    }
    this.#host = host
    this.role = 'leader'
    this.#follower.handover(host)
    this.#current = host
    host.watch(this.#watching)
    for (const [event, off] of [...this.#relay]) {
      off()
      this.#relayFrom(event)
    }
    this.#leader = new TabLeader({ channel: this.#channel, host, id: this.#id })
    this.#leader.announce()
    resolve()
    this.#onRole('leader')
  }

  // ---- Backing: every call goes to the current backing ----

  /** @param {any[]} ops */
  write(ops) {
    return this.#current.write(ops)
  }

  /** @param {string[]} keys */
  read(keys) {
    return this.#current.read(keys)
  }

  /** @param {string[]} keys */
  readLocal(keys) {
    return this.#current.readLocal(keys)
  }

  /** @type {import('../api/store-host.js').Backing['scan']} */
  scan(range, onRecord) {
    return this.#current.scan(range, onRecord)
  }

  flush() {
    return this.#current.flush()
  }

  clearCache() {
    return this.#current.clearCache()
  }

  compact() {
    return this.#current.compact()
  }

  /** @param {number} timeoutMs */
  replicated(timeoutMs, copies, durable) {
    return this.#current.replicated(timeoutMs, copies, durable)
  }

  /** @param {unknown} network */
  attach(network) {
    this.#current.attach(network)
  }

  detach() {
    this.#current.detach()
  }

  get attached() {
    return this.#current.attached
  }

  /** What this tab's app watches, given again to each new backing. @type {any[]} */
  #watching = []

  /** @type {import('../api/store-host.js').Backing['watch']} */
  watch(targets) {
    this.#watching = targets
    this.#current.watch(targets)
  }

  /** @type {import('../api/store-host.js').Backing['on']} */
  on(event, fn) {
    const off = this.#events.on(event, fn)
    if (RELAYED.includes(event) && !this.#relay.has(event)) this.#relayFrom(event)
    return () => {
      off()
      if (this.#events.has(event)) return
      this.#relay.get(event)?.()
      this.#relay.delete(event)
    }
  }

  /** @param {string} state */
  stats(state) {
    return this.#current.stats(state)
  }

  pages() {
    return this.#current.pages()
  }

  /** @param {string} state */
  diagnose(state) {
    return this.#current.diagnose(state)
  }

  distribution() {
    return this.#current.distribution()
  }

  /** @param {string[]} keys */
  replicasFor(keys) {
    return this.#current.replicasFor(keys)
  }

  /** A leader stops serving, closes its store, then lets the lock go (the
   *  next tab takes over); a follower waits for its calls' answers. */
  async close() {
    this.#closing = true
    try {
      if (this.#host) {
        this.#leader?.close()
        await this.#host.close()
      } else {
        await this.#follower.close()
      }
    } finally {
      this.#election.release()
      this.#channel.close()
    }
  }

  /** Relays the current backing's 'applied' writes to this one's listeners
   *  (errors reach the PagingStorage through its host's onError). */
  /** @param {string} event 'applied' or 'progress' */
  #relayFrom(event) {
    this.#relay.set(
      event,
      this.#current.on(/** @type {'applied' | 'progress'} */ (event), (payload) => this.#events.emit(event, payload))
    )
  }
}
