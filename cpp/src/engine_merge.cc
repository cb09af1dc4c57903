// Tiered merging of the write path's runs (WRITE_PATH.md): k consecutive
// closed runs are streamed into one run, a page of each resident at a time,
// so that a compaction pass over the base pages comes once the runs hold as
// many pages as the base, not every MaxRuns runs. The merged run stands in
// the runs' order at its newest source and carries, per source, the newest
// clock of its entries (MergedRun), from which a base page that applied
// some of the sources knows which entries it has (AppliedFloor). Merging
// runs with each other first is the size-tiered compaction of LSM-trees
// (O'Neil et al. 1996; Cassandra's STCS, RocksDB's universal compaction).
#include <algorithm>
#include <utility>

#include "engine_impl.h"

namespace paging_storage {

bool EngineImpl::StartMerge() {
  size_t k = MergeFanIn();
  if (!merges_pay_) return false;
  for (PageId id : corrupt_) {
    if (run_pages_.count(id) > 0) return false;  // a pass skips them
  }
  std::vector<uint64_t> closed;
  std::vector<size_t> pages;
  size_t total = 0;
  for (const auto& [seq, run] : runs_) {
    if (run.log) continue;
    closed.push_back(seq);
    pages.push_back(run.pages.size());
    total += run.pages.size();
  }
  // Once the runs hold as many pages as the base, a pass costs each run
  // page about two base page I/Os: less than merging it again.
  if (closed.size() < k || total >= dir_.size()) return false;
  // The k consecutive runs with the fewest pages, the newest of equals:
  // runs of one size merge together, so each entry is rewritten about
  // log_k(base / memtable) times before a pass applies it.
  size_t best = 0;
  size_t best_pages = SIZE_MAX;
  size_t window = 0;
  for (size_t i = 0; i < closed.size(); ++i) {
    window += pages[i];
    if (i >= k) window -= pages[i - k];
    if (i + 1 >= k && window <= best_pages) {
      best_pages = window;
      best = i + 1 - k;
    }
  }
  merge_ = Merging{};
  merge_.seq = next_run_seq_++;
  merge_.sources.assign(closed.begin() + best, closed.begin() + best + k);
  return true;
}

void EngineImpl::MergeStep(std::vector<PageId>* wanted) {
  size_t k = merge_.sources.size();
  size_t room = options_.max_memory_pages - options_.write_buffer_pages;
  size_t cap = std::max<size_t>(1, room > k + 1 ? (room - k - 1) / 2 : 1);
  std::vector<const RunPage*> inputs;
  std::vector<const Entry*> entries;
  while (!merge_.finished && merge_.unstored.size() < cap) {
    // The page of each source holding the cursor; the keys up to the
    // nearest end of those pages (or the next source's first key) merge now.
    const std::string& cursor = merge_.cursor;
    const std::string* hi = nullptr;
    inputs.clear();
    for (uint64_t seq : merge_.sources) {
      const std::vector<RunPage>& pages = runs_.at(seq).pages;
      auto p = std::upper_bound(
          pages.begin(), pages.end(), cursor,
          [](const std::string& k, const RunPage& rp) { return k < rp.lower; });
      if (p == pages.begin()) {  // the run starts past the cursor
        if (hi == nullptr || p->lower < *hi) hi = &p->lower;
        continue;
      }
      --p;
      if (p->has_upper && (hi == nullptr || p->upper < *hi)) hi = &p->upper;
      inputs.push_back(&*p);
    }
    for (const RunPage* rp : inputs) {
      const PageMeta& meta = *rp->meta;
      if (meta.page != nullptr) continue;
      if (meta.corrupt && !meta.retry_load) {
        // Cannot be read: a pass applies what can be.
        AbandonMerge();
        wanted->clear();
        return;
      }
      wanted->push_back(meta.id);
    }
    if (!wanted->empty()) return;
    entries.clear();
    for (const RunPage* rp : inputs) {
      lru_.Touch(rp->meta.get());
      const std::vector<Entry>& es = rp->meta->page->entries();
      auto e = std::lower_bound(
          es.begin(), es.end(), cursor,
          [](const Entry& e, const std::string& k) { return e.key < k; });
      for (; e != es.end() && (hi == nullptr || e->key < *hi); ++e) {
        entries.push_back(&*e);
      }
    }
    // By key, the newest version first: only it goes on.
    std::sort(entries.begin(), entries.end(),
              [this](const Entry* a, const Entry* b) {
                if (a->key != b->key) return a->key < b->key;
                if (a->hlc != b->hlc) return a->hlc > b->hlc;
                return CompareVersions(VersionOf(*a), VersionOf(*b)) > 0;
              });
    for (size_t i = 0; i < entries.size(); ++i) {
      const Entry& e = *entries[i];
      if (i > 0 && e.key == entries[i - 1]->key) {
        merge_.superseded_puts += e.tombstone ? 0 : 1;
        continue;
      }
      if (merge_.open != nullptr &&
          merge_.open->bytes() + e.Bytes() > options_.split_threshold) {
        EmitMergePage();
      }
      if (merge_.open == nullptr) {
        merge_.open = std::make_unique<Page>(next_page_id_++, &origins_);
      }
      merge_.open->Append(e);
    }
    if (hi == nullptr) {
      merge_.finished = true;
      if (merge_.open != nullptr) EmitMergePage();
    } else {
      merge_.cursor = *hi;
    }
  }
}

void EngineImpl::EmitMergePage() {
  std::unique_ptr<Page> page = std::move(merge_.open);
  RunPage rp;
  FlushBatch::PageBytes p;
  EncodeRunPage(*page, merge_.seq, &rp, &p);
  merge_.unstored.push_back(std::move(p));
  merge_.pages.push_back(std::move(rp));
}

void EngineImpl::AbandonMerge() {
  Abandoned a;
  a.seq = merge_.seq;
  for (const RunPage& rp : merge_.pages) {
    if (!rp.meta->persisted) continue;
    a.ids.push_back(rp.meta->id);
  }
  a.shape = merge_.stored_shape;
  if (!a.ids.empty()) abandoned_.push_back(std::move(a));
  merge_ = Merging{};
}

size_t EngineImpl::MergeOutputPages() const {
  size_t n = merge_.pages.size();
  for (const Abandoned& a : abandoned_) n += a.ids.size();
  return n;
}

void EngineImpl::CollectMerge(bool whole, FlushBatch* out) {
  merge_collect_ = MergeCollect{};
  // A family flush stores base pages only.
  if (!whole) return;
  for (const Abandoned& a : abandoned_) {
    out->deleted_pages.insert(out->deleted_pages.end(), a.ids.begin(),
                              a.ids.end());
  }
  merge_collect_.abandoned = abandoned_.size();
  if (merge_.seq == 0) return;
  merge_collect_.seq = merge_.seq;
  for (const FlushBatch::PageBytes& p : merge_.unstored) {
    out->pages.push_back(p);
    merge_collect_.ids.push_back(p.id);
  }
  for (const RunPage& rp : merge_.pages) {
    if (!rp.meta->persisted) merge_collect_.lowers[rp.meta->id] = rp.lower;
  }
  if (!merge_.finished) return;
  // Its last page goes with this batch: the sources go too, and the
  // engine state lists it as merged.
  merge_collect_.completes = true;
  uint64_t unapplied = 0;
  for (uint64_t seq : merge_.sources) {
    const Run& run = runs_.at(seq);
    unapplied += run.unapplied_puts;
    if (run.sources.empty()) {
      uint64_t max_hlc = 0;
      for (const RunPage& rp : run.pages) {
        max_hlc = std::max(max_hlc, rp.meta->summary.max_hlc);
      }
      merge_collect_.sources.push_back({seq, max_hlc});
    } else {
      merge_collect_.sources.insert(merge_collect_.sources.end(),
                                    run.sources.begin(), run.sources.end());
    }
    sealing_.dropping.push_back(seq);
    for (const RunPage& rp : run.pages) {
      out->deleted_pages.push_back(rp.meta->id);
    }
  }
  merge_collect_.unapplied_puts =
      unapplied - std::min(unapplied, merge_.superseded_puts);
}

void EngineImpl::CommitMerge() {
  MergeCollect c = std::move(merge_collect_);
  merge_collect_ = MergeCollect{};
  abandoned_.erase(abandoned_.begin(), abandoned_.begin() + c.abandoned);
  if (c.seq == 0) return;
  auto in_batch = [&](PageId id) {
    return std::find(c.ids.begin(), c.ids.end(), id) != c.ids.end();
  };
  if (merge_.seq != c.seq) {
    // Given up since the collect: what the batch stored goes next.
    Abandoned a;
    a.seq = c.seq;
    a.ids = c.ids;
    for (PageId id : c.ids) {
      AddToShape(&a.shape, c.lowers.at(id), id);
    }
    if (!a.ids.empty()) abandoned_.push_back(std::move(a));
    return;
  }
  for (RunPage& rp : merge_.pages) {
    if (rp.meta->persisted || !in_batch(rp.meta->id)) continue;
    rp.meta->persisted = true;
    AddToShape(&merge_.stored_shape, rp.lower, rp.meta->id);
  }
  merge_.unstored.erase(
      std::remove_if(
          merge_.unstored.begin(), merge_.unstored.end(),
          [&](const FlushBatch::PageBytes& p) { return in_batch(p.id); }),
      merge_.unstored.end());
  if (!c.completes) return;
  // CommitRuns dropped the sources: the merged run takes the newest one's
  // place in the runs' order.
  uint64_t key = merge_.sources.back();
  IndexRun(key, std::move(merge_.pages));
  Run& run = runs_.at(key);
  run.stored_seq = merge_.seq;
  run.sources = std::move(c.sources);
  run.unapplied_puts = c.unapplied_puts;
  run.stored_unapplied_puts = c.unapplied_puts;
  for (RunPage& rp : run.pages) rp.first_seq = run.sources.front().seq;
  merge_ = Merging{};
  ++run_merges_;
  // Resident pages pending on the sources' pages pend on the merged run's.
  std::vector<PageId> stale;
  for (PageMeta* m = lru_.Oldest(); m != nullptr; m = lru_.Newer(m)) {
    for (PageId id : m->pending_runs) {
      if (run_pages_.count(id) == 0) {
        stale.push_back(m->id);
        break;
      }
    }
  }
  for (PageId id : stale) {
    Iterator it = dir_.Find(id);
    if (it == dir_.end() || it->second->page == nullptr) continue;
    ApplyRuns(it, false);
    it = dir_.Find(id);
    if (it != dir_.end() && it->second->page != nullptr &&
        !it->second->pending()) {
      FinishPending(it);
    }
  }
}

void EngineImpl::AddMergeShape(DirectoryShape* shape) const {
  // The output stored, and what a whole batch carries (all of it).
  AddShape(shape, merge_.stored_shape);
  if (merge_collect_.seq != 0) {
    for (const RunPage& rp : merge_.pages) {
      if (!rp.meta->persisted) AddToShape(shape, rp.lower, rp.meta->id);
    }
  }
  for (size_t i = merge_collect_.abandoned; i < abandoned_.size(); ++i) {
    AddShape(shape, abandoned_[i].shape);
  }
}

void EngineImpl::AddMergeRecords(std::vector<RunCount>* counts,
                                 std::vector<MergedRun>* merged) const {
  const std::vector<uint64_t>& dropping = sealing_.dropping;
  for (const auto& [seq, run] : runs_) {
    if (run.sources.empty()) continue;
    if (std::find(dropping.begin(), dropping.end(), seq) != dropping.end()) {
      continue;
    }
    merged->push_back({run.stored_seq, run.sources});
  }
  // Unfinished output (to delete at a reopen) is listed, with no count,
  // whenever the store holds some.
  auto unfinished = [&](uint64_t seq) {
    counts->push_back({seq, 0});
    merged->push_back({seq, {}});
  };
  if (merge_collect_.completes) {
    counts->push_back({merge_.seq, merge_collect_.unapplied_puts});
    merged->push_back({merge_.seq, merge_collect_.sources});
  } else if (merge_.seq != 0 &&
             (!merge_collect_.ids.empty() ||
              std::any_of(
                  merge_.pages.begin(), merge_.pages.end(),
                  [](const RunPage& rp) { return rp.meta->persisted; }))) {
    unfinished(merge_.seq);
  }
  for (size_t i = merge_collect_.abandoned; i < abandoned_.size(); ++i) {
    unfinished(abandoned_[i].seq);
  }
  std::sort(counts->begin(), counts->end(),
            [](const RunCount& a, const RunCount& b) { return a.seq < b.seq; });
  std::sort(merged->begin(), merged->end(),
            [](const MergedRun& a, const MergedRun& b) {
              return a.run_seq < b.run_seq;
            });
}

}  // namespace paging_storage
