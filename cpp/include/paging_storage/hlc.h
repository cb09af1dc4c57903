// Hlc: a hybrid logical clock.
//
// A timestamp packs wall-clock milliseconds in the high 48 bits and a logical
// counter in the low 16, so timestamps order like (wall ms, counter) and fit a
// uint64. The clock reads no time itself: callers pass wall time in.
//
// Invariant: every value returned by Now() is strictly greater than every
// earlier Now() result and every timestamp passed to Update(), whatever the
// wall clock does (it may jump backwards or differ between peers). This is
// what keeps a new write from losing to an older one under clock skew.
//
// Not thread-safe; callers serialize.
#ifndef PAGING_STORAGE_HLC_H_
#define PAGING_STORAGE_HLC_H_

#include <cstdint>

namespace paging_storage {

class Hlc {
 public:
  static constexpr int kLogicalBits = 16;
  static constexpr uint64_t kMaxWallMs = (uint64_t{1} << 48) - 1;

  static uint64_t Pack(uint64_t wall_ms, uint64_t logical);
  static uint64_t WallMs(uint64_t timestamp) {
    return timestamp >> kLogicalBits;
  }
  static uint64_t Logical(uint64_t timestamp) {
    return timestamp & ((uint64_t{1} << kLogicalBits) - 1);
  }

  // A timestamp for a local event at wall time `wall_ms`.
  uint64_t Now(uint64_t wall_ms);

  // Records a timestamp seen from another peer (or from disk).
  void Update(uint64_t remote);

  // Sets the clock back to `t`: only for a clock restored beyond the drift
  // bound (cpp/src/clock_bound.h), whose caller restamps what lies above.
  void Restart(uint64_t t) { last_ = t; }

  // The greatest timestamp issued or seen.
  uint64_t last() const { return last_; }

 private:
  uint64_t last_ = 0;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_HLC_H_
