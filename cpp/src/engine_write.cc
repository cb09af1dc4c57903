#include <algorithm>
#include <unordered_map>
#include <utility>

#include "engine_impl.h"
#include "utf8.h"

namespace paging_storage {
namespace {

constexpr size_t kMaxOriginBytes = 255;

}  // namespace

Status EngineImpl::ValidateKey(std::string_view key) const {
  if (key.empty()) return Status::InvalidArgument("key must not be empty");
  if (key.size() > options_.max_key_bytes) {
    return Status::InvalidArgument(
        "key longer than " + std::to_string(options_.max_key_bytes) + " bytes");
  }
  if (!IsValidUtf8(key)) return Status::InvalidArgument("key is not UTF-8");
  return Status::OK();
}

Status EngineImpl::ValidateOp(const WriteOp& op) const {
  Status s = ValidateKey(op.record.key);
  if (!s.ok()) return s;
  const Record& r = op.record;
  switch (op.type) {
    case WriteOp::Type::kPut:
      break;
    case WriteOp::Type::kDelete:
    case WriteOp::Type::kTombstone:
      return Status::OK();
    case WriteOp::Type::kForget:
    case WriteOp::Type::kRestamp:
      if (r.version.hlc == 0 || r.version.origin.empty() ||
          r.version.origin.size() > kMaxOriginBytes) {
        return Status::InvalidArgument("forget/restamp: bad version");
      }
      return Status::OK();
    case WriteOp::Type::kMerge:
      if (r.version.origin.empty() ||
          r.version.origin.size() > kMaxOriginBytes) {
        return Status::InvalidArgument("merge: bad origin");
      }
      if (r.version.hlc == 0) return Status::InvalidArgument("merge: no hlc");
      if (r.tombstone) {
        if (!r.value.empty()) {
          return Status::InvalidArgument("merge: tombstone with a value");
        }
        return Status::OK();
      }
      break;
    default:
      return Status::InvalidArgument("unknown op type");
  }
  if (r.value.size() > options_.max_value_bytes) {
    return Status::InvalidArgument("value larger than " +
                                   std::to_string(options_.max_value_bytes) +
                                   " bytes");
  }
  return Status::OK();
}

WriteResult EngineImpl::Write(WriteOp* op, uint64_t wall_ms, PageId* missing) {
  WriteResult r;
  WriteInto(op, wall_ms, missing, &r);
  return r;
}

void EngineImpl::WriteInto(WriteOp* op_in, uint64_t wall_ms, PageId* missing,
                           WriteResult* out) {
  const WriteOp& op = *op_in;
  WriteResult& r = *out;
  r.existed = false;
  r.applied = false;
  r.buffered = false;
  r.other_value = false;
  r.version.hlc = 0;
  r.version.origin.clear();
  r.missing_page = kNoPage;
  clock_bound_.ObserveWall(wall_ms);
  r.status = ValidateOp(op);
  if (!r.status.ok()) return;
  const Record& rec = op.record;
  if (op.type == WriteOp::Type::kMerge &&
      clock_bound_.Beyond(rec.version.hlc)) {
    // A version from the future: merged, it would drag the clock along and
    // every later local write would be refused by peers (issue 16).
    r.status = Status::InvalidArgument(
        "version stamped more than max_clock_drift_ms past the wall clock");
    return;
  }
  Iterator it = dir_.Locate(rec.key);
  PageMeta& m = *it->second;
  if (m.page == nullptr || (m.corrupt && !m.retry_load)) {
    r.status = Unreadable(it, missing);
    if (r.status.IsNotResident() && WritePathOn() &&
        !clock_bound_.Recovering(hlc_.last())) {
      BufferWrite(op, wall_ms, it, &r);
    }
    return;
  }
  // A page still applying runs (WRITE_PATH.md) takes writes: the key's
  // current version is looked up through the runs (a put needs none: the
  // local clock's version beats all), and the runs applied later lose to
  // what is written now. A forget needs the exact stored version: it waits.
  if (m.pending() && (op.type == WriteOp::Type::kForget ||
                      op.type == WriteOp::Type::kRestamp)) {
    r.status = Unreadable(it, missing);
    return;
  }
  lru_.Touch(&m);
  const Entry* current = nullptr;
  r.buffered = m.pending() && op.type == WriteOp::Type::kPut;
  if (!r.buffered) {
    r.status = CurrentEntry(m, rec.key, &current, missing);
    if (!r.status.ok()) return;
  }
  r.existed = current != nullptr && !current->tombstone;
  if (op.type == WriteOp::Type::kForget) {
    if (current == nullptr ||
        CompareVersions(VersionOf(*current), rec.version) != 0) {
      return;  // gone, or another version since: keep it
    }
    m.page->Erase(rec.key);
    r.applied = true;
    Changed(&m);
    Rebalance(it);
    EnforceBudget(kNoPage);
    return;
  }
  Entry e;
  switch (op.type) {
    case WriteOp::Type::kPut:
      e.value = std::move(op_in->record.value);
      e.hlc = hlc_.Now(wall_ms);
      e.origin = local_origin_;
      break;
    case WriteOp::Type::kDelete:
      if (!r.existed) return;  // nothing live to delete
      e.tombstone = true;
      e.hlc = hlc_.Now(wall_ms);
      e.origin = local_origin_;
      break;
    case WriteOp::Type::kTombstone:
      e.tombstone = true;
      e.hlc = hlc_.Now(wall_ms);
      e.origin = local_origin_;
      break;
    case WriteOp::Type::kForget:  // handled above
      return;
    case WriteOp::Type::kRestamp:
      if (current == nullptr ||
          CompareVersions(VersionOf(*current), rec.version) != 0) {
        return;  // gone, or another version since: nothing to answer
      }
      hlc_.Update(std::min(op.floor_hlc, clock_bound_.Ceiling()));
      e.tombstone = current->tombstone;
      e.value = current->value;
      e.hlc = hlc_.Now(wall_ms);
      e.origin = local_origin_;
      break;
    case WriteOp::Type::kMerge:
      hlc_.Update(rec.version.hlc);
      if (current != nullptr) {
        int order = CompareVersions(VersionOf(*current), rec.version);
        if (order >= 0) {
          SetVersion(*current, &r.version);  // stale or duplicate: keep ours
          r.other_value =
              order == 0 && (current->tombstone != rec.tombstone ||
                             (!rec.tombstone && current->value != rec.value));
          return;
        }
      }
      e.tombstone = rec.tombstone;
      if (!e.tombstone) e.value = std::move(op_in->record.value);
      e.hlc = rec.version.hlc;
      e.origin = origins_.Intern(rec.version.origin);
      break;
  }
  e.key = rec.key;
  SetVersion(e, &r.version);
  bool appended = current == nullptr && std::next(it) == dir_.end() &&
                  m.page->size() > 0 && m.page->entries().back().key < e.key;
  size_t bytes_before = m.page->bytes();
  m.page->Upsert(std::move(e));
  r.applied = true;
  Changed(&m);
  // A page that grew within the split threshold needs no split, and no
  // merge becomes possible (merges need fewer bytes): invariants 2-4 hold,
  // and the key's page is still `m`.
  if (m.pending()) {
    // Not merged until its runs are applied (a page that shrank waits as a
    // merge candidate, invariant 4), but split: a page pending for long
    // would otherwise grow without bound.
    if (m.page->bytes() > options_.split_threshold) {
      Rebalance(it, appended);
    } else if (m.page->bytes() < bytes_before) {
      ReviewMergesAround(m.id);
    }
    if (OverBudget()) EnforceBudget(dir_.Locate(rec.key)->second->id);
    return;
  }
  if (m.page->bytes() >= bytes_before &&
      m.page->bytes() <= options_.split_threshold) {
    EnforceBudget(m.id);  // spare the key's page
    return;
  }
  Rebalance(it, appended);
  // A split may have moved the key to a new page; a merge, `m` away. Only
  // an engine over its budget needs to know which page to spare.
  if (OverBudget()) EnforceBudget(dir_.Locate(rec.key)->second->id);
}

Status EngineImpl::ApplyBatch(std::vector<WriteOp>* ops_in, size_t start,
                              bool skip, uint64_t wall_ms, BatchResult* out) {
  std::vector<WriteOp>& ops = *ops_in;
  out->missing_page = kNoPage;
  out->next = start;
  if (start > ops.size()) {
    out->results.clear();
    return Status::InvalidArgument("batch start past its end");
  }
  // The results are written over those already in `out`, whose strings
  // keep their storage (a caller that reuses one BatchResult allocates no
  // version origin per write), then cut to the ops processed.
  size_t n = 0;
  // Pages skipped in this call, and what each waits for: every later op on
  // them is skipped too, even one the write path could buffer, so that a
  // key's ops apply in order.
  std::unordered_map<PageId, PageId> skipped;
  for (size_t i = start; i < ops.size(); ++i) {
    if (n == out->results.size()) out->results.emplace_back();
    WriteResult& r = out->results[n];
    PageId missing = kNoPage;
    if (!skipped.empty()) {
      auto s = skipped.find(dir_.Locate(ops[i].record.key)->second->id);
      if (s != skipped.end()) {
        r = WriteResult{};
        r.status = Status::NotResident("page " + std::to_string(s->second));
        r.missing_page = s->second;
        ++n;
        continue;
      }
    }
    WriteInto(&ops[i], wall_ms, &missing, &r);
    if (r.status.IsNotResident() && skip) {
      r.missing_page = missing;
      skipped.emplace(dir_.Locate(ops[i].record.key)->second->id, missing);
    } else if (r.status.IsNotResident()) {
      Status s = r.status;
      out->results.resize(n);
      out->missing_page = missing;
      out->next = i;
      return s;
    }
    ++n;
  }
  out->results.resize(n);
  out->next = ops.size();
  return Status::OK();
}

Status EngineImpl::PurgeTombstones(uint64_t horizon, std::string_view start,
                                   size_t want, PurgeResult* out) {
  out->purged = 0;
  out->missing_pages.clear();
  out->resume_start.clear();
  auto holds_tombstones = [](const PageMeta& m) {
    return !m.corrupt && m.summary.entry_count > m.summary.live_count;
  };
  Iterator it = dir_.Locate(start);
  while (it != dir_.end()) {
    PageMeta& m = *it->second;
    if (!holds_tombstones(m)) {
      ++it;
      continue;
    }
    if (m.page == nullptr || m.pending()) {
      out->resume_start = it->first;
      for (Iterator n = it; n != dir_.end() && out->missing_pages.size() <
                                                   std::max<size_t>(want, 1);
           ++n) {
        PageId id = kNoPage;
        if ((n->second->page == nullptr || n->second->pending()) &&
            holds_tombstones(*n->second) &&
            Unreadable(n, &id).IsNotResident()) {
          out->missing_pages.push_back(id);
        }
      }
      return Status::NotResident("page " + std::to_string(m.id));
    }
    size_t n = m.page->PurgeTombstones(horizon);
    if (n == 0) {
      ++it;
      continue;
    }
    out->purged += n;
    std::string lower = it->first;
    lru_.Touch(&m);
    Changed(&m);
    Rebalance(it);
    // The page that holds `lower` now (this one, or the neighbour it merged
    // into) is purged again: a neighbour merged into it brings its own.
    it = dir_.Locate(lower);
  }
  EnforceBudget(kNoPage);
  return Status::OK();
}

void EngineImpl::Changed(PageMeta* m) {
  m->summary = SummaryOf(*m->page);
  m->dirty = true;
  m->change_seq = next_change_seq_++;
}

void EngineImpl::Rebalance(Iterator it, bool appended) {
  std::vector<PageId> pieces;
  SplitOversized(it, appended, &pieces);
  for (PageId id : pieces) ReviewMergesAround(id);
}

void EngineImpl::SplitOversized(Iterator it, bool appended,
                                std::vector<PageId>* pieces) {
  std::vector<Iterator> work{it};
  while (!work.empty()) {
    Iterator cur = work.back();
    work.pop_back();
    PageMeta& m = *cur->second;
    if (m.page->bytes() <= options_.split_threshold || m.page->size() < 2) {
      pieces->push_back(m.id);
      continue;
    }
    // After an append the left page keeps what it held before (it was within
    // the threshold); only the first cut takes the hint.
    size_t cut = appended ? m.page->size() - 1 : m.page->SplitPoint();
    appended = false;
    PageId id = next_page_id_++;
    auto right = std::make_unique<Page>(id, &origins_);
    std::string lower = m.page->entries()[cut].key;
    m.page->MoveTailTo(cut, right.get());
    Changed(&m);
    Iterator rit = dir_.Add(std::move(lower), id);
    rit->second->applied_seq = m.applied_seq;
    rit->second->applied_target = m.applied_target;
    // A pending page's pieces are pending on the run pages that reach them.
    rit->second->pending_runs = m.pending_runs;
    TrimPending(rit);
    TrimPending(cur);
    MakeResident(rit->second.get(), std::move(right));
    Changed(rit->second.get());
    work.push_back(cur);
    work.push_back(rit);
  }
}

void EngineImpl::ReviewMergesAround(PageId id) {
  Iterator it = dir_.Find(id);
  if (it == dir_.end()) return;
  PageId around[3] = {kNoPage, id, kNoPage};
  if (it != dir_.begin()) around[0] = std::prev(it)->second->id;
  if (std::next(it) != dir_.end()) around[2] = std::next(it)->second->id;
  for (PageId p : around) {
    if (p != kNoPage) TryMerge(p);
  }
}

bool EngineImpl::Fits(const PageMeta& a, const PageMeta& b) const {
  return !a.corrupt && !b.corrupt &&
         a.summary.bytes + b.summary.bytes - kPageOverhead <=
             options_.split_threshold;
}

void EngineImpl::TryMerge(PageId id) {
  Iterator it = dir_.Find(id);
  if (it == dir_.end()) return;
  PageMeta& m = *it->second;
  if (dir_.size() == 1 || m.corrupt ||
      m.summary.bytes >= options_.merge_threshold) {
    merge_candidates_.erase(id);
    return;
  }
  Iterator left = it == dir_.begin() ? dir_.end() : std::prev(it);
  Iterator right = std::next(it);
  bool waiting = false;
  for (Iterator n : {left, right}) {
    if (n == dir_.end() || !Fits(*n->second, m)) continue;
    if (n->second->page == nullptr || m.page == nullptr ||
        n->second->pending() || m.pending()) {
      waiting = true;
      continue;
    }
    merge_candidates_.erase(id);
    Iterator l = n == left ? left : it;
    Iterator r = n == left ? it : right;
    PageId survivor = l->second->id;
    MergeRightIntoLeft(l, r);
    ReviewMergesAround(survivor);
    return;
  }
  if (waiting) {
    merge_candidates_.insert(id);
  } else {
    merge_candidates_.erase(id);
  }
}

void EngineImpl::MergeRightIntoLeft(Iterator left, Iterator right) {
  PageMeta& l = *left->second;
  PageMeta& r = *right->second;
  l.page->AbsorbRight(r.page.get());
  Changed(&l);
  lru_.Touch(&l);
  lru_.Remove(&r);
  merge_candidates_.erase(r.id);
  deleted_pages_.push_back(DeletedPage{r.id, *r.lower_key, r.persisted});
  dir_.Remove(right);
}

PageSummary EngineImpl::SummaryOf(const Page& page) {
  PageSummary s;
  s.entry_count = static_cast<uint32_t>(page.size());
  s.live_count = static_cast<uint32_t>(page.live_count());
  s.bytes = page.bytes();
  s.digest = page.digest();
  s.max_hlc = page.max_hlc();
  return s;
}

}  // namespace paging_storage
