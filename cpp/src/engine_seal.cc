// The write path's flush side (WRITE_PATH.md): sealing the memtable into a
// run (or a log run) in a flush batch, dropping the runs every page has
// applied, the runs' directory shape and counts the batch stores, and
// indexing what the committed batch made.
#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <utility>

#include "engine_impl.h"
#include "key_filter.h"
#include "page_codec.h"

namespace paging_storage {
std::vector<RunCount> EngineImpl::RunCounts(bool whole) const {
  std::vector<RunCount> counts;
  const std::vector<uint64_t>& dropping = sealing_.dropping;
  for (const auto& [seq, run] : runs_) {
    if (std::find(dropping.begin(), dropping.end(), seq) != dropping.end()) {
      continue;  // dropped by this batch
    }
    counts.push_back({run.stored_seq,
                      whole ? run.unapplied_puts : run.stored_unapplied_puts});
  }
  if (sealing_.seq != 0) {
    RunCount sealed{sealing_.seq, 0};
    for (const RunPage& rp : sealing_.pages) {
      sealed.unapplied_puts += rp.meta->summary.live_count;
    }
    counts.push_back(sealed);
  }
  return counts;
}

void EngineImpl::NoteApplied(uint64_t seq, uint64_t puts) {
  auto run = runs_.find(seq);
  if (run == runs_.end()) return;
  run->second.unapplied_puts -= std::min(run->second.unapplied_puts, puts);
}

void EngineImpl::IndexRun(uint64_t seq, std::vector<RunPage> pages) {
  Run& run = runs_[seq];
  run.pages = std::move(pages);
  run.stored_seq = seq;
  run.unapplied_puts = 0;
  for (size_t i = 0; i < run.pages.size(); ++i) {
    RunPage& rp = run.pages[i];
    run.unapplied_puts += rp.meta->summary.live_count;
    run.stored_unapplied_puts = run.unapplied_puts;
    rp.seq = seq;
    rp.first_seq = seq;
    rp.has_upper = i + 1 < run.pages.size();
    if (rp.has_upper) rp.upper = run.pages[i + 1].lower;
    rp.meta->lower_key = &rp.lower;
    rp.meta->persisted = true;
    run_pages_[rp.meta->id] = &rp;
    AddToShape(&run.shape, rp.lower, rp.meta->id);
  }
  AddShape(&runs_shape_, run.shape);
}

void EngineImpl::DropLogRuns(FlushBatch* out) {
  for (const auto& [seq, run] : runs_) {
    if (!run.log) continue;
    sealing_.dropping.push_back(seq);
    for (const RunPage& rp : run.pages) {
      out->deleted_pages.push_back(rp.meta->id);
    }
  }
}

void EngineImpl::EncodeRunPage(const Page& page, uint64_t run_seq, RunPage* rp,
                               FlushBatch::PageBytes* out) const {
  rp->lower = page.entries().front().key;
  rp->meta = std::make_unique<PageMeta>();
  rp->meta->id = page.id();
  rp->meta->summary = SummaryOf(page);
  std::vector<std::string_view> keys;
  keys.reserve(page.size());
  for (const Entry& e : page.entries()) keys.push_back(e.key);
  rp->filter = BuildKeyFilter(keys);
  out->id = page.id();
  EncodePage(page, origins_, &out->bytes);
  ManifestPage record{rp->lower, out->id, rp->meta->summary, 0, 0, {}};
  record.run_seq = run_seq;
  record.filter = rp->filter;
  EncodeDirectoryRecord(record, &out->directory_record);
}

void EngineImpl::SealMemtable(FlushBatch* out) {
  sealing_ = Sealing{};
  // Sealed whole when over its share of the budget, or when its log has
  // grown as large (rewritten keys are logged again).
  bool whole =
      !memtable_.empty() &&
      (MemtableFull() || log_run_pages_ >= options_.write_buffer_pages);
  // A whole run holds everything the log runs do; with the memtable empty,
  // the pages that took their entries are stored (dirty pages all go in a
  // whole flush) or were already.
  if (whole || memtable_.empty()) DropLogRuns(out);
  if (memtable_.empty() || (!whole && memtable_.unlogged().empty())) return;
  sealing_.seq = next_run_seq_;
  sealing_.log = !whole;
  std::unique_ptr<Page> page;
  auto emit = [&] {
    RunPage rp;
    FlushBatch::PageBytes p;
    EncodeRunPage(*page, sealing_.seq, &rp, &p);
    out->pages.push_back(std::move(p));
    sealing_.pages.push_back(std::move(rp));
    page.reset();
  };
  auto append = [&](const std::string& key, const Entry& e) {
    if (page != nullptr &&
        page->bytes() + e.Bytes() > options_.split_threshold) {
      emit();
    }
    if (page == nullptr) {
      page = std::make_unique<Page>(next_page_id_++, &origins_);
    }
    page->Append(e);
    sealing_.taken.push_back({key, {e.hlc, e.origin, e.tombstone}});
  };
  if (sealing_.log) {
    for (const std::string& key : memtable_.unlogged()) {
      append(key, *memtable_.Find(key));
    }
  } else {
    PageId last = kNoPage;
    for (const auto& [key, e] : memtable_.entries()) {
      append(key, e);
      PageId page = dir_.Locate(key)->second->id;
      sealing_.reached += page != last ? 1 : 0;
      last = page;
    }
  }
  emit();
}

void EngineImpl::DropAppliedRuns(const std::vector<PageId>* families,
                                 FlushBatch* out) {
  // A family flush stores some dirty pages only: the stored records of the
  // others decide, so it drops nothing.
  if (runs_.empty() || families != nullptr) return;
  // While a pass is under way the pages past its cursor have not applied
  // its runs: nothing can go before it ends (and the scan below is
  // O(pages): at every flush of a pass it cost a quarter of a 400k-key
  // load's time).
  if (compact_target_ != 0) return;
  uint64_t oldest = 0;  // the oldest closed run: nothing goes unless it does
  for (const auto& [seq, run] : runs_) {
    if (!run.log) {
      oldest = seq;
      break;
    }
  }
  if (oldest == 0) return;
  // The least applied_seq a base page's record holds once this batch is
  // stored (every dirty page is in a whole flush), or a lower bound of it
  // once below `oldest`.
  uint64_t least = UINT64_MAX;
  for (auto it = dir_.begin(); it != dir_.end() && least >= oldest; ++it) {
    const PageMeta& m = *it->second;
    least = std::min(least, m.dirty ? m.applied_seq : m.stored_applied_seq);
  }
  for (auto& [seq, run] : runs_) {
    if (seq > least) break;
    if (run.log) continue;  // goes with the memtable (SealMemtable)
    sealing_.dropping.push_back(seq);
    for (const RunPage& rp : run.pages) {
      out->deleted_pages.push_back(rp.meta->id);
    }
    // A merge needs its sources until it completes.
    const std::vector<uint64_t>& sources = merge_.sources;
    if (std::find(sources.begin(), sources.end(), seq) != sources.end()) {
      AbandonMerge();
    }
  }
}

DirectoryShape EngineImpl::RunShape() const {
  DirectoryShape shape = runs_shape_;
  for (uint64_t seq : sealing_.dropping) {
    auto run = runs_.find(seq);
    if (run != runs_.end()) RemoveShape(&shape, run->second.shape);
  }
  for (const RunPage& rp : sealing_.pages) {
    AddToShape(&shape, rp.lower, rp.meta->id);
  }
  AddMergeShape(&shape);
  return shape;
}

void EngineImpl::CommitRuns() {
  for (uint64_t dropped : sealing_.dropping) {
    auto run = runs_.find(dropped);
    if (run == runs_.end()) continue;
    for (RunPage& rp : run->second.pages) {
      if (rp.meta->page != nullptr) Evict(rp.meta.get());
      run_pages_.erase(rp.meta->id);
      corrupt_.erase(rp.meta->id);
    }
    RemoveShape(&runs_shape_, run->second.shape);
    if (run->second.log) {
      --log_runs_;
      log_run_pages_ -= run->second.pages.size();
    }
    runs_.erase(run);
  }
  CommitMerge();
  if (sealing_.seq != 0) {
    IndexRun(sealing_.seq, std::move(sealing_.pages));
    next_run_seq_ = std::max(next_run_seq_, sealing_.seq + 1);
    Run& sealed = runs_.at(sealing_.seq);
    sealed.log = sealing_.log;
    if (sealed.log) {
      ++log_runs_;
      log_run_pages_ += sealed.pages.size();
    }
  }
  // What the batch stored is what a reopen starts from.
  // (Counts go by run_seq, runs_ by place in the runs' order.)
  std::unordered_map<uint64_t, Run*> by_stored_seq;
  for (auto& [seq, run] : runs_) by_stored_seq[run.stored_seq] = &run;
  for (const RunCount& stored : collected_counts_) {
    auto run = by_stored_seq.find(stored.seq);
    if (run != by_stored_seq.end()) {
      run->second->stored_unapplied_puts = stored.unapplied_puts;
    }
  }
  collected_counts_.clear();
  if (sealing_.seq == 0) {
    sealing_ = Sealing{};
    return;
  }
  uint64_t seq = sealing_.seq;
  if (sealing_.log) {
    // Logged: entries rewritten since stay unlogged.
    for (const auto& [key, version] : sealing_.taken) {
      memtable_.MarkLogged(key, version.hlc, version.origin);
    }
  } else {
    // Random keys reach B (1 - e^(-n / B)) of B pages on average.
    double pages = static_cast<double>(dir_.size());
    double entries = static_cast<double>(sealing_.taken.size());
    double random = pages * (1 - std::exp(-entries / pages));
    double locality =
        std::min(1.0, static_cast<double>(sealing_.reached) / random);
    auto average = [](double was, double now) {
      return was == 0 ? now : (3 * was + now) / 4;
    };
    run_entries_ = average(run_entries_, entries);
    run_locality_ = average(run_locality_, locality);
    // The run holds what the memtable held at the collect; entries
    // rewritten since stay. A page loaded since took its entries from the
    // memtable: those are applied already.
    uint64_t applied_puts = 0;
    for (const auto& [key, version] : sealing_.taken) {
      const Entry* now = memtable_.Find(key);
      if (now == nullptr) {
        applied_puts += version.tombstone ? 0 : 1;
      } else {
        memtable_.RemoveIfUnchanged(key, version.hlc, version.origin);
      }
    }
    NoteApplied(seq, applied_puts);
  }
  // Resident base pages have no entry in the new run: invariant 8 held when
  // it was taken, and a page loaded since took its entries from the
  // memtable.
  for (PageMeta* m = lru_.Oldest(); m != nullptr; m = lru_.Newer(m)) {
    if (run_pages_.count(m->id) > 0) continue;
    m->applied_target = seq;
    if (!m->pending()) m->applied_seq = seq;
  }
  sealing_ = Sealing{};
}

}  // namespace paging_storage
