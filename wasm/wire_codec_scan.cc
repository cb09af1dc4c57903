// Implements the range-scan part of wire_codec.h: scan and scanned.
#include <limits>
#include <string>

#include "coding.h"
#include "wire_codec.h"
#include "wire_format.h"

namespace paging_storage {
namespace {

Status Bad(const char* production, std::string_view what) {
  return Status::InvalidArgument(std::string(production) + ": " +
                                 std::string(what));
}

// scan, as a part of a longer input (scanned carries one): nullptr, or what
// is wrong.
const char* GetScan(Reader* in, ScanOptions* o) {
  uint8_t flags = 0;
  std::string_view start, end;
  uint64_t limit = 0;
  if (!in->GetByte(&flags)) return "truncated";
  if (flags & ~(wire::kHasEnd | wire::kReverse | wire::kTombstones)) {
    return "unknown flags";
  }
  if (!in->GetLengthPrefixed(&start)) return "truncated start";
  o->start.assign(start);
  o->has_end = flags & wire::kHasEnd;
  if (o->has_end && !in->GetLengthPrefixed(&end)) return "truncated end";
  o->end.assign(end);
  if (!in->GetVarint64(&limit)) return "truncated limit";
  // size_t may be narrower (wasm32): a larger limit is no limit in effect.
  o->limit = limit > std::numeric_limits<size_t>::max()
                 ? std::numeric_limits<size_t>::max()
                 : static_cast<size_t>(limit);
  o->reverse = flags & wire::kReverse;
  o->include_tombstones = flags & wire::kTombstones;
  return nullptr;
}

}  // namespace

Status DecodeScan(std::string_view bytes, ScanOptions* out) {
  Reader in(bytes);
  if (const char* what = GetScan(&in, out)) return Bad("scan", what);
  if (in.remaining() != 0) return Bad("scan", "trailing bytes");
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

void EncodeScanned(const ScanReply& reply, std::string* out) {
  const Status& s = reply.status;
  out->push_back(static_cast<char>(s.code()));
  if (s.IsNotResident()) {
    PutVarint64(out, reply.result.missing_page);
    EncodeScan(reply.result.resume, out);
  } else if (!s.ok()) {
    PutLengthPrefixed(out, s.message());
  }
  PutVarint64(out, reply.result.records.size());
  for (const Record& r : reply.result.records) {
    PutLengthPrefixed(out, r.key);
    out->push_back(static_cast<char>(r.tombstone ? wire::kRecordTombstone : 0));
    PutFixed64(out, r.version.hlc);
    PutLengthPrefixed(out, r.version.origin);
    if (!r.tombstone) PutLengthPrefixed(out, r.value);
  }
}

Status DecodeScanned(std::string_view bytes, ScanReply* out) {
  Reader in(bytes);
  ScanResult& result = out->result;
  uint8_t code = 0;
  std::string_view message;
  result = ScanResult();
  if (!in.GetByte(&code)) return Bad("scanned", "truncated");
  if (code == static_cast<uint8_t>(Status::Code::kNotResident)) {
    if (!in.GetVarint64(&result.missing_page)) {
      return Bad("scanned", "truncated missing page");
    }
    if (const char* what = GetScan(&in, &result.resume)) {
      return Bad("scanned", std::string("resume: ") + what);
    }
  } else if (code != 0 && !in.GetLengthPrefixed(&message)) {
    return Bad("scanned", "truncated message");
  }
  if (!Status::FromCode(code, message, &out->status)) {
    return Bad("scanned", "unknown code");
  }
  // A record takes at least its key length, flags, hlc and origin length.
  size_t count = 0;
  if (!in.GetCount(11, &count)) return Bad("scanned", "bad count");
  result.records.resize(count);
  for (Record& r : result.records) {
    std::string_view key, origin, value;
    uint8_t flags = 0;
    if (!in.GetLengthPrefixed(&key) || !in.GetByte(&flags) ||
        flags > wire::kRecordTombstone || !in.GetFixed64(&r.version.hlc) ||
        !in.GetLengthPrefixed(&origin)) {
      return Bad("scanned", "bad record");
    }
    r.key.assign(key);
    r.version.origin.assign(origin);
    r.tombstone = flags & wire::kRecordTombstone;
    if (!r.tombstone) {
      if (!in.GetLengthPrefixed(&value)) return Bad("scanned", "truncated");
      r.value.assign(value);
    }
  }
  if (in.remaining() != 0) return Bad("scanned", "trailing bytes");
  return Status::OK();
}

}  // namespace paging_storage
