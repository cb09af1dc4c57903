// useKey: one key of a usePagingStorage store as a ref. Reading it gives the
// stored value (or the default while absent or not yet read); assigning it
// writes through with storage.set (assigning undefined deletes the key); a
// refused assignment (an invalid value, say) sets `error` and the ref shows
// the stored value again. It follows every change to the key, local or from
// a peer or another tab, without re-reading — except while its own
// assignments are in flight: a change arriving then may be the echo of an
// older assignment (in a follower tab, writes come back from the leader
// after the next keystroke), so it is skipped and the key read once the last
// assignment has landed.
import { customRef, getCurrentScope, onScopeDispose, toValue, watch } from 'vue'

/**
 * @param {import('./index.js').UsePagingStorageReturn} storage
 * @param {import('vue').MaybeRefOrGetter<string>} key
 * @param {unknown} [defaultValue]
 */
export function useKey(storage, key, defaultValue = undefined) {
  let value = defaultValue
  let trigger = () => {}
  // Bumped on every local assignment and change event, so a read that was
  // overtaken by one does not overwrite it.
  let generation = 0
  /** Assignments written and not yet answered; a change skipped meanwhile. */
  let inflight = 0
  let missed = false
  const set = (v) => {
    generation++
    value = v === undefined ? defaultValue : v
    trigger()
  }

  async function read() {
    const k = toValue(key)
    if (!storage.isReady.value || typeof k !== 'string') return
    const started = ++generation
    try {
      const v = await storage.get(k)
      if (started === generation) set(v)
    } catch (err) {
      storage.error.value = err
    }
  }

  const stop = [
    watch([() => toValue(key), storage.isReady], read, { immediate: true }),
    // Subscribed at the key's replicas: a change made anywhere in the ring arrives.
    watch(
      () => toValue(key),
      (k, _old, onCleanup) => {
        if (typeof k !== 'string') return
        onCleanup(
          storage.watch({ key: k }, (e) => {
            if (inflight > 0) missed = true
            else set(e.deleted ? undefined : e.value)
          })
        )
      },
      { immediate: true }
    )
  ]
  if (getCurrentScope()) onScopeDispose(() => stop.forEach((s) => s()))

  return customRef((track, trig) => {
    trigger = trig
    return {
      get() {
        track()
        return value
      },
      set(next) {
        const k = toValue(key)
        set(next)
        inflight++
        const write = next === undefined ? storage.delete(k) : storage.set(k, next)
        write.then(
          () => {
            if (--inflight === 0 && missed) {
              missed = false
              read()
            }
          },
          (err) => {
            inflight--
            missed = false
            storage.error.value = err
            read() // refused: show what is stored again
          }
        )
      }
    }
  })
}
