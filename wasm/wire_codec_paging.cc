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
