// useRange: a range query of a usePagingStorage store as a shallowRef list of
// [key, value] pairs, in key order, kept current. Only a change to a key
// inside the query's bounds re-runs it, and a burst of such changes re-runs
// it once.
import { getCurrentScope, onScopeDispose, shallowRef, toValue, watch } from 'vue'
import { compareKeys } from 'paging-storage'

/** Whether key falls inside the bounds of a range query. */
function inRange(q, key) {
  if (q.prefix !== undefined && !key.startsWith(q.prefix)) return false
  if (q.gte !== undefined && compareKeys(key, q.gte) < 0) return false
  if (q.gt !== undefined && compareKeys(key, q.gt) <= 0) return false
  if (q.lt !== undefined && compareKeys(key, q.lt) >= 0) return false
  if (q.lte !== undefined && compareKeys(key, q.lte) > 0) return false
  return true
}

/**
 * The longest prefix every key of the query's bounds shares: what to watch.
 * @param {import('./index.js').RangeQuery} q
 * @returns {string}
 */
function watchedPrefix(q) {
  if (q.prefix !== undefined) return q.prefix
  const low = q.gte ?? q.gt
  const high = q.lt ?? q.lte
  if (low === undefined || high === undefined) return ''
  let n = 0
  while (n < low.length && n < high.length && low[n] === high[n]) n++
  // Never half a surrogate pair (a lone half is no key's prefix).
  if (n > 0 && /[\ud800-\udbff]/.test(low[n - 1])) n--
  return low.slice(0, n)
}

/**
 * @param {import('./index.js').UsePagingStorageReturn} storage
 * @param {import('vue').MaybeRefOrGetter<import('./index.js').RangeQuery>} query
 */
export function useRange(storage, query = {}) {
  const items = shallowRef([])
  let scheduled = false
  let generation = 0

  async function run() {
    scheduled = false
    if (!storage.isReady.value) return
    const started = ++generation
    try {
      const rows = await storage.range({ ...toValue(query) })
      if (started === generation) items.value = rows
    } catch (err) {
      storage.error.value = err
    }
  }

  function rerunSoon() {
    if (scheduled) return
    scheduled = true
    queueMicrotask(run)
  }

  const stop = [
    watch([() => ({ ...toValue(query) }), storage.isReady], run, { immediate: true, deep: true }),
    // New peers may hold keys of the range this list never heard of.
    watch(storage.peerCount, rerunSoon),
    // Subscribed at the peers (every member, for a prefix): a change made
    // anywhere in the ring re-runs the query.
    watch(
      () => watchedPrefix(toValue(query)),
      (prefix, _old, onCleanup) => {
        onCleanup(
          storage.watch(prefix, (e) => {
            if (inRange(toValue(query), e.key)) rerunSoon()
          })
        )
      },
      { immediate: true }
    )
  ]
  if (getCurrentScope()) onScopeDispose(() => stop.forEach((s) => s()))
  return items
}
