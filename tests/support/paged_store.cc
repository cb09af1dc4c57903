#include "paged_store.h"

#include <utility>

namespace paging_storage {
namespace testing {

std::vector<std::string_view> PageStore::DirectoryRecords() const {
  std::vector<std::string_view> out;
  out.reserve(directory_records.size());
  for (const auto& [id, record] : directory_records) out.push_back(record);
  return out;
}

bool MemoryPageStore::Read(PageId id, std::string* bytes) {
  auto it = pages.find(id);
  if (it == pages.end()) return false;
  *bytes = it->second;
  return true;
}

void MemoryPageStore::Write(PageId id, std::string_view bytes) {
  pages[id].assign(bytes);
}

Status PagedStore::Open(const Options& options, PageStore* disk,
                        std::unique_ptr<PagedStore>* out) {
  std::unique_ptr<Engine> engine;
  Status s = disk->engine_state.empty()
                 ? Engine::Create(options, &engine)
                 : Engine::Open(options, disk->engine_state,
                                disk->DirectoryRecords(), &engine);
  if (!s.ok()) return s;
  out->reset(new PagedStore(std::move(engine), disk));
  return Status::OK();
}

Status PagedStore::Load(PageId id) {
  // Over budget with dirty pages: flush first so clean pages can go, as the
  // JS layer does. (Clean pages need no flush: LoadPage evicts them.)
  // With the write path, as the JS layer's makeRoom(1): the page loaded
  // must fit too, or pages still applying runs are evicted before they are
  // done (and merges or scans over them never settle).
  size_t incoming = engine_->options().write_buffer_pages != 0 ? 1 : 0;
  if (engine_->BudgetPages() + incoming > engine_->options().max_memory_pages &&
      engine_->HasDirtyPages(Engine::FlushPurpose::kMakeRoom)) {
    MakeRoomFlush();
  }
  // A page the disk lacks is handed over empty, as the JS pager does: the
  // engine answers Corruption for a page it has, OK for one that is gone
  // since it was named (the flush above may have dropped a run).
  std::string bytes;
  disk_->Read(id, &bytes);
  ++pages_loaded;
  return engine_->LoadPage(id, bytes);
}

void PagedStore::AfterOp() {
  if (engine_->OverBudget() &&
      engine_->HasDirtyPages(Engine::FlushPurpose::kMakeRoom)) {
    MakeRoomFlush();
    ++after_op_flushes;
  }
}

void PagedStore::MakeRoomFlush() {
  FlushBatch batch;
  engine_->CollectFlush(&batch);
  Store(batch);
}

template <typename Op>
auto PagedStore::Drive(Op op) -> decltype(op(nullptr)) {
  PageId last_missing = kNoPage;
  int repeats = 0;
  for (;;) {
    PageId missing = kNoPage;
    auto result = op(&missing);
    const Status& s = [&]() -> const Status& {
      if constexpr (std::is_same_v<decltype(result), Status>) {
        return result;
      } else {
        return result.status;
      }
    }();
    if (!s.IsNotResident()) {
      AfterOp();
      return result;
    }
    // As the JS driver: the same page named again and again means the
    // engine evicts what it was loaded for; fail rather than loop.
    repeats = missing == last_missing ? repeats + 1 : 0;
    last_missing = missing;
    Status loaded = repeats > 8
                        ? Status::Corruption("page " + std::to_string(missing) +
                                             " would not stay resident")
                        : Load(missing);
    if (!loaded.ok()) {
      if constexpr (std::is_same_v<decltype(result), Status>) {
        return loaded;
      } else {
        result.status = loaded;
        return result;
      }
    }
  }
}

WriteResult PagedStore::Put(std::string_view key, std::string_view value) {
  return Drive([&](PageId* missing) {
    return engine_->Put(key, value, clock_ms, missing);
  });
}

WriteResult PagedStore::Delete(std::string_view key) {
  return Drive(
      [&](PageId* missing) { return engine_->Delete(key, clock_ms, missing); });
}

WriteResult PagedStore::Merge(const Record& record) {
  return Drive([&](PageId* missing) {
    return engine_->MergeRemote(record, clock_ms, missing);
  });
}

Status PagedStore::ApplyBatch(const std::vector<WriteOp>& ops,
                              std::vector<WriteResult>* results) {
  results->clear();
  size_t next = 0;
  for (;;) {
    BatchResult batch;
    Status s = engine_->ApplyBatch(ops, next, clock_ms, &batch);
    for (WriteResult& r : batch.results) results->push_back(std::move(r));
    next = batch.next;
    if (!s.IsNotResident()) {
      AfterOp();
      return s;
    }
    s = Load(batch.missing_page);
    if (!s.ok()) return s;
  }
}

Status PagedStore::Get(std::string_view key, std::string* value) {
  return Drive(
      [&](PageId* missing) { return engine_->Get(key, value, missing); });
}

Status PagedStore::Lookup(std::string_view key, Record* record) {
  return Drive(
      [&](PageId* missing) { return engine_->Lookup(key, record, missing); });
}

Status PagedStore::Scan(const ScanOptions& options,
                        std::vector<Record>* records) {
  records->clear();
  ScanOptions rest = options;
  for (;;) {
    ScanResult part;
    Status s = engine_->Scan(rest, &part);
    for (Record& r : part.records) records->push_back(std::move(r));
    if (!s.IsNotResident()) {
      AfterOp();
      return s;
    }
    rest = part.resume;
    s = Load(part.missing_page);
    if (!s.ok()) return s;
  }
}

void PagedStore::Flush() {
  FlushRacing([] {});
}

void PagedStore::FlushRacing(const std::function<void()>& during) {
  FlushBatch batch;
  engine_->CollectFlush(&batch);
  during();
  Store(batch);
}

void PagedStore::FlushFamilies(const std::vector<PageId>& families,
                               const std::function<void()>& during) {
  FlushBatch batch;
  engine_->CollectFlush(families, &batch);
  during();
  Store(batch);
}

void PagedStore::Store(const FlushBatch& batch) {
  for (const FlushBatch::PageBytes& p : batch.pages) {
    disk_->Write(p.id, p.bytes);
    ++pages_stored;
    disk_->directory_records[p.id] = p.directory_record;
  }
  for (PageId id : batch.deleted_pages) {
    disk_->Erase(id);
    disk_->directory_records.erase(id);
  }
  disk_->engine_state = batch.engine_state;
  engine_->CommitFlush(batch);
  ++flushes;
}

Status PagedStore::Purge(uint64_t horizon, size_t* purged) {
  *purged = 0;
  std::string start;
  for (;;) {
    PurgeResult r;
    Status s = engine_->PurgeTombstones(horizon, start, 4, &r);
    *purged += r.purged;
    if (!s.IsNotResident()) {
      AfterOp();
      return s;
    }
    start = r.resume_start;
    // The page needed first last, so the others cannot evict it.
    for (auto id = r.missing_pages.rbegin(); id != r.missing_pages.rend();
         ++id) {
      s = Load(*id);
      if (!s.ok()) return s;
    }
  }
}

Status PagedStore::CompleteMerges() {
  for (int round = 0; round < 64; ++round) {
    std::vector<PageId> wanted = engine_->PagesWantedForMerges();
    if (wanted.empty()) {
      AfterOp();
      return Status::OK();
    }
    for (PageId id : wanted) {
      Status s = Load(id);
      if (!s.ok()) return s;
    }
  }
  return Status::Busy("merges did not settle");
}

Status PagedStore::Compact() {
  std::vector<PageId> last;
  int repeats = 0;
  for (;;) {
    std::vector<PageId> wanted = engine_->PagesWantedForCompaction(2);
    if (wanted.empty()) break;
    repeats = wanted == last ? repeats + 1 : 0;
    if (repeats > 8) return Status::Busy("compaction makes no progress");
    last = wanted;
    for (PageId id : wanted) {
      Status s = Load(id);
      if (!s.ok()) return s;
    }
    AfterOp();
  }
  AfterOp();
  return Status::OK();
}

}  // namespace testing
}  // namespace paging_storage
