// ClockBound: how far past the caller's wall clock a version may be stamped
// (Options::max_clock_drift_ms), and the recovery of a clock found beyond
// that at open. The engine reads no clock: the wall time is the greatest the
// caller has given (at open, with each write).
//
// Recovery (issue 16: a wall clock that ran fast and was set right, or an
// older version that trusted peers' clocks, left the stored clock hours
// ahead, and every later write was refused by peers as from the future):
//   pending   the clock opened beyond the bound while runs of the write path
//             exist. Their "applied" floors order entries by hlc, so the
//             clock keeps going up until a compaction pass has applied them
//             all; no write is buffered meanwhile.
//   reset     with no runs, the clock restarts at the wall clock (Restamp());
//             every entry above the clock, resident or loaded later, is
//             restamped to Restamp(), below every version issued since.
//   over      once the clock passes the highest clock of before (Recovering
//             is false): every entry is at most the clock again (invariant 7
//             of engine_impl.h) and writes are buffered again.
// Outside a recovery, an entry loaded beyond Ceiling() (from a page not
// loaded during the recovery, whose state is not stored) is restamped to
// SessionFloor(), the clock at open, below every version issued since.
// Invariant: no version is merged beyond Ceiling().
#ifndef PAGING_STORAGE_CLOCK_BOUND_H_
#define PAGING_STORAGE_CLOCK_BOUND_H_

#include <algorithm>
#include <cstdint>

#include "paging_storage/hlc.h"

namespace paging_storage {

class ClockBound {
 public:
  // drift_ms 0: no bound. wall_ms 0: unknown (no bound until a wall time).
  ClockBound(uint64_t drift_ms, uint64_t wall_ms)
      : drift_ms_(drift_ms), wall_ms_(wall_ms) {}

  void ObserveWall(uint64_t wall_ms) { wall_ms_ = std::max(wall_ms_, wall_ms); }
  uint64_t wall_ms() const { return wall_ms_; }

  // The greatest version admitted: the last tick of the drift's last ms.
  uint64_t Ceiling() const {
    if (drift_ms_ == 0 || wall_ms_ == 0) return UINT64_MAX;
    return Hlc::Pack(std::min(wall_ms_ + drift_ms_, Hlc::kMaxWallMs),
                     (uint64_t{1} << Hlc::kLogicalBits) - 1);
  }
  bool Beyond(uint64_t hlc) const { return hlc > Ceiling(); }

  // A clock restored beyond Ceiling(): recovery starts, pending.
  void StartRecovery(uint64_t restored_clock) {
    recover_until_ = restored_clock;
    pending_ = true;
  }
  bool Pending() const { return pending_; }
  // The clock restarts at `restamp` (the wall clock).
  void Reset(uint64_t restamp) {
    pending_ = false;
    restamp_ = restamp;
  }
  // Reset, and the clock has not yet passed the highest clock of before.
  bool Restamping(uint64_t clock) const {
    return !pending_ && recover_until_ != 0 && clock <= recover_until_;
  }
  // Pending or restamping: no write is buffered.
  bool Recovering(uint64_t clock) const {
    return pending_ || Restamping(clock);
  }
  uint64_t Restamp() const { return restamp_; }
  uint64_t SessionFloor() const { return session_floor_; }
  void SetSessionFloor(uint64_t clock) { session_floor_ = clock; }

 private:
  uint64_t drift_ms_;
  uint64_t wall_ms_;
  uint64_t recover_until_ = 0;  // 0: no recovery
  bool pending_ = false;
  uint64_t restamp_ = 0;
  uint64_t session_floor_ = 0;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_CLOCK_BOUND_H_
