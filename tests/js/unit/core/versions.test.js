import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { loadModule } from '../../../../js/engine/load-module.js'
import { WasmEngine } from '../../../../js/engine/wasm-engine.js'

import { HLC_LOGICAL_BITS } from '../../../../js/core/limits.js'
import {
  MAX_ORIGIN_BYTES,
  ZERO_HLC,
  compareVersions,
  hlcAtWallMs,
  hlcWallMs,
  isFromFuture,
  isHlc,
  isOrigin,
  isVersion
} from '../../../../js/core/versions.js'

const H = '0000018f00000001'

describe('isHlc', () => {
  test('16 lowercase hex digits', () => {
    assert.equal(isHlc(H), true)
    assert.equal(isHlc(ZERO_HLC), true)
    assert.equal(isHlc('ffffffffffffffff'), true)
  })

  for (const bad of ['0000018F00000001', '000018f00000001', '00000018f00000001', '000001 8f0000001', '0x00018f0000001', '', null, 1, 0x18f00000001n]) {
    test(`refuses ${String(bad)}`, () => assert.equal(isHlc(bad), false))
  }
})

describe('isVersion', () => {
  test('a non-zero hlc and a valid origin', () => {
    assert.equal(isVersion(H, 'peer-a'), true)
    assert.equal(isVersion('0000000000000001', 'p'), true)
  })

  test('the zero hlc is never a version', () => {
    assert.equal(isVersion(ZERO_HLC, 'peer-a'), false)
  })

  test('uppercase hex is refused', () => {
    assert.equal(isVersion('0000018F00000001', 'peer-a'), false)
    assert.equal(isVersion('ABCDEF0000000001', 'peer-a'), false)
  })

  test('origin length: 0 refused, 255 accepted, 256 refused', () => {
    assert.equal(MAX_ORIGIN_BYTES, 255)
    assert.equal(isVersion(H, ''), false)
    assert.equal(isVersion(H, 'o'.repeat(255)), true)
    assert.equal(isVersion(H, 'o'.repeat(256)), false)
  })

  test('regression: origin length is counted in UTF-8 bytes, as the engine counts it', () => {
    assert.equal(isVersion(H, 'é'.repeat(127)), true) // 254 bytes
    assert.equal(isVersion(H, 'é'.repeat(127) + 'x'), true) // 255
    assert.equal(isVersion(H, 'é'.repeat(128)), false) // 256 bytes, 128 units
    assert.equal(isVersion(H, '😀'.repeat(63) + 'abc'), true) // 255
    assert.equal(isVersion(H, '😀'.repeat(64)), false) // 256
    assert.equal(isOrigin('€'.repeat(86)), false) // 258 bytes, 86 units
  })

  test('an origin with a lone surrogate is refused', () => {
    assert.equal(isVersion(H, 'peer\ud800'), false)
    assert.equal(isVersion(H, '\udc00'), false)
    assert.equal(isVersion(H, 'peer😀'), true)
  })

  test('non-string parts are refused', () => {
    assert.equal(isVersion(H, 1), false)
    assert.equal(isVersion(H, null), false)
    assert.equal(isVersion(undefined, 'p'), false)
    assert.equal(isVersion(1, 'p'), false)
  })

  test('isOrigin is the origin half of it', () => {
    assert.equal(isOrigin('p'), true)
    assert.equal(isOrigin(''), false)
    assert.equal(isOrigin('\ud800'), false)
  })
})

describe('isVersion agrees with the engine', () => {
  test('origins the engine takes in a merge are exactly those isVersion accepts', async () => {
    const module = await loadModule()
    const engine = new WasmEngine(
      module,
      { peerId: 'me', pageSize: 4096, splitThreshold: 3276, mergeThreshold: 819, maxMemoryPages: 10, maxKeyBytes: 64, maxValueBytes: 64, virtualNodes: 1 },
      null
    )
    try {
      const origins = ['o', 'o'.repeat(255), 'o'.repeat(256), 'é'.repeat(127), 'é'.repeat(128), '😀'.repeat(63) + 'abc', '😀'.repeat(64), '€'.repeat(85), '€'.repeat(86)]
      const ops = origins.map((origin, i) => ({ type: /** @type {const} */ ('merge'), key: `k${i}`, hlc: H, origin, deleted: false, json: '1' }))
      const { results } = engine.applyOps(engine.encodeOps(ops), 0, 1000, false)
      origins.forEach((origin, i) => {
        assert.equal(results[i].code === 0, isVersion(H, origin), `${origin.length} units, ${Buffer.byteLength(origin)} bytes`)
      })
    } finally {
      engine.close()
    }
  })
})

describe('compareVersions', () => {
  test('orders by hlc first', () => {
    assert.ok(compareVersions('0000000000000001', 'z', '0000000000000002', 'a') < 0)
    assert.ok(compareVersions('0000000000000010', 'a', '000000000000000f', 'z') > 0)
    assert.ok(compareVersions('1000000000000000', 'a', '0fffffffffffffff', 'a') > 0)
  })

  test('then by origin in UTF-8 byte order', () => {
    assert.ok(compareVersions(H, 'a', H, 'b') < 0)
    assert.ok(compareVersions(H, 'b', H, 'a') > 0)
    assert.ok(compareVersions(H, 'a', H, 'ab') < 0)
    // Byte order, not UTF-16 order: U+FFFF < U+10000.
    assert.ok(compareVersions(H, '\uffff', H, '\u{10000}') < 0)
  })

  test('equal versions compare 0', () => {
    assert.equal(compareVersions(H, 'peer', H, 'peer'), 0)
  })

  test('is antisymmetric over a sample', () => {
    const versions = [
      [H, 'a'],
      [H, 'b'],
      ['0000018f00000002', 'a'],
      ['0000018f00010000', '😀'],
      ['0000018f00010000', '\uffff']
    ]
    for (const [ah, ao] of versions) {
      for (const [bh, bo] of versions) {
        assert.equal(Math.sign(compareVersions(ah, ao, bh, bo)) + Math.sign(compareVersions(bh, bo, ah, ao)), 0)
      }
    }
  })
})

describe('hlcAtWallMs / hlcWallMs', () => {
  test('the wall clock sits above the logical bits', () => {
    assert.equal(HLC_LOGICAL_BITS, 16)
    assert.equal(hlcAtWallMs(1), '0000000000010000')
    assert.equal(hlcAtWallMs(0), ZERO_HLC)
    assert.equal(BigInt('0x' + hlcAtWallMs(1700000000000)), 1700000000000n << 16n)
  })

  test('round trip on whole milliseconds', () => {
    for (const ms of [0, 1, 999, 1700000000000, Date.UTC(2100, 0, 1), 2 ** 48 - 1]) {
      const hlc = hlcAtWallMs(ms)
      assert.ok(isHlc(hlc), hlc)
      assert.equal(hlcWallMs(hlc), ms)
    }
  })

  test('fractions are floored, negatives clamp to zero', () => {
    assert.equal(hlcAtWallMs(12.9), hlcAtWallMs(12))
    assert.equal(hlcAtWallMs(-5), ZERO_HLC)
  })

  test('hlcAtWallMs is the smallest hlc at that time', () => {
    const ms = 1700000000000
    const at = hlcAtWallMs(ms)
    const later = (BigInt('0x' + at) + 0xffffn).toString(16).padStart(16, '0')
    assert.equal(hlcWallMs(later), ms)
    assert.ok(compareVersions(at, 'a', later, 'a') < 0)
    const before = (BigInt('0x' + at) - 1n).toString(16).padStart(16, '0')
    assert.equal(hlcWallMs(before), ms - 1)
  })

  test('hlc order agrees with wall-clock order', () => {
    assert.ok(hlcAtWallMs(1000) < hlcAtWallMs(1001))
    assert.ok(hlcAtWallMs(0xfff) < hlcAtWallMs(0x1000))
  })
})

describe('isFromFuture', () => {
  const now = 1700000000000
  test('more than maxDrift after now is from the future', () => {
    assert.equal(isFromFuture(hlcAtWallMs(now + 1001), now, 1000), true)
  })

  test('exactly maxDrift after now is not', () => {
    assert.equal(isFromFuture(hlcAtWallMs(now + 1000), now, 1000), false)
    // The logical counter does not move the wall clock.
    const top = (BigInt('0x' + hlcAtWallMs(now + 1000)) + 0xffffn).toString(16).padStart(16, '0')
    assert.equal(isFromFuture(top, now, 1000), false)
  })

  test('the past and the present are not', () => {
    assert.equal(isFromFuture(hlcAtWallMs(now), now, 0), false)
    assert.equal(isFromFuture(hlcAtWallMs(now - 1e9), now, 0), false)
    assert.equal(isFromFuture(hlcAtWallMs(now + 1), now, 0), true)
  })
})
