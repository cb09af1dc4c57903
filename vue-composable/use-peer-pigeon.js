// usePeerPigeon: a PeerPigeonMesh connected to a signaling server, behind
// Vue refs, so the seed's Quick Start needs no code of the app's own.
//
// paging-storage never imports peerpigeon (an optional peer dependency with a
// native module): the app loads it (`import 'peerpigeon'`, which defines
// window.PeerPigeonMesh in browsers, or its browser bundle by <script>) or
// passes the class as the PeerPigeonMesh option.
// Ownership: the mesh is created by connect() and disconnected when the
// effect scope is disposed.
import { getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, ref, shallowRef, toValue } from 'vue'
import { PagingStorageError } from 'paging-storage'

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
 * @param {import('./index.js').UsePeerPigeonOptions} [options]
 * @returns {import('./index.js').UsePeerPigeonReturn}
 */
export function usePeerPigeon(options = {}) {
  const { signalingUrl, autoConnect = true, PeerPigeonMesh, onError, ...meshOptions } = options
  const pigeon = shallowRef(null)
  const status = ref('idle')
  const peerId = ref(null)
  const peers = shallowRef([])
  const error = shallowRef(null)
  let connecting = null
  const unlisten = []

  function refreshPeers() {
    const mesh = pigeon.value
    peers.value = mesh ? [...(mesh.getConnectedPeerIds?.() ?? [])] : []
  }

  /** Creates the mesh (once), initializes it and connects it to `url` (or
   *  the signalingUrl option). Resolves with the mesh. */
  function connect(url) {
    if (connecting) return connecting
    connecting = (async () => {
      const target = url ?? toValue(signalingUrl)
      if (typeof target !== 'string' || target === '') {
        throw new PagingStorageError('INVALID_ARGUMENT', 'usePeerPigeon: no signalingUrl to connect to')
      }
      status.value = 'connecting'
      const Mesh = findMeshClass(PeerPigeonMesh)
      const mesh = new Mesh({ enableWebDHT: false, ...meshOptions })
      await mesh.init()
      for (const event of ['peerConnected', 'peerDisconnected']) {
        mesh.addEventListener(event, refreshPeers)
        unlisten.push(() => mesh.removeEventListener(event, refreshPeers))
      }
      await mesh.connect(target)
      peerId.value = mesh.peerId
      pigeon.value = mesh
      status.value = 'connected'
      refreshPeers()
      return mesh
    })()
    connecting.catch((err) => {
      connecting = null
      status.value = 'error'
      error.value = err
      if (onError) onError(err)
    })
    return connecting
  }

  /** Leaves the mesh; connect() may be called again. */
  function disconnect() {
    const mesh = pigeon.value
    for (const off of unlisten.splice(0)) off()
    pigeon.value = null
    peers.value = []
    connecting = null
    if (status.value !== 'idle') status.value = 'disconnected'
    if (mesh) {
      try {
        mesh.disconnect?.()
      } catch {
        // the mesh is being dropped either way
      }
    }
  }

  if (autoConnect && signalingUrl !== undefined) {
    const start = () => {
      if (toValue(signalingUrl)) connect().catch(() => {})
    }
    if (getCurrentInstance()) onMounted(start)
    else start()
  }
  if (getCurrentScope()) onScopeDispose(disconnect)

  return { pigeon, connect, disconnect, status, peerId, peers, error }
}
