// The benchmarks' workload against peers: keys 'user:<i>' written in one
// random order and read in another (seeded, so every contender gets the
// same orders), values { name, age, email }.

/** Seeds of the write order and of the read order. */
export const WRITE_SEED = 0x9e3779b9
export const READ_SEED = 0x85ebca6b

/**
 * 0..n-1 shuffled (Fisher–Yates with xorshift32 from `seed`).
 * @param {number} n
 * @param {number} seed
 * @returns {number[]}
 */
export function shuffled(n, seed) {
  const a = Array.from({ length: n }, (_, i) => i)
  let s = seed
  for (let i = n - 1; i > 0; i--) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    const j = (s >>> 0) % (i + 1)
    ;[a[i], a[j]] = [a[j], a[i]]
  }
  return a
}

/** @param {number} i */
export const userValue = (i) => ({ name: 'user' + i, age: 18 + (i % 60), email: `user${i}@example.com` })
