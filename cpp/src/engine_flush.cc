// Flushes: the dirty pages, the pages merged away and the engine state, all
// at once or one flush family at a time.
//
// A flush family is the key range between two consecutive persisted lower
// bounds (the first page's "" counts as one): the persisted page that starts
// it, the pages split from it since they were last stored, and the persisted
// pages merged into them. Storing a family's current pages and deleting its
// merged-away pages replaces exactly the stored pages of that range, so the
// stored directory stays a directory whatever subset of families a flush
// carries. That lets a caller whose store is out of space store the families
// that shrink first (their old bytes then go) before those that grow.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "engine_impl.h"
#include "page_codec.h"

namespace paging_storage {
namespace {

// The family of every page, by id: the id of the page that starts it.
template <typename Dir>
std::unordered_map<PageId, PageId> FamilyOfPages(const Dir& dir) {
  std::unordered_map<PageId, PageId> family;
  PageId leader = kNoPage;
  for (auto it = dir.begin(); it != dir.end(); ++it) {
    const PageMeta& m = *it->second;
    if (leader == kNoPage || m.persisted) leader = m.id;
    family[m.id] = leader;
  }
  return family;
}

}  // namespace

std::vector<PageId> EngineImpl::FlushFamilies() const {
  std::unordered_map<PageId, PageId> family = FamilyOfPages(dir_);
  std::unordered_map<PageId, uint64_t> dirty_bytes;  // leader -> bytes
  std::vector<PageId> order;                         // leaders, key order
  for (auto it = dir_.begin(); it != dir_.end(); ++it) {
    const PageMeta& m = *it->second;
    if (!m.dirty) continue;
    PageId leader = family[m.id];
    auto [slot, added] = dirty_bytes.emplace(leader, 0);
    if (added) order.push_back(leader);
    slot->second += m.summary.bytes;
  }
  // A persisted page merged away leaves its survivor dirty, so every family
  // with something to store is listed already.
  std::stable_sort(order.begin(), order.end(), [&](PageId a, PageId b) {
    return dirty_bytes[a] < dirty_bytes[b];
  });
  return order;
}

void EngineImpl::CollectFlush(const std::vector<PageId>* families,
                              FlushBatch* out) {
  out->pages.clear();
  out->deleted_pages.clear();
  collected_applied_.clear();
  sealing_ = Sealing{};
  std::unordered_map<PageId, PageId> family;
  std::unordered_set<PageId> chosen;
  if (families != nullptr) {
    family = FamilyOfPages(dir_);
    chosen.insert(families->begin(), families->end());
    // Before the first flush nothing is stored to fall back on: the first
    // family (then the whole directory) always goes.
    const PageMeta& first = *dir_.begin()->second;
    if (!first.persisted) chosen.insert(first.id);
  }
  auto included = [&](PageId id) {
    return families == nullptr || chosen.count(family[id]) > 0;
  };
  // A page's directory record changes only with its content, and a change
  // makes the page dirty (and dirty pages are resident): the records of the
  // dirty pages are all that changed since the last flush.
  for (PageMeta* m = lru_.Oldest(); m != nullptr; m = lru_.Newer(m)) {
    if (!m->dirty || !included(m->id)) continue;
    FlushBatch::PageBytes p;
    p.id = m->id;
    p.change_seq = m->change_seq;
    EncodePage(*m->page, origins_, &p.bytes);
    ManifestPage record{*m->lower_key, m->id, m->summary, 0, 0, {}};
    record.applied_seq = m->applied_seq;
    EncodeDirectoryRecord(record, &p.directory_record);
    collected_applied_[m->id] = m->applied_seq;
    out->pages.push_back(std::move(p));
  }
  // The write path: a whole flush seals the memtable into a run and drops
  // the runs every page will have applied once the batch is stored.
  if (families == nullptr) {
    SealMemtable(out);
    DropAppliedRuns(families, out);
  }
  CollectMerge(families == nullptr, out);
  // What the store will hold once the batch is written: the current pages
  // of the chosen families, and the stored pages of the others.
  DirectoryShape shape{dir_.size(), dir_.digest()};
  if (families != nullptr) {
    shape = DirectoryShape{};
    for (auto it = dir_.begin(); it != dir_.end(); ++it) {
      const PageMeta& m = *it->second;
      if (included(m.id) || m.persisted) {
        ++shape.page_count;
        shape.digest ^= DirectoryEntryDigest(it->first, m.id);
      }
    }
  }
  for (const DeletedPage& d : deleted_pages_) {
    // A page never stored is deleted from nowhere: any batch may carry it.
    if (!d.persisted || families == nullptr) {
      out->deleted_pages.push_back(d.id);
      continue;
    }
    if (included(dir_.Locate(d.lower_key)->second->id)) {
      out->deleted_pages.push_back(d.id);
    } else {
      ++shape.page_count;
      shape.digest ^= DirectoryEntryDigest(d.lower_key, d.id);
    }
  }
  collected_counts_ = RunCounts(families == nullptr);
  std::vector<MergedRun> merged;
  AddMergeRecords(&collected_counts_, &merged);
  DirectoryShape runs = RunShape();
  shape.page_count += runs.page_count;
  shape.digest ^= runs.digest;
  out->engine_state.clear();
  EncodeEngineState(
      next_page_id_, hlc_.last(), shape, user_data_, &out->engine_state,
      std::max(next_run_seq_, sealing_.seq + 1), collected_counts_, merged);
  flushed_user_data_ = user_data_;
}

void EngineImpl::CommitFlush(const FlushBatch& batch) {
  for (const FlushBatch::PageBytes& p : batch.pages) {
    Iterator it = dir_.Find(p.id);
    if (it == dir_.end()) {
      // Merged away since CollectFlush: its deletion must now reach the
      // store too, as a family member.
      for (DeletedPage& d : deleted_pages_) {
        if (d.id == p.id) d.persisted = true;
      }
      continue;
    }
    it->second->persisted = true;
    auto applied = collected_applied_.find(p.id);
    if (applied != collected_applied_.end()) {
      it->second->stored_applied_seq = applied->second;
    }
    // A page changed since CollectFlush stays dirty: the bytes just stored
    // are already stale.
    if (it->second->change_seq == p.change_seq) it->second->dirty = false;
  }
  std::unordered_set<PageId> deleted(batch.deleted_pages.begin(),
                                     batch.deleted_pages.end());
  deleted_pages_.erase(
      std::remove_if(deleted_pages_.begin(), deleted_pages_.end(),
                     [&](const DeletedPage& d) { return deleted.count(d.id); }),
      deleted_pages_.end());
  if (flushed_user_data_ == user_data_) user_data_dirty_ = false;
  CommitRuns();
  TryClockReset();  // the runs a recovering clock waited for may be gone
  ReviewBuffering();
  EnforceBudget(kNoPage);
}

}  // namespace paging_storage
