// PeerPigeon's browser build is loaded by index.html (window.PeerPigeon;
// usePeerPigeon finds it there). The signaling server's address comes from
// the server that `npm start` runs (demo-config.json), else the same host,
// port 3000.
import { createApp } from 'vue'

import App from './App.vue'
import './style.css'

async function signalingUrl() {
  try {
    const res = await fetch('demo-config.json')
    if (res.ok) return (await res.json()).signalingUrl
  } catch {
    // no config: a static host of the demo
  }
  return `ws://${location.hostname}:3000`
}

signalingUrl().then((url) => createApp(App, { signalingUrl: url }).mount('#app'))
