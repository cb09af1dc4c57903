#include "engine_handle.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "js_values.h"
#include "json_codec.h"
#include "paging_storage/hlc.h"
#include "paging_storage/sync_scan.h"
#include "ring_handle.h"
#include "sync_codec.h"
#include "wire_codec.h"

namespace paging_storage {
namespace {

using emscripten::val;

// Page ids stay below 2^53 (types.h).
constexpr uint64_t kMaxPageId = uint64_t{1} << 53;

// The most bytes one call answers with (values of a read, records of a
// scan), give or take one value or one page: the rest is answered "ask
// again" (NotResident, page 0). Memory taken by one call stays bounded
// (wasm memory never shrinks), whatever the caller asks for.
constexpr size_t kMaxAnswerBytes = size_t{8} << 20;
// Records one _syncScan call visits before it returns a slice (NotResident
// with no page): about 5 ms of a browser's thread (issue 16: no message may
// block the event loop for more than ~50 ms).
constexpr size_t kSyncScanSliceRecords = 8192;

}  // namespace

val EngineHandle::Create(const std::string& options_json) {
  Options options;
  Status s = ParseOptions(options_json, &options);
  if (s.ok()) s = Engine::Create(options, &engine_);
  return StatusVal(s);
}

val EngineHandle::Open(const std::string& options_json,
                       const std::string& engine_state,
                       const std::string& records) {
  Options options;
  std::vector<std::string_view> views;
  Status s = ParseOptions(options_json, &options);
  if (s.ok()) s = DecodeRecords(records, &views);
  if (s.ok()) s = Engine::Open(options, engine_state, views, &engine_);
  return StatusVal(s);
}

double EngineHandle::Stage(double room) {
  size_t n = static_cast<size_t>(ClampToUnsigned(room, uint64_t{1} << 31)) + 4;
  // A buffer grown for one large call is given back once calls are small.
  if (staged_.capacity() > (size_t{1} << 20) && n < staged_.capacity() / 4) {
    std::string().swap(staged_);
  }
  staged_.assign(n, '\0');
  return static_cast<double>(reinterpret_cast<uintptr_t>(staged_.data()));
}

std::string_view EngineHandle::Staged() const {
  if (staged_.size() < 4) return {};
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) {
    n |= uint32_t{static_cast<unsigned char>(staged_[i])} << (8 * i);
  }
  return std::string_view(staged_).substr(4, n);
}

std::string* EngineHandle::StartReply() {
  if (reply_.capacity() > (size_t{1} << 20) &&
      last_reply_ < reply_.capacity() / 4) {
    std::string().swap(reply_);
  }
  reply_.assign(4, '\0');
  return &reply_;
}

double EngineHandle::Reply() {
  last_reply_ = reply_.size();
  uint32_t n = static_cast<uint32_t>(reply_.size() - 4);
  for (int i = 0; i < 4; ++i) reply_[i] = static_cast<char>(n >> (8 * i));
  return static_cast<double>(reinterpret_cast<uintptr_t>(reply_.data()));
}

double EngineHandle::ApplyBatch(double wall_ms, bool skip_missing) {
  std::vector<WriteOp> ops;
  BatchReply& reply = batch_reply_;
  Status s = DecodeOps(Staged(), &ops);
  if (s.ok()) {
    s = engine_->ApplyBatch(std::move(ops), 0,
                            ClampToUnsigned(wall_ms, Hlc::kMaxWallMs),
                            &reply.batch, skip_missing);
  }
  // MakeBatchReply's answer, built in place: the results' strings keep
  // their storage from call to call.
  reply.status = s;
  reply.pages = engine_->PageCount();
  if (s.ok() || s.IsNotResident()) {
    reply.over_budget = engine_->OverBudget();
  } else {
    reply = MakeBatchReply(s, false, engine_->PageCount(), BatchResult());
  }
  EncodeResults(reply, engine_->options().peer_id, StartReply());
  return Reply();
}

double EngineHandle::GetMany() {
  return AnswerKeys(Staged(), /*looked=*/false,
                    [this](std::string_view key, Record* r, PageId* missing) {
                      return engine_->Get(key, &r->value, missing);
                    });
}

double EngineHandle::LookupMany() {
  return AnswerKeys(Staged(), /*looked=*/true,
                    [this](std::string_view key, Record* r, PageId* missing) {
                      return engine_->Lookup(key, r, missing);
                    });
}

template <typename Answer>
double EngineHandle::AnswerKeys(std::string_view keys_bytes, bool looked,
                                Answer answer) {
  std::vector<std::string_view> keys;
  // A malformed `keys` is answered as count 0 (wire_format.h).
  if (!DecodeKeys(keys_bytes, &keys).ok()) keys.clear();
  std::string& out = *StartReply();
  KeyAnswerWriter w(keys.size(), looked, &out);
  Record record;  // reused: one answer at a time
  static const Status kAskAgain = Status::NotResident("answer full");
  bool full = false;
  size_t answered = 0;  // OK answers in the reply
  for (std::string_view key : keys) {
    if (full) {
      w.Add(kAskAgain, kNoPage, record);
      continue;
    }
    PageId missing = kNoPage;
    Status s = answer(key, &record, &missing);
    // The reply stays within the bound unless one value alone is larger: a
    // value that would take it past the bound is asked again.
    if (s.ok() && answered > 0 &&
        out.size() + record.value.size() > kMaxAnswerBytes) {
      full = true;
      w.Add(kAskAgain, kNoPage, record);
      continue;
    }
    if (s.ok()) ++answered;
    w.Add(s, missing, record);
    full = out.size() >= kMaxAnswerBytes;
  }
  w.Finish(engine_->OverBudget());
  return Reply();
}

double EngineHandle::Scan() {
  ScanOptions options;
  ScanReply reply;
  reply.status = DecodeScan(Staged(), &options);
  options.max_bytes = kMaxAnswerBytes;
  if (reply.status.ok()) reply.status = engine_->Scan(options, &reply.result);
  // The reply's size is known within a few bytes per record: reserved at
  // once, a reply of 9 MB takes 9 MB, not a doubling to 16 MB.
  size_t size = 64 + reply.result.resume.start.size() +
                reply.result.resume.end.size() + reply.status.message().size();
  for (const Record& r : reply.result.records) {
    size += 32 + r.key.size() + r.version.origin.size() + r.value.size();
  }
  std::string* out = StartReply();
  out->reserve(out->size() + size);
  EncodeScanned(reply, out);
  return Reply();
}

val EngineHandle::SyncScan(const RingHandle& ring) {
  std::string_view request_bytes = Staged();
  SyncRequest request;
  std::vector<SyncAnswer> answers;
  PageId missing = kNoPage;
  std::string resume;
  Status s = DecodeSyncRequest(request_bytes, &request);
  if (s.ok()) {
    s = paging_storage::SyncScan(
        *engine_, ring.ring(), request.rf, request.self, request.start,
        request.queries, &answers, &missing, &resume, kSyncScanSliceRecords);
  }
  std::string out;
  EncodeSyncResponse(s, missing, resume, request.queries, answers, &out);
  return BytesVal(out);
}

val EngineHandle::LoadPage(double id) {
  return StatusVal(
      engine_->LoadPage(ClampToUnsigned(id, kMaxPageId), Staged()));
}

val EngineHandle::CollectFlush() {
  engine_->CollectFlush(&pending_flush_);
  return EncodedFlush();
}

val EngineHandle::EncodedFlush() {
  std::string out;
  EncodeFlush(pending_flush_, &out);
  // CommitFlush needs the ids and change counts only: the bytes go now.
  for (FlushBatch::PageBytes& p : pending_flush_.pages) {
    std::string().swap(p.bytes);
    std::string().swap(p.directory_record);
  }
  return BytesVal(out);
}

val EngineHandle::FlushFamilies() const {
  std::string out;
  EncodeIds(engine_->FlushFamilies(), &out);
  return BytesVal(out);
}

val EngineHandle::CollectFlushOf(const std::string& families_bytes) {
  std::vector<PageId> families;
  if (!DecodeIds(families_bytes, &families).ok()) families.clear();
  engine_->CollectFlush(families, &pending_flush_);
  return EncodedFlush();
}

void EngineHandle::CommitFlush() {
  engine_->CommitFlush(pending_flush_);
  pending_flush_ = FlushBatch();
}

val EngineHandle::PurgeTombstones(const std::string& request_bytes) {
  PurgeRequest request;
  PurgeReply reply;
  reply.status = DecodePurgeRequest(request_bytes, &request);
  if (reply.status.ok()) {
    reply.status = engine_->PurgeTombstones(
        request.horizon, request.start,
        static_cast<size_t>(std::min<uint64_t>(request.want, 1u << 20)),
        &reply.result);
  }
  std::string out;
  EncodePurged(reply, &out);
  return BytesVal(out);
}

val EngineHandle::PagesWantedForMerges() const {
  std::string out;
  EncodeIds(engine_->PagesWantedForMerges(), &out);
  return BytesVal(out);
}

val EngineHandle::PagesWantedForCompaction(double limit, bool bulk) {
  std::string out;
  EncodeIds(engine_->PagesWantedForCompaction(
                limit >= 1 ? static_cast<size_t>(limit) : 0, bulk),
            &out);
  return BytesVal(out);
}

bool EngineHandle::CompactionDue(bool bulk) const {
  return engine_->CompactionDue(bulk);
}
bool EngineHandle::WriteStall() const { return engine_->WriteStall(); }

double EngineHandle::RetryCorruptPages() {
  return static_cast<double>(engine_->RetryCorruptPages());
}

double EngineHandle::EvictAllClean() {
  return static_cast<double>(engine_->EvictAllClean());
}

bool EngineHandle::OverBudget(double incoming) const {
  return static_cast<double>(engine_->BudgetPages()) + incoming >
         static_cast<double>(engine_->options().max_memory_pages);
}
bool EngineHandle::HasDirtyPages(bool make_room) const {
  return engine_->HasDirtyPages(make_room ? Engine::FlushPurpose::kMakeRoom
                                          : Engine::FlushPurpose::kDurable);
}

val EngineHandle::PagesAhead(double first, double limit,
                             bool descending) const {
  std::string out;
  EncodeIds(engine_->PagesAhead(
                ClampToUnsigned(first, kMaxPageId),
                ClampToUnsigned(limit, std::numeric_limits<size_t>::max()),
                descending),
            &out);
  return BytesVal(out);
}

int EngineHandle::SetUserData(const std::string& data) {
  return static_cast<int>(engine_->SetUserData(data).code());
}

std::string EngineHandle::UserData() const { return engine_->UserData(); }

val EngineHandle::Clock() const {
  std::string out;
  EncodeClock(engine_->Clock(), &out);
  return BytesVal(out);
}

std::string EngineHandle::StatsJson() const { return engine_->StatsJson(); }

std::string EngineHandle::ListPagesJson(const std::string& from,
                                        double limit) const {
  return PagesJson(engine_->ListPages(
      from, static_cast<size_t>(ClampToUnsigned(limit, SIZE_MAX))));
}

val EngineHandle::CheckInvariants() const {
  return StatusVal(engine_->CheckInvariants());
}

}  // namespace paging_storage
