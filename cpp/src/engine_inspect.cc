#include <string>
#include <unordered_set>

#include "engine_impl.h"

namespace paging_storage {
namespace {

Status Broken(const std::string& what, PageId id) {
  return Status::Corruption("invariant: " + what + " (page " +
                            std::to_string(id) + ")");
}

}  // namespace

EngineStats EngineImpl::Stats() const {
  EngineStats s;
  s.pages = PageCount();
  for (const auto& [lower, meta] : dir_) {
    const PageMeta& m = *meta;
    s.live_keys += m.summary.live_count;
    s.tombstones += m.summary.entry_count - m.summary.live_count;
    s.bytes += m.summary.bytes;
    if (m.page != nullptr) {
      ++s.resident_pages;
      s.resident_bytes += m.summary.bytes;
    }
    if (m.dirty) ++s.dirty_pages;
    if (m.corrupt) ++s.corrupt_pages;
  }
  // The write path: buffered puts count as keys until a page takes them
  // (an overwrite of a key on a page not in memory counts twice until then;
  // exact once everything is applied, as after a compacting flush).
  for (const auto& [key, e] : memtable_.entries()) {
    s.live_keys += e.tombstone ? 0 : 1;
  }
  s.buffered_writes = memtable_.size();
  s.run_pages = run_pages_.size() + MergeOutputPages();
  s.run_merges = run_merges_;
  for (const auto& [seq, run] : runs_) {
    if (!run.log) s.live_keys += run.unapplied_puts;  // else the memtable's
  }
  s.max_memory_pages = options_.max_memory_pages;
  s.memory_pressure = static_cast<double>(BudgetPages()) /
                      static_cast<double>(options_.max_memory_pages);
  s.hlc = hlc_.last();
  return s;
}

std::vector<PageInfo> EngineImpl::ListPages(std::string_view from,
                                            size_t limit) const {
  std::vector<PageInfo> pages;
  Directory::ConstIterator it = dir_.Locate(from);
  if (it->first < from) ++it;
  for (; it != dir_.end() && pages.size() < limit; ++it) {
    const std::string& lower = it->first;
    const PageMeta& m = *it->second;
    PageInfo p;
    p.id = m.id;
    p.lower_key = lower;
    p.entry_count = m.summary.entry_count;
    p.live_count = m.summary.live_count;
    p.bytes = m.summary.bytes;
    p.digest = m.summary.digest;
    p.max_hlc = m.summary.max_hlc;
    p.resident = m.page != nullptr;
    p.dirty = m.dirty;
    p.corrupt = m.corrupt;
    p.merge_pending = merge_candidates_.count(m.id) > 0;
    pages.push_back(std::move(p));
  }
  return pages;
}

Status EngineImpl::CheckInvariants() const {
  if (dir_.empty()) return Status::Corruption("invariant: empty directory");
  if (!dir_.begin()->first.empty()) {
    return Status::Corruption("invariant: first lower bound is not \"\"");
  }
  if (dir_.indexed_ids() != dir_.size()) {
    return Status::Corruption("invariant: id index out of step");
  }
  size_t resident = 0;
  size_t clean_resident = 0;
  for (auto it = dir_.begin(); it != dir_.end(); ++it) {
    const PageMeta& m = *it->second;
    auto next = std::next(it);
    if (dir_.Find(m.id) != it) return Broken("id index wrong", m.id);
    if (m.lower_key != &it->first) return Broken("lower key pointer", m.id);
    if (m.id == kNoPage || m.id >= next_page_id_) {
      return Broken("id out of range", m.id);
    }
    if (m.dirty && m.page == nullptr)
      return Broken("dirty, not resident", m.id);
    if (m.page != nullptr) {
      ++resident;
      if (!m.dirty) ++clean_resident;
      if (m.lru_prev == nullptr || m.lru_next == nullptr) {
        return Broken("resident but not in the LRU", m.id);
      }
      const Page& page = *m.page;
      if (page.id() != m.id) return Broken("page id mismatch", m.id);
      Status s = page.Check();
      if (!s.ok()) return Broken(s.message(), m.id);
      if (page.size() != m.summary.entry_count ||
          page.live_count() != m.summary.live_count ||
          page.bytes() != m.summary.bytes ||
          page.digest() != m.summary.digest ||
          page.max_hlc() != m.summary.max_hlc) {
        return Broken("summary differs from the page", m.id);
      }
      if (page.size() == 0 && dir_.size() > 1 &&
          merge_candidates_.count(m.id) == 0) {
        bool fits_left = it != dir_.begin() && Fits(*std::prev(it)->second, m);
        bool fits_right = next != dir_.end() && Fits(*next->second, m);
        if (fits_left || fits_right) return Broken("empty page", m.id);
      }
      if (page.size() > 0) {
        if (page.entries().front().key < it->first) {
          return Broken("key below the page's lower bound", m.id);
        }
        if (next != dir_.end() && !(page.entries().back().key < next->first)) {
          return Broken("key at or past the next page's bound", m.id);
        }
      }
      if (page.bytes() > options_.split_threshold && page.size() > 1 &&
          !m.pending()) {
        return Broken("over split threshold", m.id);
      }
      if (!m.pending() && m.applied_seq < NewestRunSeq()) {
        return Broken("resident page has not applied every run", m.id);
      }
      for (PageId id : m.pending_runs) {
        auto run = run_pages_.find(id);
        if (run == run_pages_.end()) {
          return Broken("pending on a page of no run", m.id);
        }
        if (run->second->meta->page != nullptr) {
          return Broken("pending on a resident run page", m.id);
        }
      }
      for (const Entry& e : page.entries()) {
        if (e.hlc > hlc_.last())
          return Broken("entry hlc ahead of clock", m.id);
        if (e.origin >= origins_.size()) return Broken("bad origin", m.id);
      }
    } else if (m.lru_prev != nullptr || m.lru_next != nullptr) {
      return Broken("not resident but in the LRU", m.id);
    } else if (m.pending()) {
      return Broken("not resident but pending", m.id);
    }
    bool small = dir_.size() > 1 && !m.corrupt &&
                 m.summary.bytes < options_.merge_threshold;
    if (small && merge_candidates_.count(m.id) == 0) {
      bool fits_left = it != dir_.begin() && Fits(*std::prev(it)->second, m);
      bool fits_right = next != dir_.end() && Fits(*next->second, m);
      if (fits_left || fits_right) {
        return Broken("mergeable page neither merged nor pending", m.id);
      }
    }
  }
  for (PageId id : merge_candidates_) {
    if (dir_.Find(id) == dir_.end()) {
      return Broken("merge candidate does not exist", id);
    }
  }
  for (const DeletedPage& d : deleted_pages_) {
    if (dir_.Find(d.id) != dir_.end()) {
      return Broken("deleted page lives", d.id);
    }
  }
  for (const auto& [key, e] : memtable_.entries()) {
    const PageMeta& m = *dir_.Locate(key)->second;
    if (m.page != nullptr)
      return Broken("memtable key over a resident page", m.id);
    if (e.hlc > hlc_.last()) return Broken("memtable hlc ahead of clock", m.id);
  }
  for (const auto& [seq, run] : runs_) {
    if (seq >= next_run_seq_ || run.pages.empty()) {
      return Status::Corruption("invariant: run " + std::to_string(seq));
    }
    for (size_t i = 0; i < run.pages.size(); ++i) {
      const RunPage& rp = run.pages[i];
      PageId id = rp.meta->id;
      if (i > 0 && !(run.pages[i - 1].lower < rp.lower)) {
        return Broken("run pages out of order", id);
      }
      auto r = run_pages_.find(id);
      if (r == run_pages_.end() || r->second != &rp || rp.seq != seq) {
        return Broken("run page index", id);
      }
      if (rp.meta->dirty) return Broken("dirty run page", id);
      if (rp.meta->page != nullptr) {
        ++resident;
        ++clean_resident;
      }
    }
  }
  // LRU: a well-formed list over exactly the resident pages.
  size_t linked = 0;
  std::unordered_set<const PageMeta*> seen;
  for (PageMeta* m = lru_.Oldest(); m != nullptr; m = lru_.Newer(m)) {
    if (!seen.insert(m).second || ++linked > resident) {
      return Status::Corruption("invariant: LRU list has a cycle or extras");
    }
    if (m->page == nullptr) return Broken("LRU holds an evicted page", m->id);
    PageMeta* newer = lru_.Newer(m);
    if (newer != nullptr && lru_.Older(newer) != m) {
      return Broken("LRU links disagree", m->id);
    }
  }
  if (linked != resident || lru_.size() != resident) {
    return Status::Corruption("invariant: LRU size differs from residency");
  }
  if (resident + MemtablePages() > options_.max_memory_pages &&
      clean_resident > 1) {
    return Status::Corruption(
        "invariant: over the page budget while clean pages could go");
  }
  return Status::OK();
}

}  // namespace paging_storage
