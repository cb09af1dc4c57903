// Runs a browser peer scenario (a node:test file) in a fresh test runner. As
// root it runs inside a new network namespace with only loopback up, so no
// packet (STUN, signaling, WebRTC) can leave the machine; otherwise it runs
// as is, with STUN servers stripped from every RTCPeerConnection.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'

/**
 * @param {string} scenario path of a node:test file
 * @param {{ timeout?: number }} [options] timeout: ms for the scenario (default 600000)
 */
export function runIsolated(scenario, { timeout = 600000 } = {}) {
  const node = `node --test --test-timeout=${timeout} ${JSON.stringify(scenario)}`
  const root = process.getuid?.() === 0
  // A fresh test runner, not a child reporting to ours.
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT
  const opts = { encoding: 'utf8', env }
  const r = root
    ? spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && ${node}`], opts)
    : spawnSync('sh', ['-c', node], opts)
  const out = `${r.stdout}\n${r.stderr}`
  for (const line of out.split('\n')) if (/^# (\\# |tests|pass|fail)|^not ok/.test(line)) console.log(line)
  assert.match(r.stdout, /^# pass [1-9]\d*$/m, 'the scenario ran')
  assert.equal(r.status, 0, `scenario failed${root ? ' (in a loopback-only namespace)' : ''}:\n${out.slice(-4000)}`)
}
