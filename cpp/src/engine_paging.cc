#include <algorithm>
#include <unordered_map>
#include <utility>

#include "engine_impl.h"
#include "page_codec.h"

namespace paging_storage {

EngineImpl::EngineImpl(const Options& options)
    : options_(options),
      clock_bound_(options.max_clock_drift_ms, options.open_wall_ms) {
  local_origin_ = origins_.Intern(options_.peer_id);
}

EngineImpl::~EngineImpl() {
  // Unlink before the directory destroys the PageMeta nodes.
  while (PageMeta* m = lru_.Oldest()) lru_.Remove(m);
}

void EngineImpl::InitEmpty() {
  Iterator it = dir_.Add("", next_page_id_++);
  MakeResident(it->second.get(),
               std::make_unique<Page>(it->second->id, &origins_));
  Changed(it->second.get());  // never stored yet, so dirty
}

Status EngineImpl::InitFromManifest(const Manifest& manifest) {
  next_page_id_ = manifest.next_page_id;
  hlc_.Update(manifest.hlc);
  // A clock that ran past the bound (a wall clock since set back, or an
  // older version that trusted peers' clocks) recovers (clock_bound.h).
  if (clock_bound_.Beyond(manifest.hlc))
    clock_bound_.StartRecovery(manifest.hlc);
  clock_bound_.SetSessionFloor(hlc_.last());
  user_data_ = manifest.user_data;
  next_run_seq_ = manifest.next_run_seq;
  for (const ManifestPage& p : manifest.pages) {
    Iterator it = dir_.Add(p.lower_key, p.id);
    it->second->summary = p.summary;
    it->second->persisted = true;
    it->second->applied_seq = p.applied_seq;
    it->second->stored_applied_seq = p.applied_seq;
  }
  // run_pages come by run, then lower key. A merged run stands at its
  // newest source's seq; a merge's unfinished output is deleted by the next
  // flush.
  std::unordered_map<uint64_t, const MergedRun*> merged;
  for (const MergedRun& r : manifest.merged) merged[r.run_seq] = &r;
  std::vector<RunPage> pages;
  for (size_t i = 0; i < manifest.run_pages.size(); ++i) {
    const ManifestPage& p = manifest.run_pages[i];
    RunPage rp;
    rp.lower = p.lower_key;
    rp.filter = p.filter;
    rp.meta = std::make_unique<PageMeta>();
    rp.meta->id = p.id;
    rp.meta->summary = p.summary;
    pages.push_back(std::move(rp));
    if (i + 1 < manifest.run_pages.size() &&
        manifest.run_pages[i + 1].run_seq == p.run_seq) {
      continue;
    }
    auto m = merged.find(p.run_seq);
    if (m == merged.end()) {
      IndexRun(p.run_seq, std::move(pages));
    } else if (m->second->sources.empty()) {
      Abandoned a;
      a.seq = p.run_seq;
      for (const RunPage& rp : pages) {
        a.ids.push_back(rp.meta->id);
        AddToShape(&a.shape, rp.lower, rp.meta->id);
      }
      abandoned_.push_back(std::move(a));
    } else {
      const std::vector<RunSource>& sources = m->second->sources;
      uint64_t key = sources.back().seq;
      if (runs_.count(key) > 0) {
        return Status::Corruption("manifest: merged run " +
                                  std::to_string(p.run_seq) +
                                  " beside one of its sources");
      }
      IndexRun(key, std::move(pages));
      Run& run = runs_.at(key);
      run.stored_seq = p.run_seq;
      run.sources = sources;
      for (RunPage& rp : run.pages) rp.first_seq = sources.front().seq;
    }
    pages.clear();
  }
  // Counts go by run_seq.
  std::unordered_map<uint64_t, Run*> by_stored_seq;
  for (auto& [seq, run] : runs_) by_stored_seq[run.stored_seq] = &run;
  for (const RunCount& stored : manifest.runs) {
    auto found = by_stored_seq.find(stored.seq);
    if (found == by_stored_seq.end()) continue;
    Run& run = *found->second;
    run.unapplied_puts = std::min(run.unapplied_puts, stored.unapplied_puts);
    run.stored_unapplied_puts = run.unapplied_puts;
  }
  // Merges that were waiting when the manifest was written wait again.
  for (const ManifestPage& p : manifest.pages) TryMerge(p.id);
  ReviewBuffering();
  return Status::OK();
}

void EngineImpl::MakeResident(PageMeta* m, std::unique_ptr<Page> page) {
  m->page = std::move(page);
  lru_.PushNewest(m);
}

void EngineImpl::Evict(PageMeta* m) {
  lru_.Remove(m);
  m->page.reset();
  m->pending_runs.clear();  // applied again at its next load
}

void EngineImpl::EnforceBudget(PageId keep) {
  PageMeta* m = lru_.Oldest();
  while (m != nullptr && BudgetPages() > options_.max_memory_pages) {
    PageMeta* newer = lru_.Newer(m);
    if (!m->dirty && m->id != keep) Evict(m);
    m = newer;
  }
}

Status EngineImpl::DecodeStored(PageId id, std::string_view bytes,
                                const PageSummary& want,
                                std::unique_ptr<Page>* out) {
  Status s = DecodePage(bytes, &origins_, out);
  if (!s.ok()) return s;
  const Page& page = **out;
  if (page.id() != id) {
    return Status::Corruption("page bytes belong to page " +
                              std::to_string(page.id()));
  }
  PageSummary got = SummaryOf(page);
  if (got.entry_count != want.entry_count ||
      got.live_count != want.live_count || got.bytes != want.bytes ||
      got.digest != want.digest || got.max_hlc != want.max_hlc) {
    return Status::Corruption("page " + std::to_string(id) +
                              " does not match the manifest");
  }
  return Status::OK();
}

Status EngineImpl::LoadPage(PageId id, std::string_view bytes) {
  if (run_pages_.count(id) > 0) return LoadRunPage(id, bytes);
  Iterator it = dir_.Find(id);
  if (it == dir_.end()) {
    // Named, then gone before its bytes came (merged away, a dropped run):
    // nothing to load. An id never issued is the caller's mistake.
    if (id != kNoPage && id < next_page_id_) return Status::OK();
    return Status::InvalidArgument("no page " + std::to_string(id));
  }
  PageMeta& m = *it->second;
  if (m.page != nullptr) return Status::OK();  // ours may be newer

  std::unique_ptr<Page> page;
  Status s = DecodeStored(id, bytes, m.summary, &page);
  if (s.ok()) {
    auto next = std::next(it);
    for (const Entry& e : page->entries()) {
      if (e.key < it->first || (next != dir_.end() && e.key >= next->first)) {
        s = Status::Corruption("page " + std::to_string(id) +
                               " holds a key outside its range");
        break;
      }
    }
  }
  m.retry_load = false;
  if (!s.ok()) {
    m.corrupt = true;
    corrupt_.insert(id);
    merge_candidates_.erase(id);
    return s;
  }
  size_t restamped = AdmitLoaded(page.get());

  m.corrupt = false;
  corrupt_.erase(id);
  MakeResident(&m, std::move(page));
  if (restamped > 0) Changed(&m);  // stored again with the new versions
  AfterBaseLoad(it);
  if (m.pending()) {
    EnforceBudget(id);
    return Status::OK();
  }
  // A page written under a larger split threshold is cut down now.
  if (m.page->bytes() > options_.split_threshold && m.page->size() > 1) {
    m.dirty = true;
    m.change_seq = next_change_seq_++;
    Rebalance(it);
  }
  // Merges that were waiting for this page.
  ReviewMergesAround(id);
  EnforceBudget(dir_.Find(id) != dir_.end() ? id : kNoPage);
  return Status::OK();
}

size_t EngineImpl::AdmitLoaded(Page* page) {
  size_t n = 0;
  if (clock_bound_.Restamping(hlc_.last())) {
    n = page->RestampAfter(hlc_.last(), clock_bound_.Restamp());
  } else if (!clock_bound_.Pending()) {
    n = page->RestampAfter(clock_bound_.Ceiling(), clock_bound_.SessionFloor());
  }
  hlc_.Update(page->max_hlc());
  return n;
}

void EngineImpl::TryClockReset() {
  if (!clock_bound_.Pending() || !runs_.empty() || !memtable_.empty()) return;
  uint64_t restart = Hlc::Pack(clock_bound_.wall_ms(), 0);
  hlc_.Restart(restart);
  clock_bound_.Reset(restart);
  for (auto it = dir_.begin(); it != dir_.end(); ++it) {
    PageMeta& m = *it->second;
    if (m.page != nullptr && m.page->RestampAfter(restart, restart) > 0) {
      Changed(&m);
    }
  }
}

size_t EngineImpl::RetryCorruptPages() {
  for (PageId id : corrupt_) {
    auto it = dir_.Find(id);
    if (it != dir_.end()) it->second->retry_load = true;
    auto run = run_pages_.find(id);
    if (run != run_pages_.end()) run->second->meta->retry_load = true;
  }
  return corrupt_.size();
}

std::vector<PageId> EngineImpl::PagesWantedForMerges() const {
  // Grouped per candidate (the candidate, then its neighbours), so a caller
  // loading them in order has both halves of a merge resident together even
  // with a budget of one page.
  std::vector<PageId> wanted;
  std::set<PageId> listed;
  auto want = [&](const PageMeta& m) {
    if (m.page == nullptr && listed.insert(m.id).second) {
      wanted.push_back(m.id);
    }
    for (PageId run_page : m.pending_runs) {
      if (listed.insert(run_page).second) wanted.push_back(run_page);
    }
  };
  for (PageId id : merge_candidates_) {
    auto it = dir_.Find(id);
    if (it == dir_.end()) continue;
    want(*it->second);
    if (it != dir_.begin() && Fits(*std::prev(it)->second, *it->second)) {
      want(*std::prev(it)->second);
    }
    if (std::next(it) != dir_.end() &&
        Fits(*std::next(it)->second, *it->second)) {
      want(*std::next(it)->second);
    }
    // With runs, a loaded page may have runs to apply before it merges:
    // one merge at a time, so that the pages loaded for the next ones do
    // not evict its halves first.
    if (!runs_.empty() && !wanted.empty()) break;
  }
  return wanted;
}

bool EngineImpl::HasDirtyPages(bool make_room) const {
  if (MergeNeedsFlush() ||
      (make_room ? MemtableFull()
                 : user_data_dirty_ || !memtable_.unlogged().empty())) {
    return true;
  }
  for (PageMeta* m = lru_.Oldest(); m != nullptr; m = lru_.Newer(m)) {
    if (m->dirty) return true;
  }
  return false;
}

Status EngineImpl::EvictPage(PageId id) {
  auto run = run_pages_.find(id);
  if (run != run_pages_.end()) {
    if (run->second->meta->page != nullptr) Evict(run->second->meta.get());
    return Status::OK();
  }
  Iterator it = dir_.Find(id);
  if (it == dir_.end()) {
    return Status::InvalidArgument("no page " + std::to_string(id));
  }
  PageMeta& m = *it->second;
  if (m.page == nullptr) return Status::OK();
  if (m.dirty) {
    return Status::Busy("page " + std::to_string(id) + " is dirty");
  }
  Evict(&m);
  return Status::OK();
}

size_t EngineImpl::EvictAllClean() {
  size_t evicted = 0;
  PageMeta* m = lru_.Oldest();
  while (m != nullptr) {
    PageMeta* newer = lru_.Newer(m);
    if (!m->dirty) {
      Evict(m);
      ++evicted;
    }
    m = newer;
  }
  return evicted;
}

}  // namespace paging_storage
