#include <algorithm>

#include "engine_impl.h"
#include "key_filter.h"

namespace paging_storage {

Version EngineImpl::VersionOf(const Entry& e) const {
  return Version{e.hlc, origins_.Name(e.origin)};
}

void EngineImpl::SetVersion(const Entry& e, Version* out) const {
  out->hlc = e.hlc;
  out->origin.assign(origins_.Name(e.origin));
}

void EngineImpl::FillRecord(const Entry& e, Record* out) const {
  out->key = e.key;
  out->value = e.value;
  out->version = VersionOf(e);
  out->tombstone = e.tombstone;
}

Status EngineImpl::ResidentPageFor(std::string_view key, Iterator* it,
                                   PageId* missing) {
  *it = dir_.Locate(key);
  const PageMeta& m = *(*it)->second;
  if (m.page == nullptr || m.pending() || (m.corrupt && !m.retry_load)) {
    return Unreadable(*it, missing);
  }
  return Status::OK();
}

PageId EngineImpl::PageFor(std::string_view key) const {
  return dir_.Locate(key)->second->id;
}

std::vector<PageId> EngineImpl::PagesAhead(PageId first, size_t limit,
                                           bool descending) const {
  std::vector<PageId> ids;
  auto it = dir_.Find(first);
  if (it == dir_.end()) return ids;
  for (;;) {
    if (ids.size() >= limit) break;
    const PageMeta& m = *it->second;
    if (m.page == nullptr && (!m.corrupt || m.retry_load)) ids.push_back(m.id);
    if (m.page != nullptr && m.pending()) {
      for (PageId id : m.pending_runs) {
        if (ids.size() < limit) ids.push_back(id);
      }
    }
    if (descending) {
      if (it == dir_.begin()) break;
      --it;
    } else if (++it == dir_.end()) {
      break;
    }
  }
  return ids;
}

Status EngineImpl::FindEntry(std::string_view key, const Entry** entry,
                             PageId* missing) {
  Status s = ValidateKey(key);
  if (!s.ok()) return s;
  if (const Entry* buffered = memtable_.Find(key)) {
    *entry = buffered;
    return Status::OK();
  }
  Iterator it = dir_.Locate(key);
  PageMeta& m = *it->second;
  if (m.page == nullptr && !m.corrupt) {
    s = FindInRuns(m, key, entry, missing);
    if (!s.IsNotFound()) return s;
  }
  if (m.page == nullptr || (m.corrupt && !m.retry_load)) {
    return Unreadable(it, missing);
  }
  lru_.Touch(&m);
  s = CurrentEntry(m, key, entry, missing);
  if (!s.ok()) return s;
  return *entry == nullptr ? Status::NotFound() : Status::OK();
}

Status EngineImpl::FindInRuns(const PageMeta& m, std::string_view key,
                              const Entry** entry, PageId* missing) {
  // Newest run first: runs hold local writes only, sealed in clock order,
  // so the newest run holding `key` holds its newest local version; it is
  // the key's newest version when newer than every entry of m's page (the
  // page's stored max_hlc: m is not resident, so not changed since). Only
  // the first run whose filter matches is read: a call that needed several
  // run pages in turn could see each evicted by the next under a small
  // budget, and never finish; past it, the page (pending on the runs, which
  // records progress) decides.
  for (auto r = runs_.rbegin(); r != runs_.rend() && r->first > m.applied_seq;
       ++r) {
    if (r->second.log) continue;  // the memtable answers for it
    const std::vector<RunPage>& pages = r->second.pages;
    auto p = std::upper_bound(
        pages.begin(), pages.end(), key,
        [](std::string_view k, const RunPage& rp) { return k < rp.lower; });
    if (p == pages.begin()) continue;
    --p;
    if (!p->Holds(key) || !KeyFilterMayMatch(p->filter, key)) continue;
    PageMeta& run = *p->meta;
    if (run.corrupt && !run.retry_load) break;  // the base page decides
    if (run.page == nullptr) {
      if (missing != nullptr) *missing = run.id;
      return Status::NotResident("page " + std::to_string(run.id));
    }
    lru_.Touch(&run);
    const Entry* e = run.page->Find(key);
    // The page may hold a newer one, or (no entry: a false positive) an
    // older run may hold it.
    if (e == nullptr || e->hlc <= m.summary.max_hlc ||
        e->hlc <= AppliedFloor(r->first, m.applied_seq)) {
      break;
    }
    *entry = e;
    return Status::OK();
  }
  return Status::NotFound();
}

Status EngineImpl::Lookup(std::string_view key, Record* out, PageId* missing) {
  const Entry* e = nullptr;
  Status s = FindEntry(key, &e, missing);
  if (s.ok()) FillRecord(*e, out);
  return s;
}

Status EngineImpl::Get(std::string_view key, std::string* value,
                       PageId* missing) {
  const Entry* e = nullptr;
  Status s = FindEntry(key, &e, missing);
  if (!s.ok()) return s;
  if (e->tombstone) return Status::NotFound();
  value->assign(e->value);
  return Status::OK();
}

// Pages are visited in order; each visited page is touched in the LRU. On
// reaching a page that is not resident, the scan stops and describes the
// rest of itself in out->resume: forward scans resume at that page's lower
// bound, reverse scans at its upper bound (the next page's lower bound).
Status EngineImpl::Scan(const ScanOptions& options, ScanResult* out) {
  out->records.clear();
  out->missing_page = kNoPage;
  out->resume = options;
  if (options.has_end && options.end <= options.start) return Status::OK();
  auto room = [&] {
    return options.limit == 0 || out->records.size() < options.limit;
  };
  auto stop_at = [&](Iterator it) -> Status {
    if (options.reverse) {
      auto next = std::next(it);
      if (next != dir_.end() &&
          (!options.has_end || next->first < options.end)) {
        out->resume.end = next->first;
        out->resume.has_end = true;
      }
    } else {
      out->resume.start = std::max(options.start, it->first);
    }
    if (options.limit != 0) {
      out->resume.limit = options.limit - out->records.size();
    }
    return Unreadable(it, &out->missing_page);
  };
  size_t bytes = 0;  // of the records emitted, keys and values
  auto emit = [&](const Entry& e) {
    if (e.tombstone && !options.include_tombstones) return;
    out->records.emplace_back();
    FillRecord(e, &out->records.back());
    bytes += e.key.size() + out->records.back().value.size();
  };
  // The answer is full: stop before this page (nothing to load).
  auto full = [&](Iterator it) {
    if (options.max_bytes == 0 || bytes < options.max_bytes) return false;
    static_cast<void>(stop_at(it));  // sets `resume`; the page is not read
    out->missing_page = kNoPage;
    return true;
  };

  if (!options.reverse) {
    for (Iterator it = dir_.Locate(options.start); it != dir_.end() && room();
         ++it) {
      if (options.has_end && it->first >= options.end) break;
      if (full(it)) return Status::NotResident("answer full");
      PageMeta& m = *it->second;
      if (m.page == nullptr || m.corrupt || m.pending()) return stop_at(it);
      lru_.Touch(&m);
      const auto& entries = m.page->entries();
      for (size_t i = m.page->LowerBound(options.start);
           i < entries.size() && room(); ++i) {
        if (options.has_end && entries[i].key >= options.end) break;
        emit(entries[i]);
      }
    }
    return Status::OK();
  }

  Iterator it =
      options.has_end ? dir_.Locate(options.end) : std::prev(dir_.end());
  while (room()) {
    PageMeta& m = *it->second;
    auto next = std::next(it);
    bool after_start = next == dir_.end() || next->first > options.start;
    if (!after_start) break;
    // The page starting exactly at `end` holds nothing below it.
    bool before_end = !options.has_end || it->first < options.end;
    if (before_end && full(it)) return Status::NotResident("answer full");
    if (before_end && (m.page == nullptr || m.corrupt || m.pending())) {
      return stop_at(it);
    }
    if (before_end) {
      lru_.Touch(&m);
      const auto& entries = m.page->entries();
      size_t i =
          options.has_end ? m.page->LowerBound(options.end) : entries.size();
      while (i > 0 && room()) {
        const Entry& e = entries[--i];
        if (e.key < options.start) break;
        emit(e);
      }
    }
    if (it == dir_.begin() || it->first <= options.start) break;
    --it;
  }
  return Status::OK();
}

}  // namespace paging_storage
