// LruList: the resident pages, least recently used first, linked through
// PageMeta::lru_prev / lru_next (intrusive: no allocation per touch).
//
// Invariants: head_.lru_next is the oldest page and head_.lru_prev the
// newest; a PageMeta is linked iff its page is resident; size_ counts the
// linked pages. The list does not own the PageMeta objects (the Directory
// does); a page must be removed from the list before its PageMeta dies.
//
// Not thread-safe; callers serialize.
#ifndef PAGING_STORAGE_LRU_LIST_H_
#define PAGING_STORAGE_LRU_LIST_H_

#include <cstddef>

#include "directory.h"

namespace paging_storage {

class LruList {
 public:
  LruList() { head_.lru_prev = head_.lru_next = &head_; }
  LruList(const LruList&) = delete;
  LruList& operator=(const LruList&) = delete;

  // REQUIRES: m is not linked.
  void PushNewest(PageMeta* m) {
    m->lru_prev = head_.lru_prev;
    m->lru_next = &head_;
    m->lru_prev->lru_next = m;
    head_.lru_prev = m;
    ++size_;
  }
  // REQUIRES: m is linked.
  void Remove(PageMeta* m) {
    m->lru_prev->lru_next = m->lru_next;
    m->lru_next->lru_prev = m->lru_prev;
    m->lru_prev = m->lru_next = nullptr;
    --size_;
  }
  void Touch(PageMeta* m) {
    if (head_.lru_prev == m) return;
    Remove(m);
    PushNewest(m);
  }

  // Iteration from oldest to newest: for (m = Oldest(); m; m = Newer(m)).
  PageMeta* Oldest() const { return Next(head_.lru_next); }
  PageMeta* Newest() const { return Next(head_.lru_prev); }
  PageMeta* Newer(const PageMeta* m) const { return Next(m->lru_next); }
  PageMeta* Older(const PageMeta* m) const { return Next(m->lru_prev); }

  size_t size() const { return size_; }

 private:
  PageMeta* Next(PageMeta* m) const { return m == &head_ ? nullptr : m; }

  mutable PageMeta head_;  // sentinel; never holds a page
  size_t size_ = 0;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_LRU_LIST_H_
