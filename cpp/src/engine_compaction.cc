// When the write path buffers, merges runs and runs compaction passes
// (WRITE_PATH.md, "Break-even" and "Tiered merging"): the page I/O each
// choice costs per run, and the schedule that asks the caller for the pages
// a merge or a pass needs next.
#include <algorithm>
#include <cmath>

#include "engine_impl.h"

namespace paging_storage {

void EngineImpl::ReviewBuffering() {
  if (!WritePathOn()) {
    buffering_pays_ = false;
    merges_pay_ = false;
    return;
  }
  // Page I/O per run of P pages. With the buffer: a pass loads and stores
  // the B base pages once the runs hold as many pages (StartMerge), or at
  // MaxRuns runs when fewer hold more: every R = max(MaxRuns, B / P) runs,
  // 2B / R per run. Before that, runs are merged k at a time, the smallest
  // first, so a run is read and written about L = log_k(R (k - 1) /
  // MaxRuns) times (the runs left hold k - 1 of each size): 2PL. Without
  // it, the run's writes would have loaded and stored the base pages they
  // fall in, 2d for d such pages. For n random keys d = B (1 - e^(-n/B));
  // the runs sealed whole lately give n and how clustered the writes are
  // (run_locality_, measured against the base pages of the time: while runs
  // hold most of the data the base has few pages, so their reach alone
  // would say little about the store once applied); before the first run,
  // random keys filling the memtable. Buffering pays from 2d >= 2 x its
  // cost on: measured (Node, memory backend, random keys, budget 50, buffer
  // 25, passes only), buffering halved the page I/O at twice its cost and
  // cost more transactions than it saved at once.
  //
  // The mean entry size, from every base page: recomputed when the
  // directory has grown or shrunk by an eighth since (flushes stay O(dirty
  // pages) on average).
  size_t pages = dir_.size();
  if (entry_bytes_pages_ == 0 || pages * 8 < entry_bytes_pages_ * 7 ||
      pages * 8 > entry_bytes_pages_ * 9) {
    uint64_t entries = 0;
    uint64_t bytes = 0;
    for (auto it = dir_.begin(); it != dir_.end(); ++it) {
      entries += it->second->summary.entry_count;
      bytes += it->second->summary.bytes;
    }
    entry_bytes_ = entries == 0 ? 64.0 : static_cast<double>(bytes) / entries;
    entry_bytes_pages_ = std::max<size_t>(1, pages);
  }
  double memtable_entries = static_cast<double>(options_.write_buffer_pages) *
                            options_.page_size / entry_bytes_;
  double base = static_cast<double>(std::max<size_t>(1, pages));
  double entries = run_entries_ > 0 ? run_entries_ : memtable_entries;
  double locality = run_locality_ > 0 ? run_locality_ : 1.0;
  double reach = locality * base * (1 - std::exp(-entries / base));
  double run_pages =
      std::max(1.0, entries * entry_bytes_ /
                        static_cast<double>(options_.split_threshold));
  double max_runs = static_cast<double>(MaxRuns());
  double fan_in = static_cast<double>(MergeFanIn());
  double runs_per_pass = std::max(max_runs, base / run_pages);
  double merges =
      runs_per_pass <= max_runs
          ? 0.0
          : std::ceil(std::log(runs_per_pass * (fan_in - 1) / max_runs) /
                      std::log(fan_in));
  // Per run, halved: passes only (one every MaxRuns runs), or tiered.
  double passes_only = base / max_runs;
  double tiered = run_pages * merges + base / runs_per_pass;
  merges_pay_ =
      MergesFit() && (!options_.write_buffer_adaptive || tiered < passes_only);
  double cost = merges_pay_ ? tiered : passes_only;
  buffering_pays_ = !options_.write_buffer_adaptive || reach >= 2.0 * cost;
}

std::vector<PageId> EngineImpl::PagesWantedForCompaction(size_t limit,
                                                         bool bulk) {
  std::vector<PageId> wanted;
  if (compact_target_ == 0) {
    if ((bulk && BulkRuns()) || RunsHoldClockBack()) {
      // After a bulk load a pass applies the runs now, in key order. A
      // merge under way is given up (the pass needs its sources as they
      // are); one finished completes at the next flush, beside the pass:
      // pages the pass reaches later apply the merged run instead.
      if (merge_.seq != 0 && !merge_.finished) AbandonMerge();
    } else if (merge_.seq != 0 || (ClosedRuns() > MaxRuns() && StartMerge())) {
      MergeStep(&wanted);  // none: finished, or a flush is due
      return wanted;
    } else if (ClosedRuns() <= MaxRuns()) {
      return wanted;
    }
    compact_target_ = NewestClosedRunSeq();
    compact_from_.clear();
  }
  Iterator it = dir_.Locate(compact_from_);
  bool handled = true;  // every page before `it` is
  for (; it != dir_.end() && wanted.size() < limit; ++it) {
    PageMeta& m = *it->second;
    bool done = m.stored_applied_seq >= compact_target_ ||
                (m.dirty && m.applied_seq >= compact_target_);
    if (!done && m.page != nullptr && !m.pending() && !m.corrupt) {
      // Applied in memory: stored with the next flush.
      m.dirty = true;
      m.change_seq = next_change_seq_++;
      done = true;
    }
    if (!done && m.corrupt && !m.retry_load) done = true;  // cannot: skip
    if (handled && done) {
      compact_from_ = it->first;
      continue;
    }
    handled = false;
    if (done) continue;
    if (m.page == nullptr) {
      wanted.push_back(m.id);
    } else {
      for (PageId id : m.pending_runs) {
        if (wanted.size() < limit) wanted.push_back(id);
      }
    }
  }
  if (wanted.empty()) compact_target_ = 0;  // the pass is over
  return wanted;
}

}  // namespace paging_storage
