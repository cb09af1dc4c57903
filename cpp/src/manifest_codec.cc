// Manifest format, version 1 (primitives as in page_codec.cc).
//
//   manifest := magic:fixed32 format:byte next_page_id:varint64 hlc:fixed64
//               page_count:varint64 page{page_count} checksum:fixed64
//   magic    := 0x464d5350 ("PSMF")
//   format   := 1
//   page     := lower_key:varstring id:varint64 entry_count:varint64
//               live_count:varint64 bytes:varint64 digest:fixed64
//   checksum := XXH64, seed 0, of every byte before it
//
// page_count >= 1; the first lower_key is "" and lower keys strictly
// increase; 0 < id < next_page_id and ids are distinct;
// live_count <= entry_count; bytes >= kPageOverhead + entry_count *
// (kEntryOverhead + 1).
#include "manifest_codec.h"

#include <unordered_set>

#include "coding.h"
#include "entry.h"
#include "hash.h"

namespace paging_storage {
namespace {

// lower_key length + id + 3 counters + digest.
constexpr size_t kMinEncodedPage = 1 + 1 + 1 + 1 + 1 + 8;
constexpr uint64_t kMaxPageId = uint64_t{1} << 53;

}  // namespace

void EncodeManifest(const Manifest& manifest, std::string* dst) {
  size_t start = dst->size();
  PutFixed32(dst, kManifestMagic);
  dst->push_back(static_cast<char>(kManifestFormatVersion));
  PutVarint64(dst, manifest.next_page_id);
  PutFixed64(dst, manifest.hlc);
  PutVarint64(dst, manifest.pages.size());
  for (const ManifestPage& p : manifest.pages) {
    PutLengthPrefixed(dst, p.lower_key);
    PutVarint64(dst, p.id);
    PutVarint64(dst, p.summary.entry_count);
    PutVarint64(dst, p.summary.live_count);
    PutVarint64(dst, p.summary.bytes);
    PutFixed64(dst, p.summary.digest);
  }
  std::string_view body(dst->data() + start, dst->size() - start);
  PutFixed64(dst, Hash64(body));
}

Status DecodeManifest(std::string_view bytes, Manifest* out) {
  if (bytes.size() < 4 + 1 + 1 + 8 + 1 + 8) {
    return Status::Corruption("manifest: too short");
  }
  std::string_view body = bytes.substr(0, bytes.size() - 8);
  Reader trailer(bytes.substr(bytes.size() - 8));
  uint64_t checksum = 0;
  trailer.GetFixed64(&checksum);
  if (Hash64(body) != checksum) {
    return Status::Corruption("manifest: bad checksum");
  }

  Reader in(body);
  uint32_t magic = 0;
  uint8_t format = 0;
  Manifest m;
  if (!in.GetFixed32(&magic) || magic != kManifestMagic) {
    return Status::Corruption("manifest: bad magic");
  }
  if (!in.GetByte(&format) || format != kManifestFormatVersion) {
    return Status::Corruption("manifest: unknown format version");
  }
  if (!in.GetVarint64(&m.next_page_id) || m.next_page_id < 2 ||
      m.next_page_id > kMaxPageId) {
    return Status::Corruption("manifest: bad next page id");
  }
  uint64_t page_count = 0;
  if (!in.GetFixed64(&m.hlc) || !in.GetVarint64(&page_count) ||
      page_count == 0 || page_count > in.remaining() / kMinEncodedPage) {
    return Status::Corruption("manifest: bad page count");
  }
  m.pages.resize(static_cast<size_t>(page_count));
  std::unordered_set<PageId> ids;
  for (uint64_t i = 0; i < page_count; ++i) {
    ManifestPage& p = m.pages[i];
    std::string_view lower;
    uint64_t entry_count = 0, live_count = 0;
    if (!in.GetLengthPrefixed(&lower) || !in.GetVarint64(&p.id) ||
        !in.GetVarint64(&entry_count) || !in.GetVarint64(&live_count) ||
        !in.GetVarint64(&p.summary.bytes) ||
        !in.GetFixed64(&p.summary.digest)) {
      return Status::Corruption("manifest: truncated page record");
    }
    if (i == 0 ? !lower.empty() : !(m.pages[i - 1].lower_key < lower)) {
      return Status::Corruption("manifest: lower keys out of order");
    }
    if (p.id == kNoPage || p.id >= m.next_page_id || !ids.insert(p.id).second) {
      return Status::Corruption("manifest: bad page id");
    }
    if (entry_count > UINT32_MAX || live_count > entry_count ||
        p.summary.bytes < kPageOverhead + entry_count * (kEntryOverhead + 1)) {
      return Status::Corruption("manifest: impossible page summary");
    }
    p.lower_key.assign(lower);
    p.summary.entry_count = static_cast<uint32_t>(entry_count);
    p.summary.live_count = static_cast<uint32_t>(live_count);
  }
  if (in.remaining() != 0)
    return Status::Corruption("manifest: trailing bytes");
  *out = std::move(m);
  return Status::OK();
}

}  // namespace paging_storage
