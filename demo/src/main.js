// PeerPigeon's browser build is loaded by index.html (window.PeerPigeon;
// usePeerPigeon finds it there). The signaling server's address and the
// server peer's come from the server that `npm start` runs
// (demo-config.json), else the same host, port 3000, and no server peer.
// Every tab of a browser shares one store (one tab leads).
import { createApp } from 'vue'

import App from './App.vue'
import { removeOldTabStores } from './old-tabs.js'
import './style.css'

async function config() {
  try {
    const res = await fetch('demo-config.json')
    if (res.ok) {
      const { signalingUrl, servers = [] } = await res.json()
      return { signalingUrl, servers }
    }
  } catch {
    // no config: a static host of the demo
  }
  return { signalingUrl: `ws://${location.hostname}:3000`, servers: [] }
}

// ?maxDiskPages=N gives the store a disk budget (to see what a full one does).
const budget = Number(new URLSearchParams(location.search).get('maxDiskPages'))

// Earlier versions left a database per closed tab; remove them first.
Promise.all([config(), removeOldTabStores().catch(() => 0)]).then(([{ signalingUrl, servers }]) =>
  createApp(App, { signalingUrl, servers, ...(budget > 0 ? { maxDiskPages: budget } : {}) }).mount('#app')
)
