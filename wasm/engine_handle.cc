#include "engine_handle.h"

#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "coding.h"
#include "paging_storage/hlc.h"
#include "paging_storage/sync_scan.h"
#include "sync_codec.h"
#include "wire_format.h"

namespace paging_storage {
namespace {

using emscripten::val;

val StatusVal(const Status& s) {
  val out = val::object();
  out.set("code", static_cast<int>(s.code()));
  out.set("message", s.message());
  return out;
}

// A copy the JS side owns: memory growth cannot detach it.
val BytesVal(const std::string& bytes) {
  return val(emscripten::typed_memory_view(
                 bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data())))
      .call<val>("slice");
}

Status ParseOptions(const std::string& json, Options* out) {
  auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument("options: not a JSON object");
  }
  auto size_field = [&](const char* name, size_t* field) -> bool {
    auto it = doc.find(name);
    if (it == doc.end() || it->is_null()) return true;
    if (!it->is_number_unsigned()) return false;
    *field = it->get<size_t>();
    return true;
  };
  auto peer = doc.find("peerId");
  if (peer != doc.end()) {
    if (!peer->is_string()) return Status::InvalidArgument("options: peerId");
    out->peer_id = peer->get<std::string>();
  }
  if (!size_field("pageSize", &out->page_size) ||
      !size_field("splitThreshold", &out->split_threshold) ||
      !size_field("mergeThreshold", &out->merge_threshold) ||
      !size_field("maxMemoryPages", &out->max_memory_pages) ||
      !size_field("maxKeyBytes", &out->max_key_bytes) ||
      !size_field("maxValueBytes", &out->max_value_bytes)) {
    return Status::InvalidArgument("options: sizes must be whole numbers");
  }
  return Status::OK();
}

Status DecodeOps(std::string_view bytes, std::vector<WriteOp>* ops) {
  Reader in(bytes);
  ops->clear();
  while (in.remaining() > 0) {
    WriteOp& op = ops->emplace_back();
    uint8_t type = 0;
    std::string_view key, value, origin;
    if (!in.GetByte(&type) || !in.GetLengthPrefixed(&key)) {
      return Status::InvalidArgument("ops: truncated");
    }
    op.record.key.assign(key);
    switch (type) {
      case wire::kPut:
        op.type = WriteOp::Type::kPut;
        if (!in.GetLengthPrefixed(&value)) {
          return Status::InvalidArgument("ops: truncated put");
        }
        op.record.value.assign(value);
        break;
      case wire::kDelete:
        op.type = WriteOp::Type::kDelete;
        break;
      case wire::kMerge: {
        op.type = WriteOp::Type::kMerge;
        uint8_t tombstone = 0;
        if (!in.GetFixed64(&op.record.version.hlc) ||
            !in.GetLengthPrefixed(&origin) || !in.GetByte(&tombstone) ||
            tombstone > 1) {
          return Status::InvalidArgument("ops: truncated merge");
        }
        op.record.version.origin.assign(origin);
        op.record.tombstone = tombstone == 1;
        if (!op.record.tombstone) {
          if (!in.GetLengthPrefixed(&value)) {
            return Status::InvalidArgument("ops: truncated merge value");
          }
          op.record.value.assign(value);
        }
        break;
      }
      default:
        return Status::InvalidArgument("ops: unknown op type");
    }
  }
  return Status::OK();
}

Status DecodeScan(std::string_view bytes, ScanOptions* o) {
  Reader in(bytes);
  uint8_t flags = 0;
  std::string_view start, end;
  uint64_t limit = 0;
  if (!in.GetByte(&flags) || !in.GetLengthPrefixed(&start)) {
    return Status::InvalidArgument("scan: truncated");
  }
  o->start.assign(start);
  o->has_end = flags & wire::kHasEnd;
  if (o->has_end) {
    if (!in.GetLengthPrefixed(&end))
      return Status::InvalidArgument("scan: end");
    o->end.assign(end);
  }
  if (!in.GetVarint64(&limit) || in.remaining() != 0) {
    return Status::InvalidArgument("scan: limit");
  }
  o->limit = static_cast<size_t>(limit);
  o->reverse = flags & wire::kReverse;
  o->include_tombstones = flags & wire::kTombstones;
  return Status::OK();
}

void EncodeScan(const ScanOptions& o, std::string* out) {
  uint8_t flags = (o.has_end ? wire::kHasEnd : 0) |
                  (o.reverse ? wire::kReverse : 0) |
                  (o.include_tombstones ? wire::kTombstones : 0);
  out->push_back(static_cast<char>(flags));
  PutLengthPrefixed(out, o.start);
  if (o.has_end) PutLengthPrefixed(out, o.end);
  PutVarint64(out, o.limit);
}

// A JS number as a replication factor: clamped, not cast (NaN and values
// below 1 mean 0; the ring caps it at the member count anyway).
size_t ReplicationFactor(double rf) {
  return rf >= 1 ? static_cast<size_t>(std::min(rf, double{1 << 20})) : 0;
}

// The tail of a per-key answer that is not OK: the page to load, nothing
// for NotFound, or the message.
void PutNotOk(const Status& s, PageId missing, std::string* out) {
  if (s.IsNotResident()) {
    PutVarint64(out, missing);
  } else if (!s.IsNotFound()) {
    PutLengthPrefixed(out, s.message());
  }
}

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
  Status s = ParseOptions(options_json, &options);
  if (!s.ok()) return StatusVal(s);
  Reader in(records);
  uint64_t count = 0;
  if (!in.GetVarint64(&count) || count > in.remaining()) {
    return StatusVal(Status::InvalidArgument("records: bad count"));
  }
  std::vector<std::string_view> views(static_cast<size_t>(count));
  for (std::string_view& v : views) {
    if (!in.GetLengthPrefixed(&v)) {
      return StatusVal(Status::InvalidArgument("records: truncated"));
    }
  }
  return StatusVal(Engine::Open(options, engine_state, views, &engine_));
}

val EngineHandle::ApplyBatch(const std::string& ops_bytes, double wall_ms) {
  std::vector<WriteOp> ops;
  BatchResult batch;
  Status s = DecodeOps(ops_bytes, &ops);
  if (s.ok()) {
    s = engine_->ApplyBatch(ops, 0, static_cast<uint64_t>(wall_ms), &batch);
  }
  const std::string& local = engine_->options().peer_id;
  std::string out;
  out.reserve(16 + batch.results.size() * 12);
  out.push_back(static_cast<char>(s.code()));
  out.push_back(engine_->OverBudget() ? 1 : 0);
  PutVarint64(&out, engine_->PageCount());
  PutVarint64(&out, batch.next);
  PutVarint64(&out, batch.missing_page);
  PutVarint64(&out, batch.results.size());
  for (const WriteResult& r : batch.results) {
    out.push_back(static_cast<char>(r.status.code()));
    bool has_version = r.status.ok() && r.version.hlc != 0;
    out.push_back(static_cast<char>((r.existed ? wire::kExisted : 0) |
                                    (r.applied ? wire::kApplied : 0) |
                                    (has_version ? wire::kHasVersion : 0)));
    if (has_version) {
      PutFixed64(&out, r.version.hlc);
      PutLengthPrefixed(&out, r.version.origin == local
                                  ? std::string_view()
                                  : std::string_view(r.version.origin));
    }
    if (!r.status.ok()) PutLengthPrefixed(&out, r.status.message());
  }
  if (!s.ok() && !s.IsNotResident()) {
    // A malformed batch: report it as the only result's message.
    out.clear();
    out.push_back(static_cast<char>(s.code()));
    out.push_back(0);
    PutVarint64(&out, engine_->PageCount());
    PutVarint64(&out, 0);
    PutVarint64(&out, 0);
    PutVarint64(&out, 1);
    out.push_back(static_cast<char>(s.code()));
    out.push_back(0);
    PutLengthPrefixed(&out, s.message());
  }
  return BytesVal(out);
}

val EngineHandle::GetMany(const std::string& keys_bytes) {
  std::string value;
  return KeyBatch(keys_bytes, [&](std::string_view key, std::string* out) {
    PageId missing = kNoPage;
    Status s = engine_->Get(key, &value, &missing);
    out->push_back(static_cast<char>(s.code()));
    if (s.ok()) {
      PutLengthPrefixed(out, value);
    } else {
      PutNotOk(s, missing, out);
    }
  });
}

val EngineHandle::Scan(const std::string& scan_bytes) {
  ScanOptions options;
  ScanResult result;
  Status s = DecodeScan(scan_bytes, &options);
  if (s.ok()) s = engine_->Scan(options, &result);
  std::string out;
  out.push_back(static_cast<char>(s.code()));
  if (s.IsNotResident()) {
    PutVarint64(&out, result.missing_page);
    EncodeScan(result.resume, &out);
  } else if (!s.ok()) {
    PutLengthPrefixed(&out, s.message());
  }
  PutVarint64(&out, result.records.size());
  for (const Record& r : result.records) {
    PutLengthPrefixed(&out, r.key);
    out.push_back(static_cast<char>(r.tombstone ? 1 : 0));
    PutFixed64(&out, r.version.hlc);
    PutLengthPrefixed(&out, r.version.origin);
    if (!r.tombstone) PutLengthPrefixed(&out, r.value);
  }
  return BytesVal(out);
}

val EngineHandle::LookupMany(const std::string& keys_bytes) {
  Record record;
  return KeyBatch(keys_bytes, [&](std::string_view key, std::string* out) {
    PageId missing = kNoPage;
    Status s = engine_->Lookup(key, &record, &missing);
    out->push_back(static_cast<char>(s.code()));
    if (s.ok()) {
      // The stored origin as-is (the local peer's id too), as in `scanned`.
      PutFixed64(out, record.version.hlc);
      PutLengthPrefixed(out, record.version.origin);
      out->push_back(static_cast<char>(record.tombstone ? 1 : 0));
      if (!record.tombstone) PutLengthPrefixed(out, record.value);
    } else {
      PutNotOk(s, missing, out);
    }
  });
}

template <typename PerKey>
val EngineHandle::KeyBatch(const std::string& keys_bytes, PerKey per_key) {
  Reader in(keys_bytes);
  uint64_t count = 0;
  std::string out;
  if (!in.GetVarint64(&count) || count > in.remaining()) count = 0;
  out.push_back(0);  // state, set below
  PutVarint64(&out, count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view key;
    if (!in.GetLengthPrefixed(&key)) key = {};
    per_key(key, &out);
  }
  out[0] = engine_->OverBudget() ? 1 : 0;
  return BytesVal(out);
}

val EngineHandle::SetRing(const std::string& members_bytes,
                          double virtual_nodes) {
  if (!(virtual_nodes >= 1 && virtual_nodes <= wire::kMaxVirtualNodes &&
        std::floor(virtual_nodes) == virtual_nodes)) {
    return StatusVal(Status::InvalidArgument(
        "ring: virtualNodes must be a whole number in [1, 4096]"));
  }
  std::vector<std::string> members;
  Status s = DecodeRingMembers(members_bytes, &members);
  if (!s.ok()) return StatusVal(s);
  Ring ring(static_cast<uint32_t>(virtual_nodes));
  s = ring.SetMembers(std::move(members));
  if (s.ok()) ring_ = std::move(ring);
  return StatusVal(s);
}

val EngineHandle::ReplicasFor(const std::string& keys_bytes, double rf) {
  Reader in(keys_bytes);
  uint64_t count = 0;
  if (!in.GetVarint64(&count) || count > in.remaining()) count = 0;
  size_t want = ReplicationFactor(rf);
  std::string out;
  PutVarint64(&out, count);
  std::vector<uint32_t> replicas;
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view key;
    if (!in.GetLengthPrefixed(&key)) key = {};
    ring_.ReplicasFor(key, want, &replicas);
    PutVarint64(&out, replicas.size());
    for (uint32_t m : replicas) PutVarint64(&out, m);
  }
  return BytesVal(out);
}

val EngineHandle::RingShare(double rf) const {
  std::vector<double> share = ring_.ReplicaShare(ReplicationFactor(rf));
  std::string out;
  PutVarint64(&out, share.size());
  for (double d : share) {
    uint64_t bits = 0;
    std::memcpy(&bits, &d, sizeof bits);
    PutFixed64(&out, bits);
  }
  return BytesVal(out);
}

val EngineHandle::SyncScan(const std::string& request_bytes) {
  SyncRequest request;
  std::vector<SyncAnswer> answers;
  PageId missing = kNoPage;
  std::string resume;
  Status s = DecodeSyncRequest(request_bytes, &request);
  if (s.ok()) {
    s = paging_storage::SyncScan(*engine_, ring_, request.rf, request.self,
                                 request.start, request.queries, &answers,
                                 &missing, &resume);
  }
  std::string out;
  EncodeSyncResponse(s, missing, resume, request.queries, answers, &out);
  return BytesVal(out);
}

val EngineHandle::LoadPage(double id, const std::string& bytes) {
  return StatusVal(engine_->LoadPage(static_cast<PageId>(id), bytes));
}

val EngineHandle::CollectFlush() {
  engine_->CollectFlush(&pending_flush_);
  val pages = val::array();
  for (const FlushBatch::PageBytes& p : pending_flush_.pages) {
    val page = val::object();
    page.set("id", static_cast<double>(p.id));
    page.set("bytes", BytesVal(p.bytes));
    page.set("record", BytesVal(p.directory_record));
    pages.call<void>("push", page);
  }
  val deleted = val::array();
  for (PageId id : pending_flush_.deleted_pages) {
    deleted.call<void>("push", static_cast<double>(id));
  }
  val out = val::object();
  out.set("pages", pages);
  out.set("deleted", deleted);
  out.set("state", BytesVal(pending_flush_.engine_state));
  return out;
}

void EngineHandle::CommitFlush() {
  engine_->CommitFlush(pending_flush_);
  pending_flush_ = FlushBatch();
}

double EngineHandle::EvictAllClean() {
  return static_cast<double>(engine_->EvictAllClean());
}

bool EngineHandle::OverBudget() const { return engine_->OverBudget(); }
bool EngineHandle::HasDirtyPages() const { return engine_->HasDirtyPages(); }

val EngineHandle::PagesWantedForMerges() const {
  val out = val::array();
  for (PageId id : engine_->PagesWantedForMerges()) {
    out.call<void>("push", static_cast<double>(id));
  }
  return out;
}

val EngineHandle::PagesAhead(double first, double limit,
                             bool descending) const {
  val out = val::array();
  if (!(first >= 0) || !(limit >= 0)) return out;
  for (PageId id :
       engine_->PagesAhead(static_cast<PageId>(first),
                           static_cast<size_t>(limit), descending)) {
    out.call<void>("push", static_cast<double>(id));
  }
  return out;
}

std::string EngineHandle::StatsJson() const { return engine_->StatsJson(); }

std::string EngineHandle::ListPagesJson() const {
  nlohmann::json pages = nlohmann::json::array();
  for (const PageInfo& p : engine_->ListPages()) {
    // Lower bounds are keys, hence UTF-8 ("" for the first page).
    pages.push_back({{"id", p.id},
                     {"lowerKey", p.lower_key},
                     {"keyCount", p.live_count},
                     {"entryCount", p.entry_count},
                     {"bytes", p.bytes},
                     {"lastModifiedMs", Hlc::WallMs(p.max_hlc)},
                     {"resident", p.resident},
                     {"dirty", p.dirty},
                     {"corrupt", p.corrupt},
                     {"mergePending", p.merge_pending}});
  }
  return pages.dump();
}

val EngineHandle::CheckInvariants() const {
  return StatusVal(engine_->CheckInvariants());
}

}  // namespace paging_storage
