// The frames a WebSocket hub (js/server/hub.js) and its clients
// (js/transport/websocket.js) exchange: one text frame per message, so that
// a store's messages cross without being escaped a second time.
//
// Grammar (text frames; ID is a peer id: 1..255 UTF-8 bytes, no '\n'):
//   frame    = data | control
//   data     = ('>' ID | '<' ID | '*') '\n' payload
//              '>' client to hub: deliver to ID (the hub's own id, or a
//              client of the hub it relays to); '<' hub to client: from ID;
//              '*' broadcast (client to hub: to everyone; hub to client
//              never: a broadcast arrives as '<' from its sender)
//   control  = JSON object, one of
//              {"hello": ID, "v": 1}                       client, first frame
//              {"welcome": ID, "v": 1, "peers": [ID...]}   hub: its id, its other clients
//              {"joined": ID} | {"left": ID}               hub: a client came / went
//              {"ping": 1}                                 hub: keep-alive
// Everything a frame carries is untrusted: the store's messenger validates
// payloads; this file only splits frames and checks ids.
import { isOrigin } from '../core/versions.js'

export const HUB_PROTOCOL_VERSION = 1
/** Close codes (4000-4999 are the application's, RFC 6455 section 7.4.2). */
export const CLOSE_BAD_FRAME = 4000
export const CLOSE_ID_TAKEN = 4009
export const CLOSE_FULL = 4013
export const CLOSE_NO_HELLO = 4008

/**
 * @param {unknown} id
 * @returns {id is string} whether id is a peer id frames can carry
 */
export function isFramePeerId(id) {
  return isOrigin(id) && !id.includes('\n')
}

/**
 * @param {'>' | '<'} dir
 * @param {string} peerId
 * @param {string} payload
 * @returns {string}
 */
export function dataFrame(dir, peerId, payload) {
  return `${dir}${peerId}\n${payload}`
}

/** @param {string} payload @returns {string} */
export function broadcastFrame(payload) {
  return `*\n${payload}`
}

/** @param {Record<string, unknown>} control @returns {string} */
export function controlFrame(control) {
  return JSON.stringify(control)
}

/**
 * @typedef {{ kind: 'to' | 'from', peer: string, payload: string }
 *   | { kind: 'broadcast', payload: string }
 *   | { kind: 'control', control: Record<string, unknown> }} Frame
 */

/**
 * Splits a frame; null for anything malformed (not text, a bad id, a
 * control frame that is not a JSON object).
 * @param {unknown} text
 * @returns {Frame | null}
 */
export function parseFrame(text) {
  if (typeof text !== 'string' || text.length === 0) return null
  const c = text[0]
  if (c === '{') {
    try {
      const control = JSON.parse(text)
      return control && typeof control === 'object' && !Array.isArray(control) ? { kind: 'control', control } : null
    } catch {
      return null
    }
  }
  const nl = text.indexOf('\n')
  if (nl < 0) return null
  if (c === '*') return nl === 1 ? { kind: 'broadcast', payload: text.slice(2) } : null
  if (c !== '>' && c !== '<') return null
  const peer = text.slice(1, nl)
  if (!isFramePeerId(peer)) return null
  return { kind: c === '>' ? 'to' : 'from', peer, payload: text.slice(nl + 1) }
}
