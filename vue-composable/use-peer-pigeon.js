// usePeerPigeon: a PeerPigeonMesh connected to a signaling server, behind
// Vue refs, so the seed's Quick Start needs no code of the app's own.
//
// paging-storage never imports peerpigeon (an optional peer dependency with a
// native module): the app loads it (`import 'peerpigeon'`, which defines
// window.PeerPigeonMesh in browsers, or its browser bundle by <script>) or
// passes the class as the PeerPigeonMesh option.
// Ownership: the mesh is created by connect() and disconnected when the
// effect scope is disposed.
// Invariants: `pigeon` holds the mesh from its init() on, connected or not
// (a store attaches it at once and gets peers as they connect); one mesh per
// composable, which PeerPigeon reconnects by itself after a failed or lost
// connection to the signaling server (status follows: offline while it
// cannot reach it, connecting while it tries, connected).
import { getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, ref, shallowRef, toValue } from 'vue'
import { PagingStorageError } from 'paging-storage'
import { LINK } from './peer-pigeon-link.js'

function findMeshClass(given) {
  const Mesh = given ?? globalThis.PeerPigeonMesh ?? globalThis.PeerPigeon?.PeerPigeonMesh
  if (typeof Mesh !== 'function') {
    throw new PagingStorageError(
      'INVALID_ARGUMENT',
      "PeerPigeon is not loaded: `npm install peerpigeon --ignore-scripts`, then `import 'peerpigeon'` once in the app " +
        '(or load its browser bundle with a <script> tag), or pass { PeerPigeonMesh }'
    )
  }
  return Mesh
}

/**
 * PeerPigeon asks for the microphone on localhost pages (so that Chromium
 * reveals real local addresses instead of mDNS names); a storage library
 * must not. Its own switch is a page global read by init(); an app that set
 * it either way keeps its choice.
 * @param {boolean} request
 */
function mediaRequest(request) {
  if (typeof window === 'undefined' || 'DISABLE_LOCALHOST_MEDIA_REQUEST' in window) return
  /** @type {any} */ (window).DISABLE_LOCALHOST_MEDIA_REQUEST = !request
}

/**
 * @param {import('./index.js').UsePeerPigeonOptions} [options]
 * @returns {import('./index.js').UsePeerPigeonReturn}
 */
export function usePeerPigeon(options = {}) {
  const {
    signalingUrl,
    autoConnect = true,
    PeerPigeonMesh,
    onError,
    peerId: peerIdOption,
    requestMediaPermission = false,
    ...meshOptions
  } = options
  const pigeon = shallowRef(null)
  const status = ref('idle')
  const peerId = ref(null)
  const peers = shallowRef([])
  const error = shallowRef(null)
  /** @type {any} the mesh, from its creation until disconnect() */
  let mesh = null
  /** @type {Promise<any> | null} */
  let connecting = null
  let managed = false
  let closed = false
  const unlisten = []

  function fail(err) {
    error.value = err
    if (onError) onError(err)
  }

  function refreshPeers() {
    peers.value = mesh ? [...(mesh.getConnectedPeerIds?.() ?? [])] : []
  }

  // PeerPigeon's statusChanged types that tell where the signaling link is:
  // 'connecting' when an attempt starts, 'connected', 'disconnected' when
  // the link is lost, 'reconnecting' when it schedules the next attempt
  // (after a failed or lost one: offline until that attempt starts).
  function onStatus(e) {
    if (closed || !mesh) return
    if (e?.type === 'connected') {
      status.value = 'connected'
      error.value = null
      settleAttempt?.(null)
    } else if (e?.type === 'disconnected' || e?.type === 'reconnecting') {
      status.value = 'offline'
      settleAttempt?.(new Error(e?.message ?? 'the connection was refused or lost'))
    } else if (e?.type === 'connecting') status.value = 'connecting'
  }

  /** Ends the first connection attempt: null when connected, else why not. @type {((why: Error | null) => void) | null} */
  let settleAttempt = null

  /**
   * The first attempt's outcome. mesh.connect() alone does not tell it: in
   * Chromium a refused WebSocket fires 'error' once it is already closed,
   * and PeerPigeon's promise then never settles (it schedules a retry), so
   * its status events settle it too.
   * @param {string} target
   * @returns {Promise<void>}
   */
  function firstAttempt(target) {
    return new Promise((resolve, reject) => {
      settleAttempt = (why) => {
        settleAttempt = null
        if (why) reject(why)
        else resolve()
      }
      mesh.connect(target).then(
        () => settleAttempt?.(null),
        (err) => settleAttempt?.(err instanceof Error ? err : new Error(String(err)))
      )
    })
  }

  /** @param {string | undefined} id */
  async function createMesh(id) {
    const Mesh = findMeshClass(PeerPigeonMesh)
    mediaRequest(requestMediaPermission)
    const m = new Mesh({ enableWebDHT: false, ...meshOptions, ...(id ? { peerId: id } : {}) })
    await m.init()
    if (id && m.peerId !== id) {
      throw new PagingStorageError('INVALID_ARGUMENT', `PeerPigeon refused the peer id ${id.slice(0, 12)}… (it takes 40 hex digits)`)
    }
    mesh = m
    for (const [event, fn] of [
      ['peerConnected', refreshPeers],
      ['peerDisconnected', refreshPeers],
      ['statusChanged', onStatus]
    ]) {
      m.addEventListener(event, fn)
      unlisten.push(() => m.removeEventListener(event, fn))
    }
    peerId.value = m.peerId
    pigeon.value = m
  }

  /**
   * Creates the mesh (once), initializes it and connects it to `url` (or the
   * signalingUrl option). Resolves with the mesh once connected; rejects when
   * the signaling server cannot be reached (status 'offline': PeerPigeon
   * keeps trying, and `pigeon` already holds the mesh) or the mesh cannot be
   * made (status 'error').
   * @param {string} [url]
   * @param {string} [asPeerId] the peer id to create the mesh under
   */
  function connect(url, asPeerId) {
    if (connecting) return connecting
    closed = false
    const target = url ?? toValue(signalingUrl)
    connecting = (async () => {
      if (typeof target !== 'string' || target === '') {
        throw new PagingStorageError('INVALID_ARGUMENT', 'usePeerPigeon: no signalingUrl to connect to')
      }
      status.value = 'connecting'
      try {
        if (!mesh) await createMesh(asPeerId ?? toValue(peerIdOption) ?? undefined)
      } catch (err) {
        status.value = 'error'
        throw err
      }
      try {
        await firstAttempt(target)
      } catch (err) {
        status.value = 'offline'
        throw new PagingStorageError(
          'IO_ERROR',
          `Cannot reach the signaling server at ${target} (${err?.message ?? err}); retrying, and the store works offline meanwhile`,
          { cause: err }
        )
      }
      status.value = 'connected'
      error.value = null
      refreshPeers()
      return mesh
    })()
    connecting.catch((err) => {
      connecting = null
      fail(err)
    })
    return connecting
  }

  /** Leaves the mesh; connect() may be called again. */
  function disconnect() {
    const m = mesh
    closed = true
    for (const off of unlisten.splice(0)) off()
    mesh = null
    pigeon.value = null
    peers.value = []
    connecting = null
    if (status.value !== 'idle') status.value = 'disconnected'
    if (m) {
      try {
        m.disconnect?.()
      } catch {
        // the mesh is being dropped either way
      }
    }
  }

  /** @type {import('./peer-pigeon-link.js').PeerPigeonLink} */
  const link = {
    manage: () => {
      managed = true
    },
    connectAs: (id) => connect(undefined, id),
    status
  }
  Object.defineProperty(pigeon, LINK, { value: link })

  if (autoConnect && signalingUrl !== undefined) {
    const start = () => {
      if (!managed && toValue(signalingUrl)) connect().catch(() => {})
    }
    // Outside components, after the current task: a usePagingStorage made
    // right after this may still take the mesh over (link.manage()).
    if (getCurrentInstance()) onMounted(start)
    else queueMicrotask(start)
  }
  if (getCurrentScope()) onScopeDispose(disconnect)

  return { pigeon, connect, disconnect, status, peerId, peers, error }
}
