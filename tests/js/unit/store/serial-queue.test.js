import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { SerialQueue } from '../../../../js/store/serial-queue.js'

const RUN_LIMIT = 8192

function deferred() {
  let resolve, reject
  const promise = new Promise((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve: /** @type {any} */ (resolve), reject: /** @type {any} */ (reject) }
}

/** Lets every queued microtask (and promise chain) run. */
const settle = () => new Promise((r) => setImmediate(r))

/** A queue whose runs echo their items, recording each run. */
function recording({ ready = Promise.resolve(), writes, reads } = {}) {
  const runs = []
  const q = new SerialQueue({
    ready,
    runWrites: (items) => {
      runs.push(['write', [...items]])
      return writes ? writes(items) : items.map((x) => `w:${x}`)
    },
    runReads: (items) => {
      runs.push(['read', [...items]])
      return reads ? reads(items) : items.map((x) => `r:${x}`)
    }
  })
  return { q, runs }
}

describe('SerialQueue order and coalescing', () => {
  test('consecutive writes coalesce into one run; each job gets its own results', async () => {
    const { q, runs } = recording()
    const a = q.write([1, 2])
    const b = q.write([3])
    const c = q.write([4, 5, 6])
    assert.deepEqual(await Promise.all([a, b, c]), [['w:1', 'w:2'], ['w:3'], ['w:4', 'w:5', 'w:6']])
    assert.deepEqual(runs, [['write', [1, 2, 3, 4, 5, 6]]])
  })

  test('consecutive reads coalesce too, apart from writes', async () => {
    const { q, runs } = recording()
    const results = await Promise.all([q.read(['a']), q.read(['b']), q.write([1]), q.read(['c']), q.read(['d'])])
    assert.deepEqual(results, [['r:a'], ['r:b'], ['w:1'], ['r:c'], ['r:d']])
    assert.deepEqual(runs, [
      ['read', ['a', 'b']],
      ['write', [1]],
      ['read', ['c', 'd']]
    ])
  })

  test('jobs run and settle in call order across kinds; a task runs alone', async () => {
    const { q, runs } = recording()
    const settled = []
    const track = (name, p) => p.then(() => settled.push(name))
    await Promise.all([
      track('w1', q.write([1])),
      track('t1', q.task(() => runs.push(['task', 't1']))),
      track('w2', q.write([2])),
      track('r1', q.read(['x'])),
      track('t2', q.task(async () => runs.push(['task', 't2']))),
      track('w3', q.write([3]))
    ])
    assert.deepEqual(settled, ['w1', 't1', 'w2', 'r1', 't2', 'w3'])
    assert.deepEqual(runs, [
      ['write', [1]],
      ['task', 't1'],
      ['write', [2]],
      ['read', ['x']],
      ['task', 't2'],
      ['write', [3]]
    ])
  })

  test('a task resolves with what fn returns (sync or async)', async () => {
    const { q } = recording()
    assert.equal(await q.task(() => 7), 7)
    assert.equal(await q.task(async () => 'x'), 'x')
  })

  test('at most one run or task at a time, even when runs await', async () => {
    let active = 0
    let most = 0
    const slow = async (items) => {
      active++
      most = Math.max(most, active)
      await settle()
      active--
      return items
    }
    const q = new SerialQueue({ ready: Promise.resolve(), runWrites: slow, runReads: slow })
    await Promise.all([q.write([1]), q.task(() => slow([0])), q.read([2]), q.write([3]), q.task(() => slow([0]))])
    assert.equal(most, 1)
  })

  test('jobs queued while a run awaits join the next run', async () => {
    const gate = deferred()
    const runs = []
    const q = new SerialQueue({
      ready: Promise.resolve(),
      runWrites: async (items) => {
        runs.push([...items])
        if (runs.length === 1) await gate.promise
        return items
      },
      runReads: (items) => items
    })
    const first = q.write([1])
    await settle()
    const second = q.write([2])
    const third = q.write([3])
    gate.resolve()
    assert.deepEqual(await Promise.all([first, second, third]), [[1], [2], [3]])
    assert.deepEqual(runs, [[1], [2, 3]])
  })
})

describe('SerialQueue: the first call of a turn runs at once', () => {
  /** A ready queue (its ready has been seen). */
  async function readyRecording(opts) {
    const r = recording(opts)
    await settle()
    return r
  }

  test('an idle queue runs a write or a read synchronously', async () => {
    const { q, runs } = await readyRecording()
    const w = q.write([1])
    assert.deepEqual(runs, [['write', [1]]])
    assert.deepEqual(await w, ['w:1'])
    await settle()
    const r = q.read(['a'])
    assert.deepEqual(runs, [['write', [1]], ['read', ['a']]])
    assert.deepEqual(await r, ['r:a'])
  })

  test('later calls of the same turn coalesce into one run, after it', async () => {
    const { q, runs } = await readyRecording()
    const all = [q.write([1]), q.write([2]), q.write([3]), q.read(['x'])]
    assert.deepEqual(runs, [['write', [1]]])
    assert.deepEqual(await Promise.all(all), [['w:1'], ['w:2'], ['w:3'], ['r:x']])
    assert.deepEqual(runs, [
      ['write', [1]],
      ['write', [2, 3]],
      ['read', ['x']]
    ])
  })

  test('awaited calls each run at once, in order', async () => {
    const { q, runs } = await readyRecording()
    for (let i = 0; i < 5; i++) assert.deepEqual(await q.write([i]), [`w:${i}`])
    assert.deepEqual(runs, [0, 1, 2, 3, 4].map((i) => ['write', [i]]))
  })

  test('a run started at once that awaits holds the queue; jobs queued meanwhile wait for it', async () => {
    const gate = deferred()
    const order = []
    const q = new SerialQueue({
      ready: Promise.resolve(),
      runWrites: (items) => {
        order.push(`start ${items}`)
        if (items[0] !== 1) return items
        return gate.promise.then(() => {
          order.push('end 1')
          return items
        })
      },
      runReads: (items) => items
    })
    await settle()
    const first = q.write([1])
    await settle()
    const second = q.write([2])
    const task = q.task(() => order.push('task'))
    await settle()
    assert.deepEqual(order, ['start 1'])
    assert.equal(q.length, 3)
    gate.resolve()
    assert.deepEqual(await Promise.all([first, second]), [[1], [2]])
    await task
    assert.deepEqual(order, ['start 1', 'end 1', 'start 2', 'task'])
  })

  test('a call made from inside a run started at once is queued, not run inside it', async () => {
    const runs = []
    /** @type {Promise<any> | undefined} */
    let inner
    const q = new SerialQueue({
      ready: Promise.resolve(),
      runWrites: (items) => {
        runs.push(`start ${items}`)
        if (items[0] === 1) inner = q.write([2])
        runs.push(`end ${items}`)
        return items
      },
      runReads: (items) => items
    })
    await settle()
    assert.deepEqual(await q.write([1]), [1])
    assert.deepEqual(await inner, [2])
    assert.deepEqual(runs, ['start 1', 'end 1', 'start 2', 'end 2'])
  })

  test('a run started at once that throws rejects its call only and frees the queue', async () => {
    const { q } = await readyRecording({
      writes: (items) => {
        if (items[0] === 'bad') throw new Error('boom')
        return items
      }
    })
    await assert.rejects(q.write(['bad']), /boom/)
    assert.equal(q.length, 0)
    assert.deepEqual(await q.write(['ok']), ['ok'])
  })

  test('after close, a call that would run at once rejects with the close error', async () => {
    const { q, runs } = await readyRecording()
    q.close(new Error('closed'))
    await assert.rejects(q.write([1]), /closed/)
    assert.deepEqual(runs, [])
  })
})

describe('SerialQueue RUN_LIMIT', () => {
  const ids = (n, from = 0) => Array.from({ length: n }, (_, i) => from + i)

  test('regression: coalesced jobs never make a run above RUN_LIMIT items', async () => {
    const { q, runs } = recording({ writes: (items) => items })
    const jobs = []
    for (let j = 0; j < 20; j++) jobs.push(q.write(ids(1000, j * 1000)))
    const results = await Promise.all(jobs)
    results.forEach((r, j) => assert.deepEqual(r, ids(1000, j * 1000)))
    for (const [, items] of runs) assert.ok(items.length <= RUN_LIMIT, `a run of ${items.length} items`)
    assert.deepEqual(
      runs.map(([, items]) => items.length),
      [8000, 8000, 4000]
    )
  })

  test('two jobs of 5000 reads: two runs', async () => {
    const { q, runs } = recording()
    await Promise.all([q.read(ids(5000)), q.read(ids(5000))])
    assert.equal(runs.length, 2)
  })

  test('jobs that exactly fill RUN_LIMIT share a run', async () => {
    const { q, runs } = recording()
    await Promise.all([q.write(ids(RUN_LIMIT - 1)), q.write([1]), q.write([2])])
    assert.deepEqual(
      runs.map(([, items]) => items.length),
      [RUN_LIMIT, 1]
    )
  })

  test('a single job above RUN_LIMIT runs alone, whole', async () => {
    const { q, runs } = recording({ writes: (items) => items })
    const [big, small] = await Promise.all([q.write(ids(10000)), q.write([1])])
    assert.equal(big.length, 10000)
    assert.deepEqual(small, [1])
    assert.deepEqual(
      runs.map(([, items]) => items.length),
      [10000, 1]
    )
  })
})

describe('SerialQueue failures', () => {
  test('a run that throws rejects only its jobs', async () => {
    let calls = 0
    const q = new SerialQueue({
      ready: Promise.resolve(),
      runWrites: (items) => {
        if (calls++ === 0) throw new Error('boom')
        return items
      },
      runReads: (items) => items
    })
    const a = q.write([1])
    const b = q.write([2])
    const c = q.read(['x'])
    const d = q.write([3])
    await assert.rejects(a, /boom/)
    await assert.rejects(b, /boom/)
    assert.deepEqual(await c, ['x'])
    assert.deepEqual(await d, [3])
  })

  test('a run that rejects asynchronously rejects only its jobs', async () => {
    const q = new SerialQueue({
      ready: Promise.resolve(),
      runWrites: async () => {
        throw new Error('later')
      },
      runReads: (items) => items
    })
    const a = q.write([1])
    const r = q.read(['y'])
    await assert.rejects(a, /later/)
    assert.deepEqual(await r, ['y'])
  })

  test('a throwing task rejects alone', async () => {
    const { q } = recording()
    const t = q.task(() => {
      throw new Error('task failed')
    })
    const w = q.write([1])
    await assert.rejects(t, /task failed/)
    assert.deepEqual(await w, ['w:1'])
  })
})

describe('SerialQueue ready and close', () => {
  test('nothing runs before ready resolves', async () => {
    const ready = deferred()
    const { q, runs } = recording({ ready: ready.promise })
    let ran = false
    const w = q.write([1])
    const t = q.task(() => (ran = true))
    await settle()
    assert.deepEqual(runs, [])
    assert.equal(ran, false)
    ready.resolve()
    assert.deepEqual(await w, ['w:1'])
    await t
    assert.equal(ran, true)
  })

  test('a rejected ready rejects every queued job, and later ones, with its error', async () => {
    const ready = deferred()
    const { q, runs } = recording({ ready: ready.promise })
    const jobs = [q.write([1]), q.read(['a']), q.task(() => 1)]
    const error = new Error('open failed')
    ready.reject(error)
    for (const job of jobs) await assert.rejects(job, (err) => err === error)
    await assert.rejects(q.write([2]), (err) => err === error)
    assert.deepEqual(runs, [])
    assert.equal(q.length, 0)
  })

  test('close(error) rejects later jobs; jobs queued before still run', async () => {
    const { q } = recording()
    const before = q.write([1])
    const closed = new Error('closed')
    q.close(closed)
    await assert.rejects(q.write([2]), (err) => err === closed)
    await assert.rejects(q.read(['a']), (err) => err === closed)
    await assert.rejects(q.task(() => 1), (err) => err === closed)
    assert.deepEqual(await before, ['w:1'])
  })

  test('regression: length counts jobs waiting and running, not one more or less', async () => {
    const ready = deferred()
    const gate = deferred()
    const q = new SerialQueue({
      ready: ready.promise,
      runWrites: async (items) => {
        await gate.promise
        return items
      },
      runReads: (items) => items
    })
    assert.equal(q.length, 0)
    const jobs = [q.write([1]), q.write([2]), q.write([3])]
    assert.equal(q.length, 3, 'three waiting, none running')
    await settle()
    assert.equal(q.length, 3, 'still waiting for ready')
    ready.resolve()
    await settle()
    assert.equal(q.length, 3, 'three jobs in one coalesced run')
    const t = q.task(() => {})
    assert.equal(q.length, 4)
    gate.resolve()
    await Promise.all([...jobs, t])
    await settle()
    assert.equal(q.length, 0)
  })

  test('length while runNowIfIdle holds the queue', async () => {
    const { q } = recording()
    await q.task(() => {})
    await settle()
    const gate = deferred()
    q.runNowIfIdle(() => gate.promise)
    assert.equal(q.length, 1)
    const w = q.write([1])
    assert.equal(q.length, 2)
    gate.resolve()
    await w
    await settle()
    assert.equal(q.length, 0)
  })
})

describe('SerialQueue.runNowIfIdle', () => {
  test('starts fn synchronously when idle', async () => {
    const { q } = recording()
    await q.task(() => {}) // ready is known
    let started = false
    const ran = q.runNowIfIdle(async () => {
      started = true
    })
    assert.equal(ran, true)
    assert.equal(started, true, 'fn ran before runNowIfIdle returned')
  })

  test('holds the queue until fn settles', async () => {
    const { q, runs } = recording()
    await q.task(() => {})
    const gate = deferred()
    assert.equal(q.runNowIfIdle(() => gate.promise), true)
    const w = q.write([1])
    await settle()
    assert.deepEqual(runs, [], 'the write waits for fn')
    assert.equal(q.runNowIfIdle(async () => {}), false, 'busy')
    gate.resolve()
    assert.deepEqual(await w, ['w:1'])
  })

  test('refuses when a job runs or waits', async () => {
    const { q } = recording()
    await q.task(() => {})
    const gate = deferred()
    const t = q.task(() => gate.promise)
    let called = false
    assert.equal(
      q.runNowIfIdle(async () => {
        called = true
      }),
      false
    )
    await settle()
    assert.equal(
      q.runNowIfIdle(async () => {
        called = true
      }),
      false
    )
    assert.equal(called, false)
    gate.resolve()
    await t
    await settle()
    assert.equal(q.runNowIfIdle(async () => {}), true)
  })

  test('refuses before ready and after close', async () => {
    const ready = deferred()
    const { q } = recording({ ready: ready.promise })
    assert.equal(q.runNowIfIdle(async () => {}), false)
    ready.resolve()
    await settle()
    q.close(new Error('closed'))
    assert.equal(q.runNowIfIdle(async () => {}), false)
  })

  test('a fn that throws or rejects still frees the queue', async () => {
    const { q } = recording()
    await q.task(() => {})
    assert.equal(
      q.runNowIfIdle(() => {
        throw new Error('sync')
      }),
      true
    )
    assert.deepEqual(await q.write([1]), ['w:1'])
    await settle()
    assert.equal(q.runNowIfIdle(() => Promise.reject(new Error('async'))), true)
    assert.deepEqual(await q.read(['a']), ['r:a'])
  })
})
