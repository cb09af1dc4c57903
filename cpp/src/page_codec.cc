// Page format, version 1. Integers are little-endian; varints are LEB128
// (coding.h); varstring := length:varint64 bytes.
//
//   page     := magic:fixed32 format:byte page_id:varint64
//               origin_count:varint64 origin{origin_count}
//               entry_count:varint64 entry{entry_count}
//               checksum:fixed64
//   magic    := 0x47505350 ("PSPG")
//   format   := 1
//   origin   := varstring                  non-empty, distinct
//   entry    := flags:byte key:varstring hlc:fixed64 origin_index:varint64
//               [value:varstring]          present iff flags == kLive
//   flags    := 0 (kLive) | 1 (kTombstone)
//   checksum := XXH64, seed 0, of every byte before it
//
// Keys are non-empty, strictly increasing. Origins are listed in order of
// first use by the entries and every origin is used, so each page has exactly
// one encoding (the decoder rejects any other).
#include "page_codec.h"

#include <utility>
#include <vector>

#include "coding.h"
#include "hash.h"

namespace paging_storage {
namespace {

constexpr uint8_t kLive = 0;
constexpr uint8_t kTombstone = 1;
// flags + key length + 1 key byte + hlc + origin index.
constexpr size_t kMinEncodedEntry = 1 + 1 + 1 + 8 + 1;

}  // namespace

void EncodePage(const Page& page, const OriginTable& origins,
                std::string* dst) {
  size_t start = dst->size();
  // Page-local origin indices, in order of first use.
  std::vector<uint32_t> local_to_global;
  std::vector<uint32_t> entry_local(page.size());
  for (size_t i = 0; i < page.size(); ++i) {
    uint32_t global = page.entries()[i].origin;
    size_t local = 0;
    while (local < local_to_global.size() && local_to_global[local] != global) {
      ++local;
    }
    if (local == local_to_global.size()) local_to_global.push_back(global);
    entry_local[i] = static_cast<uint32_t>(local);
  }

  dst->reserve(start + page.bytes() + 64);
  PutFixed32(dst, kPageMagic);
  dst->push_back(static_cast<char>(kPageFormatVersion));
  PutVarint64(dst, page.id());
  PutVarint64(dst, local_to_global.size());
  for (uint32_t global : local_to_global) {
    PutLengthPrefixed(dst, origins.Name(global));
  }
  PutVarint64(dst, page.size());
  for (size_t i = 0; i < page.size(); ++i) {
    const Entry& e = page.entries()[i];
    dst->push_back(static_cast<char>(e.tombstone ? kTombstone : kLive));
    PutLengthPrefixed(dst, e.key);
    PutFixed64(dst, e.hlc);
    PutVarint64(dst, entry_local[i]);
    if (!e.tombstone) PutLengthPrefixed(dst, e.value);
  }
  std::string_view body(dst->data() + start, dst->size() - start);
  PutFixed64(dst, Hash64(body));
}

Status DecodePage(std::string_view bytes, OriginTable* origins,
                  std::unique_ptr<Page>* out) {
  if (bytes.size() < 4 + 1 + 1 + 1 + 1 + 8) {
    return Status::Corruption("page: too short");
  }
  std::string_view body = bytes.substr(0, bytes.size() - 8);
  Reader trailer(bytes.substr(bytes.size() - 8));
  uint64_t checksum = 0;
  trailer.GetFixed64(&checksum);
  if (Hash64(body) != checksum) return Status::Corruption("page: bad checksum");

  Reader in(body);
  uint32_t magic = 0;
  uint8_t format = 0;
  uint64_t page_id = 0;
  if (!in.GetFixed32(&magic) || magic != kPageMagic) {
    return Status::Corruption("page: bad magic");
  }
  if (!in.GetByte(&format) || format != kPageFormatVersion) {
    return Status::Corruption("page: unknown format version");
  }
  if (!in.GetVarint64(&page_id) || page_id == kNoPage) {
    return Status::Corruption("page: bad page id");
  }

  uint64_t origin_count = 0;
  if (!in.GetVarint64(&origin_count) || origin_count > in.remaining()) {
    return Status::Corruption("page: bad origin count");
  }
  std::vector<std::string_view> names;
  names.reserve(static_cast<size_t>(origin_count));
  for (uint64_t i = 0; i < origin_count; ++i) {
    std::string_view name;
    if (!in.GetLengthPrefixed(&name) || name.empty()) {
      return Status::Corruption("page: bad origin");
    }
    for (std::string_view seen : names) {
      if (seen == name) return Status::Corruption("page: duplicate origin");
    }
    names.push_back(name);
  }

  uint64_t entry_count = 0;
  if (!in.GetVarint64(&entry_count) ||
      entry_count > in.remaining() / kMinEncodedEntry) {
    return Status::Corruption("page: bad entry count");
  }
  if (entry_count > 0 && origin_count == 0) {
    return Status::Corruption("page: entries without origins");
  }

  std::vector<Entry> entries(static_cast<size_t>(entry_count));
  uint32_t next_new_origin = 0;
  for (uint64_t i = 0; i < entry_count; ++i) {
    Entry& e = entries[i];
    uint8_t flags = 0;
    std::string_view key;
    uint32_t origin = 0;
    if (!in.GetByte(&flags) || (flags != kLive && flags != kTombstone)) {
      return Status::Corruption("page: bad entry flags");
    }
    if (!in.GetLengthPrefixed(&key) || key.empty()) {
      return Status::Corruption("page: bad key");
    }
    if (i > 0 && !(entries[i - 1].key < key)) {
      return Status::Corruption("page: keys out of order");
    }
    if (!in.GetFixed64(&e.hlc)) return Status::Corruption("page: truncated");
    if (!in.GetVarint32(&origin) || origin > next_new_origin ||
        origin >= origin_count) {
      return Status::Corruption("page: bad origin index");
    }
    if (origin == next_new_origin) ++next_new_origin;
    e.key.assign(key);
    e.origin = origin;
    e.tombstone = flags == kTombstone;
    if (!e.tombstone) {
      std::string_view value;
      if (!in.GetLengthPrefixed(&value)) {
        return Status::Corruption("page: bad value");
      }
      e.value.assign(value);
    }
  }
  if (in.remaining() != 0) return Status::Corruption("page: trailing bytes");
  if (next_new_origin != origin_count) {
    return Status::Corruption("page: unused origin");
  }

  // Valid: only now touch the engine's origin table.
  std::vector<uint32_t> local_to_global;
  local_to_global.reserve(names.size());
  for (std::string_view name : names) {
    local_to_global.push_back(origins->Intern(name));
  }
  auto page = std::make_unique<Page>(page_id, origins);
  for (Entry& e : entries) {
    e.origin = local_to_global[e.origin];
    page->Append(std::move(e));
  }
  *out = std::move(page);
  return Status::OK();
}

}  // namespace paging_storage
