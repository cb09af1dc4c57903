// Engine: the public facade over EngineImpl. It owns the EngineImpl and
// only forwards; argument checks live with the algorithms.
#include "paging_storage/engine.h"

#include <utility>

#include "engine_impl.h"
#include "manifest_codec.h"

namespace paging_storage {

Engine::Engine(std::unique_ptr<EngineImpl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Status Engine::Create(const Options& options, std::unique_ptr<Engine>* out) {
  Options normalized = options;
  Status s = normalized.Normalize();
  if (!s.ok()) return s;
  auto impl = std::make_unique<EngineImpl>(normalized);
  impl->InitEmpty();
  out->reset(new Engine(std::move(impl)));
  return Status::OK();
}

Status Engine::Open(const Options& options, std::string_view engine_state,
                    const std::vector<std::string_view>& directory_records,
                    std::unique_ptr<Engine>* out) {
  Options normalized = options;
  Status s = normalized.Normalize();
  if (!s.ok()) return s;
  Manifest manifest;
  s = DecodeManifest(engine_state, directory_records, &manifest);
  if (!s.ok()) return s;
  auto impl = std::make_unique<EngineImpl>(normalized);
  s = impl->InitFromManifest(manifest);
  if (!s.ok()) return s;
  impl->TryClockReset();
  out->reset(new Engine(std::move(impl)));
  return Status::OK();
}

WriteResult Engine::Put(std::string_view key, std::string_view value,
                        uint64_t wall_ms, PageId* missing_page) {
  WriteOp op;
  op.type = WriteOp::Type::kPut;
  op.record.key.assign(key);
  op.record.value.assign(value);
  return impl_->Write(&op, wall_ms, missing_page);
}

WriteResult Engine::Delete(std::string_view key, uint64_t wall_ms,
                           PageId* missing_page) {
  WriteOp op;
  op.type = WriteOp::Type::kDelete;
  op.record.key.assign(key);
  return impl_->Write(&op, wall_ms, missing_page);
}

WriteResult Engine::MergeRemote(const Record& record, uint64_t wall_ms,
                                PageId* missing_page) {
  WriteOp op;
  op.type = WriteOp::Type::kMerge;
  op.record = record;
  return impl_->Write(&op, wall_ms, missing_page);
}

Status Engine::ApplyBatch(const std::vector<WriteOp>& ops, size_t start,
                          uint64_t wall_ms, BatchResult* out,
                          bool skip_missing) {
  std::vector<WriteOp> copy = ops;
  return impl_->ApplyBatch(&copy, start, skip_missing, wall_ms, out);
}

Status Engine::ApplyBatch(std::vector<WriteOp>&& ops, size_t start,
                          uint64_t wall_ms, BatchResult* out,
                          bool skip_missing) {
  return impl_->ApplyBatch(&ops, start, skip_missing, wall_ms, out);
}

Status Engine::PurgeTombstones(uint64_t horizon, std::string_view start,
                               size_t want, PurgeResult* out) {
  return impl_->PurgeTombstones(horizon, start, want, out);
}

Status Engine::Get(std::string_view key, std::string* value,
                   PageId* missing_page) {
  return impl_->Get(key, value, missing_page);
}

Status Engine::Lookup(std::string_view key, Record* out, PageId* missing_page) {
  return impl_->Lookup(key, out, missing_page);
}

Status Engine::Scan(const ScanOptions& options, ScanResult* out) {
  return impl_->Scan(options, out);
}

Status Engine::LoadPage(PageId id, std::string_view bytes) {
  return impl_->LoadPage(id, bytes);
}

size_t Engine::RetryCorruptPages() { return impl_->RetryCorruptPages(); }

std::vector<PageId> Engine::PagesWantedForMerges() const {
  return impl_->PagesWantedForMerges();
}

std::vector<PageId> Engine::PagesWantedForCompaction(size_t limit, bool bulk) {
  return impl_->PagesWantedForCompaction(limit, bulk);
}

bool Engine::CompactionDue(bool bulk) const {
  return impl_->CompactionDue(bulk);
}
bool Engine::WriteStall() const { return impl_->WriteStall(); }

PageId Engine::PageFor(std::string_view key) const {
  return impl_->PageFor(key);
}

std::vector<PageId> Engine::PagesAhead(PageId first, size_t limit,
                                       bool descending) const {
  return impl_->PagesAhead(first, limit, descending);
}

bool Engine::HasDirtyPages(FlushPurpose purpose) const {
  return impl_->HasDirtyPages(purpose == FlushPurpose::kMakeRoom);
}
size_t Engine::PageCount() const { return impl_->PageCount(); }
bool Engine::OverBudget() const { return impl_->OverBudget(); }
size_t Engine::ResidentPages() const { return impl_->ResidentPages(); }
size_t Engine::BudgetPages() const { return impl_->BudgetPages(); }
void Engine::CollectFlush(FlushBatch* out) {
  impl_->CollectFlush(nullptr, out);
}
std::vector<PageId> Engine::FlushFamilies() const {
  return impl_->FlushFamilies();
}
void Engine::CollectFlush(const std::vector<PageId>& families,
                          FlushBatch* out) {
  impl_->CollectFlush(&families, out);
}
void Engine::CommitFlush(const FlushBatch& batch) { impl_->CommitFlush(batch); }
Status Engine::EvictPage(PageId id) { return impl_->EvictPage(id); }
size_t Engine::EvictAllClean() { return impl_->EvictAllClean(); }

EngineStats Engine::Stats() const { return impl_->Stats(); }
uint64_t Engine::Clock() const { return impl_->Clock(); }
Status Engine::SetUserData(std::string_view data) {
  return impl_->SetUserData(data);
}
const std::string& Engine::UserData() const { return impl_->UserData(); }
std::vector<PageInfo> Engine::ListPages() const {
  return impl_->ListPages("", SIZE_MAX);
}
std::vector<PageInfo> Engine::ListPages(std::string_view from,
                                        size_t limit) const {
  return impl_->ListPages(from, limit);
}
Status Engine::CheckInvariants() const { return impl_->CheckInvariants(); }
const Options& Engine::options() const { return impl_->options(); }

}  // namespace paging_storage
