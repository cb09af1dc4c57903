// Implements the paging part of wire_codec.h: records, flush, ids and
// clock.
#include "coding.h"
#include "wire_codec.h"

namespace paging_storage {

Status DecodeRecords(std::string_view bytes,
                     std::vector<std::string_view>* records) {
  Reader in(bytes);
  size_t count = 0;
  records->clear();
  if (!in.GetCount(1, &count)) {
    return Status::InvalidArgument("records: bad count");
  }
  records->resize(count);
  for (std::string_view& record : *records) {
    if (!in.GetLengthPrefixed(&record)) {
      return Status::InvalidArgument("records: truncated");
    }
  }
  if (in.remaining() != 0) {
    return Status::InvalidArgument("records: trailing bytes");
  }
  return Status::OK();
}

void EncodeRecords(const std::vector<std::string_view>& records,
                   std::string* out) {
  PutVarint64(out, records.size());
  for (std::string_view record : records) PutLengthPrefixed(out, record);
}

void EncodeFlush(const FlushBatch& batch, std::string* out) {
  // Reserved once: a flush of large pages must not double its buffer.
  size_t size = out->size() + batch.engine_state.size() + 16 +
                batch.deleted_pages.size() * 10;
  for (const FlushBatch::PageBytes& p : batch.pages) {
    size += p.bytes.size() + p.directory_record.size() + 30;
  }
  out->reserve(size);
  PutLengthPrefixed(out, batch.engine_state);
  PutVarint64(out, batch.pages.size());
  for (const FlushBatch::PageBytes& p : batch.pages) {
    PutVarint64(out, p.id);
    PutLengthPrefixed(out, p.bytes);
    PutLengthPrefixed(out, p.directory_record);
  }
  EncodeIds(batch.deleted_pages, out);
}

Status DecodeFlush(std::string_view bytes, FlushBatch* out) {
  Reader in(bytes);
  std::string_view state;
  size_t count = 0;
  *out = FlushBatch();
  if (!in.GetLengthPrefixed(&state)) {
    return Status::InvalidArgument("flush: truncated state");
  }
  out->engine_state.assign(state);
  // A page takes at least its id and two lengths.
  if (!in.GetCount(3, &count)) {
    return Status::InvalidArgument("flush: bad page count");
  }
  out->pages.resize(count);
  for (FlushBatch::PageBytes& p : out->pages) {
    std::string_view page_bytes, record;
    if (!in.GetVarint64(&p.id) || !in.GetLengthPrefixed(&page_bytes) ||
        !in.GetLengthPrefixed(&record)) {
      return Status::InvalidArgument("flush: truncated page");
    }
    p.bytes.assign(page_bytes);
    p.directory_record.assign(record);
  }
  if (!in.GetCount(1, &count)) {
    return Status::InvalidArgument("flush: bad deleted count");
  }
  out->deleted_pages.resize(count);
  for (PageId& id : out->deleted_pages) {
    if (!in.GetVarint64(&id)) {
      return Status::InvalidArgument("flush: truncated deleted id");
    }
  }
  if (in.remaining() != 0) {
    return Status::InvalidArgument("flush: trailing bytes");
  }
  return Status::OK();
}

void EncodeIds(const std::vector<PageId>& ids, std::string* out) {
  PutVarint64(out, ids.size());
  for (PageId id : ids) PutVarint64(out, id);
}

Status DecodeIds(std::string_view bytes, std::vector<PageId>* ids) {
  Reader in(bytes);
  size_t count = 0;
  ids->clear();
  if (!in.GetCount(1, &count)) return Status::InvalidArgument("ids: bad count");
  ids->resize(count);
  for (PageId& id : *ids) {
    if (!in.GetVarint64(&id)) return Status::InvalidArgument("ids: truncated");
  }
  if (in.remaining() != 0) {
    return Status::InvalidArgument("ids: trailing bytes");
  }
  return Status::OK();
}

void EncodePurgeRequest(const PurgeRequest& request, std::string* out) {
  PutFixed64(out, request.horizon);
  PutVarint64(out, request.want);
  PutLengthPrefixed(out, request.start);
}

Status DecodePurgeRequest(std::string_view bytes, PurgeRequest* out) {
  Reader in(bytes);
  std::string_view start;
  if (!in.GetFixed64(&out->horizon) || !in.GetVarint64(&out->want) ||
      !in.GetLengthPrefixed(&start)) {
    return Status::InvalidArgument("purge: truncated");
  }
  if (in.remaining() != 0) {
    return Status::InvalidArgument("purge: trailing bytes");
  }
  out->start.assign(start);
  return Status::OK();
}

void EncodePurged(const PurgeReply& reply, std::string* out) {
  out->push_back(static_cast<char>(reply.status.code()));
  PutVarint64(out, reply.result.purged);
  if (reply.status.IsNotResident()) {
    PutLengthPrefixed(out, reply.result.resume_start);
    EncodeIds(reply.result.missing_pages, out);
  } else if (!reply.status.ok()) {
    PutLengthPrefixed(out, reply.status.message());
  }
}

Status DecodePurged(std::string_view bytes, PurgeReply* out) {
  Reader in(bytes);
  uint8_t code = 0;
  uint64_t purged = 0;
  out->result = PurgeResult();
  if (!in.GetByte(&code) || !in.GetVarint64(&purged)) {
    return Status::InvalidArgument("purged: truncated");
  }
  out->result.purged = static_cast<size_t>(purged);
  std::string_view text;
  if (code == static_cast<uint8_t>(Status::Code::kNotResident)) {
    if (!in.GetLengthPrefixed(&text)) {
      return Status::InvalidArgument("purged: truncated resume");
    }
    out->result.resume_start.assign(text);
    Status s = DecodeIds(in.rest(), &out->result.missing_pages);
    if (!s.ok()) return Status::InvalidArgument("purged: " + s.message());
    return Status::FromCode(code, {}, &out->status)
               ? Status::OK()
               : Status::InvalidArgument("purged: bad code");
  }
  if (code != 0 && !in.GetLengthPrefixed(&text)) {
    return Status::InvalidArgument("purged: truncated message");
  }
  if (!Status::FromCode(code, text, &out->status)) {
    return Status::InvalidArgument("purged: bad code");
  }
  if (in.remaining() != 0) {
    return Status::InvalidArgument("purged: trailing bytes");
  }
  return Status::OK();
}

void EncodeClock(uint64_t hlc, std::string* out) { PutFixed64(out, hlc); }

Status DecodeClock(std::string_view bytes, uint64_t* hlc) {
  Reader in(bytes);
  if (!in.GetFixed64(hlc)) return Status::InvalidArgument("clock: truncated");
  if (in.remaining() != 0) {
    return Status::InvalidArgument("clock: trailing bytes");
  }
  return Status::OK();
}

}  // namespace paging_storage
