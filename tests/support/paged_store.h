// PagedStore: drives an Engine the way the JavaScript layer does, for tests
// and benchmarks. It owns a PageStore (the "disk"), answers NotResident by
// loading the named page, and flushes whenever the engine is over its page
// budget after an operation, so residency stays bounded.
//
// Not thread-safe.
#ifndef PAGING_STORAGE_TESTS_PAGED_STORE_H_
#define PAGING_STORAGE_TESTS_PAGED_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "paging_storage/engine.h"

namespace paging_storage {
namespace testing {

// Where flushes go: page bytes by id, each page's directory record (kept
// here in memory: they are the directory), and the engine state record.
class PageStore {
 public:
  virtual ~PageStore() = default;
  virtual bool Read(PageId id, std::string* bytes) = 0;
  virtual void Write(PageId id, std::string_view bytes) = 0;
  virtual void Erase(PageId id) = 0;

  // What Engine::Open needs.
  std::vector<std::string_view> DirectoryRecords() const;

  std::unordered_map<PageId, std::string> directory_records;
  std::string engine_state;
};

class MemoryPageStore : public PageStore {
 public:
  bool Read(PageId id, std::string* bytes) override;
  void Write(PageId id, std::string_view bytes) override;
  void Erase(PageId id) override { pages.erase(id); }
  std::unordered_map<PageId, std::string> pages;
};

class PagedStore {
 public:
  // Opens what `disk` holds when it holds a store, else creates one.
  static Status Open(const Options& options, PageStore* disk,
                     std::unique_ptr<PagedStore>* out);

  WriteResult Put(std::string_view key, std::string_view value);
  WriteResult Delete(std::string_view key);
  WriteResult Merge(const Record& record);
  Status ApplyBatch(const std::vector<WriteOp>& ops,
                    std::vector<WriteResult>* results);
  Status Get(std::string_view key, std::string* value);
  Status Lookup(std::string_view key, Record* record);
  // The whole scan, loading pages as it goes.
  Status Scan(const ScanOptions& options, std::vector<Record>* records);

  // Writes every dirty page and the manifest, then commits.
  // A durable flush (Engine::FlushPurpose::kDurable).
  void Flush();
  // A flush to get back within the budget, as the JS pager's makeRoom and
  // afterOp: taken only when HasDirtyPages(FlushPurpose::kMakeRoom).
  void MakeRoomFlush();
  // The same, with `during` run between CollectFlush and CommitFlush, as
  // writes land while the JS layer's asynchronous flush is in flight.
  // REQUIRES: `during` calls the engine directly, never this store.
  void FlushRacing(const std::function<void()>& during);
  // Stores only the flush families named (Engine::CollectFlush(families)),
  // with `during` run between the collect and the commit as above.
  void FlushFamilies(
      const std::vector<PageId>& families,
      const std::function<void()>& during = [] {});
  // Loads the pages pending merges want, so they complete.
  Status CompleteMerges();
  // Runs a due compaction pass of the write path to its end.
  Status Compact();
  // Engine::PurgeTombstones over the whole store, loading pages as it goes;
  // *purged counts the tombstones removed.
  Status Purge(uint64_t horizon, size_t* purged);

  Engine& engine() { return *engine_; }
  uint64_t clock_ms = 1'700'000'000'000;  // wall clock handed to the engine
  size_t pages_loaded = 0;
  size_t pages_stored = 0;      // pages written by every Flush()
  size_t flushes = 0;           // every Flush()
  size_t after_op_flushes = 0;  // those made after an operation completed

 private:
  PagedStore(std::unique_ptr<Engine> engine, PageStore* disk)
      : engine_(std::move(engine)), disk_(disk) {}

  Status Load(PageId id);
  // Writes `batch` to the disk, then commits it.
  void Store(const FlushBatch& batch);
  // Called after each operation: keep residency within budget.
  void AfterOp();
  // Runs `op(&missing)` until it stops answering NotResident.
  template <typename Op>
  auto Drive(Op op) -> decltype(op(nullptr));

  std::unique_ptr<Engine> engine_;
  PageStore* disk_;
};

}  // namespace testing
}  // namespace paging_storage

#endif  // PAGING_STORAGE_TESTS_PAGED_STORE_H_
