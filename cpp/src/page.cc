#include "page.h"

#include <algorithm>
#include <string>

#include "hash.h"
#include "key_compare.h"

namespace paging_storage {

uint64_t Page::DigestOf(const Entry& e) const {
  return EntryDigest(e.key, e.hlc, origins_->Hash(e.origin), e.tombstone);
}

void Page::Account(const Entry& e, int sign) {
  if (sign > 0) {
    max_hlc_ = std::max(max_hlc_, e.hlc);
    bytes_ += e.Bytes();
    if (!e.tombstone) ++live_count_;
  } else {
    bytes_ -= e.Bytes();
    if (!e.tombstone) --live_count_;
  }
  digest_ ^= DigestOf(e);
}

void Page::RecomputeMaxHlc() {
  max_hlc_ = 0;
  for (const Entry& e : entries_) max_hlc_ = std::max(max_hlc_, e.hlc);
}

size_t Page::LowerBound(std::string_view key) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                             [](const Entry& e, std::string_view k) {
                               return CompareKeys(e.key, k) < 0;
                             });
  return static_cast<size_t>(it - entries_.begin());
}

size_t Page::RestampAfter(uint64_t ceiling, uint64_t to) {
  if (max_hlc_ <= ceiling) return 0;
  size_t n = 0;
  for (Entry& e : entries_) {
    if (e.hlc <= ceiling) continue;
    Account(e, -1);
    e.hlc = to;
    Account(e, +1);
    ++n;
  }
  RecomputeMaxHlc();
  return n;
}

const Entry* Page::Find(std::string_view key) const {
  size_t i = LowerBound(key);
  if (i < entries_.size() && entries_[i].key == key) return &entries_[i];
  return nullptr;
}

void Page::Upsert(Entry entry) {
  size_t i = LowerBound(entry.key);
  if (i < entries_.size() && entries_[i].key == entry.key) {
    // Replacing the newest entry with an older one lowers the max.
    bool lowers_max = entries_[i].hlc == max_hlc_ && entry.hlc < max_hlc_;
    Account(entries_[i], -1);
    Account(entry, +1);
    entries_[i] = std::move(entry);
    if (lowers_max) RecomputeMaxHlc();
    return;
  }
  Account(entry, +1);
  entries_.insert(entries_.begin() + static_cast<std::ptrdiff_t>(i),
                  std::move(entry));
}

void Page::Append(Entry entry) {
  Account(entry, +1);
  entries_.push_back(std::move(entry));
}

size_t Page::SplitPoint() const {
  size_t total = bytes_ - kPageOverhead;
  size_t left = 0;
  size_t best = 1;
  size_t best_worse_side = SIZE_MAX;
  for (size_t i = 0; i + 1 < entries_.size(); ++i) {
    left += entries_[i].Bytes();
    size_t worse_side = std::max(left, total - left);
    if (worse_side < best_worse_side) {
      best_worse_side = worse_side;
      best = i + 1;
    }
  }
  return best;
}

void Page::MoveTailTo(size_t from, Page* right) {
  for (size_t i = from; i < entries_.size(); ++i) {
    Account(entries_[i], -1);
    right->Append(std::move(entries_[i]));
  }
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(from),
                 entries_.end());
  RecomputeMaxHlc();
}

void Page::AbsorbRight(Page* right) {
  entries_.reserve(entries_.size() + right->entries_.size());
  for (Entry& e : right->entries_) Append(std::move(e));
  right->entries_.clear();
  right->bytes_ = kPageOverhead;
  right->live_count_ = 0;
  right->digest_ = 0;
  right->max_hlc_ = 0;
}

bool Page::Erase(std::string_view key) {
  size_t i = LowerBound(key);
  if (i == entries_.size() || entries_[i].key != key) return false;
  Account(entries_[i], -1);
  uint64_t hlc = entries_[i].hlc;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
  if (hlc == max_hlc_) RecomputeMaxHlc();
  return true;
}

size_t Page::PurgeTombstones(uint64_t horizon) {
  size_t kept = 0;
  size_t removed = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry& e = entries_[i];
    if (e.tombstone && e.hlc < horizon) {
      Account(e, -1);
      ++removed;
      continue;
    }
    if (kept != i) entries_[kept] = std::move(e);
    ++kept;
  }
  entries_.resize(kept);
  if (removed > 0) RecomputeMaxHlc();
  return removed;
}

Status Page::Check() const {
  size_t bytes = kPageOverhead;
  size_t live = 0;
  uint64_t digest = 0;
  uint64_t max_hlc = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    if (e.key.empty()) return Status::Corruption("page holds an empty key");
    if (i > 0 && !(entries_[i - 1].key < e.key)) {
      return Status::Corruption("page keys not strictly increasing at '" +
                                e.key + "'");
    }
    if (e.tombstone && !e.value.empty()) {
      return Status::Corruption("tombstone carries a value");
    }
    bytes += e.Bytes();
    if (!e.tombstone) ++live;
    digest ^= DigestOf(e);
    max_hlc = std::max(max_hlc, e.hlc);
  }
  if (bytes != bytes_) return Status::Corruption("page byte count drifted");
  if (live != live_count_) return Status::Corruption("page live count drifted");
  if (digest != digest_) return Status::Corruption("page digest drifted");
  if (max_hlc != max_hlc_) return Status::Corruption("page max hlc drifted");
  return Status::OK();
}

}  // namespace paging_storage
