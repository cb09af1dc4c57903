// The write path's memtable and runs (WRITE_PATH.md): buffering local
// writes whose page is not resident, reading through runs, and applying
// runs to pages as they load (sealing and dropping runs at flushes:
// engine_seal.cc; merging them: engine_merge.cc; when: engine_compaction.cc).
#include <algorithm>
#include <utility>

#include "engine_impl.h"
#include "key_filter.h"
#include "page_codec.h"

namespace paging_storage {

void EngineImpl::BufferWrite(const WriteOp& op, uint64_t wall_ms, Iterator it,
                             WriteResult* r) {
  const std::string& key = op.record.key;
  const PageMeta& m = *it->second;
  if (m.page != nullptr || (m.corrupt && !m.retry_load)) return;
  const Entry* buffered = memtable_.Find(key);
  // A key the memtable holds stays there (an overwrite costs no run entry
  // more); others wait for their page once buffering no longer pays.
  if (buffered == nullptr && !buffering_pays_) return;
  Entry e;
  e.key = key;
  e.origin = local_origin_;
  if (op.type == WriteOp::Type::kPut) {
    e.value = op.record.value;
  } else if ((op.type == WriteOp::Type::kDelete ||
              op.type == WriteOp::Type::kTombstone) &&
             buffered != nullptr) {
    // The memtable holds the key's newest state: the boolean stays exact.
    r->status = Status::OK();
    r->existed = !buffered->tombstone;
    if (!r->existed && op.type == WriteOp::Type::kDelete) return;
    e.tombstone = true;
  } else {
    return;  // needs the page: NotResident stands
  }
  e.hlc = hlc_.Now(wall_ms);
  r->status = Status::OK();
  r->applied = true;
  r->buffered = op.type == WriteOp::Type::kPut;
  r->version = VersionOf(e);
  memtable_.Put(std::move(e));
  EnforceBudget(kNoPage);
}

bool EngineImpl::MergeEntry(Page* page, Entry e) {
  hlc_.Update(e.hlc);
  const Entry* current = page->Find(e.key);
  if (current != nullptr &&
      CompareVersions(VersionOf(*current), VersionOf(e)) >= 0) {
    return false;
  }
  page->Upsert(std::move(e));
  return true;
}

Status EngineImpl::CurrentEntry(const PageMeta& m, std::string_view key,
                                const Entry** out, PageId* missing) {
  const Entry* best = m.page->Find(key);
  for (PageId id : m.pending_runs) {
    RunPage& rp = *run_pages_.at(id);
    if (!rp.Holds(key) || !KeyFilterMayMatch(rp.filter, key)) continue;
    PageMeta& run = *rp.meta;
    if (run.page == nullptr) {
      if (run.corrupt && !run.retry_load) {
        return Status::Corruption("page " + std::to_string(id) +
                                  " failed to load");
      }
      if (missing != nullptr) *missing = id;
      return Status::NotResident("page " + std::to_string(id));
    }
    lru_.Touch(&run);
    const Entry* e = run.page->Find(key);
    if (e != nullptr && e->hlc <= AppliedFloor(rp.seq, m.applied_seq)) {
      e = nullptr;  // applied already
    }
    if (e != nullptr &&
        (best == nullptr ||
         CompareVersions(VersionOf(*e), VersionOf(*best)) > 0)) {
      best = e;
    }
  }
  *out = best;
  return Status::OK();
}

void EngineImpl::AfterBaseLoad(Iterator it) {
  PageMeta& m = *it->second;
  auto next = std::next(it);
  std::vector<Entry> taken;
  memtable_.Take(it->first, next == dir_.end() ? nullptr : &next->first,
                 &taken);
  bool changed = false;
  for (Entry& e : taken) changed |= MergeEntry(m.page.get(), std::move(e));
  ApplyRuns(it, changed);
}

uint64_t EngineImpl::AppliedFloor(uint64_t run_seq, uint64_t applied) const {
  const std::vector<RunSource>& sources = runs_.at(run_seq).sources;
  if (sources.empty() || applied < sources.front().seq) return 0;
  auto last = std::upper_bound(
      sources.begin(), sources.end(), applied,
      [](uint64_t a, const RunSource& src) { return a < src.seq; });
  return std::prev(last)->max_hlc;
}

void EngineImpl::ApplyRuns(Iterator it, bool changed) {
  PageMeta& m = *it->second;
  auto next = std::next(it);
  m.applied_target = NewestRunSeq();
  m.pending_runs.clear();
  for (PageId id : RunPagesFor(it, m.applied_seq)) {
    const RunPage& rp = *run_pages_.at(id);
    const PageMeta& run = *rp.meta;
    if (run.page == nullptr) {
      m.pending_runs.push_back(id);
      continue;
    }
    // Resident already: applied now.
    uint64_t floor = AppliedFloor(rp.seq, m.applied_seq);
    auto from = std::lower_bound(
        run.page->entries().begin(), run.page->entries().end(), it->first,
        [](const Entry& e, const std::string& k) { return e.key < k; });
    uint64_t puts = 0;
    for (auto e = from; e != run.page->entries().end(); ++e) {
      if (next != dir_.end() && !(e->key < next->first)) break;
      if (e->hlc <= floor) continue;
      changed |= MergeEntry(m.page.get(), *e);
      puts += e->tombstone ? 0 : 1;
    }
    // Counted as applied: stored as such (else a reload applies, and
    // counts, them again).
    changed |= puts > 0;
    NoteApplied(rp.seq, puts);
  }
  if (!m.pending()) m.applied_seq = std::max(m.applied_seq, m.applied_target);
  if (changed) Changed(&m);
  if (changed && m.pending()) {
    if (m.page->bytes() > options_.split_threshold) {
      Rebalance(it);  // see WriteInto: pending pages split, never merge
    } else {
      ReviewMergesAround(m.id);  // invariant 4
    }
  }
}

std::vector<PageId> EngineImpl::RunPagesFor(Iterator it, uint64_t after) const {
  std::vector<PageId> ids;
  const std::string& lo = it->first;
  auto next = std::next(it);
  const std::string* hi = next == dir_.end() ? nullptr : &next->first;
  for (auto r = runs_.upper_bound(after); r != runs_.end(); ++r) {
    if (r->second.log) continue;  // the memtable holds it
    const std::vector<RunPage>& pages = r->second.pages;
    // The run page whose range holds `lo`, then those up to `hi`.
    auto p = std::upper_bound(
        pages.begin(), pages.end(), lo,
        [](const std::string& k, const RunPage& rp) { return k < rp.lower; });
    if (p != pages.begin()) --p;
    for (; p != pages.end() && (hi == nullptr || p->lower < *hi); ++p) {
      if (p->has_upper && !(lo < p->upper)) continue;  // ends before lo
      ids.push_back(p->meta->id);
    }
  }
  return ids;
}

Status EngineImpl::Unreadable(Iterator it, PageId* missing) const {
  const PageMeta* m = it->second.get();
  if (m->page != nullptr && m->pending()) {
    m = run_pages_.at(m->pending_runs.front())->meta.get();
  }
  if (m->corrupt && !m->retry_load) {
    return Status::Corruption("page " + std::to_string(m->id) +
                              " failed to load");
  }
  if (missing != nullptr) *missing = m->id;
  return Status::NotResident("page " + std::to_string(m->id));
}

Status EngineImpl::LoadRunPage(PageId id, std::string_view bytes) {
  RunPage& rp = *run_pages_.at(id);
  PageMeta& meta = *rp.meta;
  if (meta.page != nullptr) return Status::OK();
  std::unique_ptr<Page> page;
  Status s = DecodeStored(id, bytes, meta.summary, &page);
  if (s.ok()) {
    for (const Entry& e : page->entries()) {
      if (!rp.Holds(e.key)) {
        s = Status::Corruption("run page " + std::to_string(id) +
                               " holds a key outside its range");
        break;
      }
    }
  }
  meta.retry_load = false;
  meta.corrupt = !s.ok();
  if (!s.ok()) {
    corrupt_.insert(id);
    return s;
  }
  corrupt_.erase(id);
  for (const Entry& e : page->entries()) hlc_.Update(e.hlc);
  MakeResident(&meta, std::move(page));

  // Applies it to every resident page pending on it.
  const std::vector<Entry>& entries = meta.page->entries();
  std::vector<PageId> touched;
  for (Iterator it = dir_.Locate(rp.lower); it != dir_.end(); ++it) {
    if (rp.has_upper && !(it->first < rp.upper)) break;
    PageMeta& m = *it->second;
    if (m.page == nullptr) continue;
    auto pos = std::find(m.pending_runs.begin(), m.pending_runs.end(), id);
    if (pos == m.pending_runs.end()) continue;
    m.pending_runs.erase(pos);
    uint64_t floor = AppliedFloor(rp.seq, m.applied_seq);
    auto next = std::next(it);
    auto first = std::lower_bound(
        entries.begin(), entries.end(), it->first,
        [](const Entry& e, const std::string& k) { return e.key < k; });
    bool changed = false;
    uint64_t puts = 0;
    for (auto e = first; e != entries.end(); ++e) {
      if (next != dir_.end() && !(e->key < next->first)) break;
      if (e->hlc <= floor) continue;
      changed |= MergeEntry(m.page.get(), *e);
      puts += e->tombstone ? 0 : 1;
    }
    changed |= puts > 0;  // counted as applied: stored as such
    NoteApplied(rp.seq, puts);
    // Pending run pages are in run order: every run below the first still
    // pending is applied. Stored, that progress survives an eviction (a
    // budget too small to keep the page resident through all its runs
    // would otherwise never finish it).
    uint64_t applied =
        m.pending() ? run_pages_.at(m.pending_runs.front())->first_seq - 1
                    : m.applied_target;
    if (applied > m.applied_seq) {
      m.applied_seq = applied;
      if (applied > m.stored_applied_seq) changed = true;
    }
    if (changed) Changed(&m);
    if (!m.pending() || changed) touched.push_back(m.id);
  }
  // After the walk: finishing or reviewing merges changes the directory.
  for (PageId done : touched) {
    Iterator it = dir_.Find(done);
    if (it == dir_.end() || it->second->page == nullptr) continue;
    if (!it->second->pending()) {
      FinishPending(it);
    } else if (it->second->page->bytes() > options_.split_threshold) {
      Rebalance(it);  // split: it grew (see WriteInto)
    } else {
      ReviewMergesAround(done);  // it shrank, maybe: invariant 4
    }
  }
  // The pages it was applied to are newer in the LRU than it: when the
  // budget is short it goes before them (they were loaded for the operation
  // that loaded it), but after older pages; and it stays even when every
  // other page is dirty (applying it made them so), as a base page just
  // loaded does: a read of a key whose page is not resident needs it
  // (FindInRuns). The caller flushes after the operation.
  for (PageId done : touched) {
    Iterator it = dir_.Find(done);
    if (it != dir_.end() && it->second->page != nullptr) {
      lru_.Touch(it->second.get());
    }
  }
  EnforceBudget(id);
  return Status::OK();
}

void EngineImpl::TrimPending(Iterator it) {
  PageMeta& m = *it->second;
  if (!m.pending()) return;
  auto next = std::next(it);
  auto reaches = [&](PageId id) {
    const RunPage& rp = *run_pages_.at(id);
    bool below_end = next == dir_.end() || rp.lower < next->first;
    bool above_start = !rp.has_upper || it->first < rp.upper;
    return below_end && above_start;
  };
  m.pending_runs.erase(
      std::remove_if(m.pending_runs.begin(), m.pending_runs.end(),
                     [&](PageId id) { return !reaches(id); }),
      m.pending_runs.end());
  // Nothing left that reaches it: it has applied every run.
  if (!m.pending()) m.applied_seq = std::max(m.applied_seq, m.applied_target);
}

void EngineImpl::FinishPending(Iterator it) {
  PageMeta& m = *it->second;
  m.applied_seq = std::max(m.applied_seq, m.applied_target);
  PageId id = m.id;
  if (m.page->bytes() > options_.split_threshold && m.page->size() > 1) {
    if (!m.dirty) Changed(&m);
    Rebalance(it);
  }
  ReviewMergesAround(id);
}

}  // namespace paging_storage
