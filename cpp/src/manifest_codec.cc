// Manifest formats, version 1 (primitives as in page_codec.cc).
//
//   directory_record := magic:fixed32 format:byte lower_key:varstring
//                       id:varint64 entry_count:varint64 live_count:varint64
//                       bytes:varint64 digest:fixed64 max_hlc:fixed64
//                       [run_seq:varint64 applied_seq:varint64
//                        [filter:varstring]] checksum:fixed64
//                       (the pair is written only when one is not 0, and
//                       read as 0, 0 when absent: records of stores without
//                       runs keep their bytes; filter is there exactly
//                       when run_seq > 0)
//   engine_state     := magic:fixed32 format:byte next_page_id:varint64
//                       hlc:fixed64 page_count:varint64
//                       directory_digest:fixed64 [user_data:varstring
//                       [next_run_seq:varint64 [run_count:varint64
//                       (seq:varint64 unapplied_puts:varint64){run_count}
//                       [merged_count:varint64 (run_seq:varint64
//                        source_count:varint64 (seq:varint64
//                        max_hlc:fixed64){source_count}){merged_count}]]]]
//                       checksum:fixed64
//                       (user_data is absent from states written before it
//                       existed, and read as ""; next_run_seq is written
//                       only when above 1, and read as 1 when absent; the
//                       runs' counts only when a run exists, seqs rising
//                       and below next_run_seq; the merged runs only when
//                       one exists, run_seqs and each one's source seqs
//                       rising and below next_run_seq)
//   magic            := 0x52445350 ("PSDR") | 0x54535350 ("PSST")
//   format           := 1
//   checksum         := XXH64, seed 0, of every byte before it
//
// Record rules: 0 < id < 2^53; live_count <= entry_count < 2^32;
// bytes >= kPageOverhead + entry_count * (kEntryOverhead + 1).
// Set rules (DecodeManifest): at least one page; lower keys distinct and one
// of them ""; ids distinct and below next_page_id; as many records as
// page_count, and the XOR of their DirectoryEntryDigest = directory_digest.
#include "manifest_codec.h"

#include <algorithm>
#include <unordered_set>

#include "coding.h"
#include "entry.h"
#include "hash.h"

namespace paging_storage {
namespace {

constexpr uint64_t kMaxPageId = uint64_t{1} << 53;

void Seal(std::string* dst, size_t start) {
  std::string_view body(dst->data() + start, dst->size() - start);
  PutFixed64(dst, Hash64(body));
}

// Checks the checksum trailer and the magic/format header; on success
// *body reads what follows the header.
Status Unseal(std::string_view bytes, uint32_t magic, const char* what,
              Reader* body) {
  if (bytes.size() < 4 + 1 + 8)
    return Status::Corruption(std::string(what) + ": too short");
  std::string_view content = bytes.substr(0, bytes.size() - 8);
  Reader trailer(bytes.substr(bytes.size() - 8));
  uint64_t checksum = 0;
  trailer.GetFixed64(&checksum);
  if (Hash64(content) != checksum) {
    return Status::Corruption(std::string(what) + ": bad checksum");
  }
  *body = Reader(content);
  uint32_t got_magic = 0;
  uint8_t format = 0;
  if (!body->GetFixed32(&got_magic) || got_magic != magic) {
    return Status::Corruption(std::string(what) + ": bad magic");
  }
  if (!body->GetByte(&format) || format != kManifestFormatVersion) {
    return Status::Corruption(std::string(what) + ": unknown format version");
  }
  return Status::OK();
}

}  // namespace

void EncodeDirectoryRecord(const ManifestPage& p, std::string* dst) {
  size_t start = dst->size();
  PutFixed32(dst, kDirectoryRecordMagic);
  dst->push_back(static_cast<char>(kManifestFormatVersion));
  PutLengthPrefixed(dst, p.lower_key);
  PutVarint64(dst, p.id);
  PutVarint64(dst, p.summary.entry_count);
  PutVarint64(dst, p.summary.live_count);
  PutVarint64(dst, p.summary.bytes);
  PutFixed64(dst, p.summary.digest);
  PutFixed64(dst, p.summary.max_hlc);
  if (p.run_seq != 0 || p.applied_seq != 0) {
    PutVarint64(dst, p.run_seq);
    PutVarint64(dst, p.applied_seq);
    if (p.run_seq != 0) PutLengthPrefixed(dst, p.filter);
  }
  Seal(dst, start);
}

Status DecodeDirectoryRecord(std::string_view bytes, ManifestPage* out) {
  Reader in{std::string_view()};
  Status s = Unseal(bytes, kDirectoryRecordMagic, "directory record", &in);
  if (!s.ok()) return s;
  std::string_view lower;
  uint64_t id = 0, entry_count = 0, live_count = 0, page_bytes = 0;
  uint64_t digest = 0, max_hlc = 0;
  if (!in.GetLengthPrefixed(&lower) || !in.GetVarint64(&id) ||
      !in.GetVarint64(&entry_count) || !in.GetVarint64(&live_count) ||
      !in.GetVarint64(&page_bytes) || !in.GetFixed64(&digest) ||
      !in.GetFixed64(&max_hlc)) {
    return Status::Corruption("directory record: truncated");
  }
  uint64_t run_seq = 0, applied_seq = 0;
  std::string_view filter;
  if (in.remaining() != 0) {
    if (!in.GetVarint64(&run_seq) || !in.GetVarint64(&applied_seq) ||
        (run_seq != 0 && !in.GetLengthPrefixed(&filter))) {
      return Status::Corruption("directory record: truncated");
    }
    if (run_seq == 0 && applied_seq == 0) {  // written only when not both 0
      return Status::Corruption("directory record: non-canonical run fields");
    }
  }
  if (in.remaining() != 0) {
    return Status::Corruption("directory record: trailing bytes");
  }
  if (id == kNoPage || id >= kMaxPageId) {
    return Status::Corruption("directory record: bad page id");
  }
  if (entry_count > UINT32_MAX || live_count > entry_count ||
      page_bytes < kPageOverhead + entry_count * (kEntryOverhead + 1)) {
    return Status::Corruption("directory record: impossible summary");
  }
  out->lower_key.assign(lower);
  out->id = id;
  out->summary.entry_count = static_cast<uint32_t>(entry_count);
  out->summary.live_count = static_cast<uint32_t>(live_count);
  out->summary.bytes = page_bytes;
  out->summary.digest = digest;
  out->summary.max_hlc = max_hlc;
  out->run_seq = run_seq;
  out->applied_seq = applied_seq;
  out->filter.assign(filter);
  return Status::OK();
}

uint64_t DirectoryEntryDigest(std::string_view lower_key, PageId id) {
  return Hash64(lower_key, id * 0x9E3779B97F4A7C15ull);
}

namespace {

// Seqs rising and below next_run_seq; at most as many as the input could
// hold (two bytes each), so a hostile count allocates nothing.
bool GetRunCounts(Reader* in, uint64_t next_run_seq,
                  std::vector<RunCount>* out) {
  uint64_t n = 0;
  if (!in->GetVarint64(&n) || n == 0 || n > in->remaining() / 2) return false;
  uint64_t last = 0;
  for (uint64_t i = 0; i < n; ++i) {
    RunCount r;
    if (!in->GetVarint64(&r.seq) || !in->GetVarint64(&r.unapplied_puts) ||
        r.seq <= last || r.seq >= next_run_seq) {
      return false;
    }
    last = r.seq;
    out->push_back(r);
  }
  return true;
}

// Merged runs (manifest_codec.h): run_seqs rising, sources rising, every
// seq below next_run_seq; counts bounded by the bytes left as above.
bool GetMergedRuns(Reader* in, uint64_t next_run_seq,
                   std::vector<MergedRun>* out) {
  uint64_t n = 0;
  if (!in->GetVarint64(&n) || n == 0 || n > in->remaining() / 2) return false;
  uint64_t last = 0;
  for (uint64_t i = 0; i < n; ++i) {
    MergedRun r;
    uint64_t sources = 0;
    if (!in->GetVarint64(&r.run_seq) || r.run_seq <= last ||
        r.run_seq >= next_run_seq || !in->GetVarint64(&sources) ||
        sources > in->remaining() / 9) {
      return false;
    }
    last = r.run_seq;
    uint64_t last_source = 0;
    for (uint64_t j = 0; j < sources; ++j) {
      RunSource src;
      if (!in->GetVarint64(&src.seq) || !in->GetFixed64(&src.max_hlc) ||
          src.seq <= last_source || src.seq >= next_run_seq) {
        return false;
      }
      last_source = src.seq;
      r.sources.push_back(src);
    }
    out->push_back(std::move(r));
  }
  return true;
}

}  // namespace

void EncodeEngineState(PageId next_page_id, uint64_t hlc,
                       const DirectoryShape& shape, std::string_view user_data,
                       std::string* dst, uint64_t next_run_seq,
                       const std::vector<RunCount>& runs,
                       const std::vector<MergedRun>& merged) {
  size_t start = dst->size();
  PutFixed32(dst, kEngineStateMagic);
  dst->push_back(static_cast<char>(kManifestFormatVersion));
  PutVarint64(dst, next_page_id);
  PutFixed64(dst, hlc);
  PutVarint64(dst, shape.page_count);
  PutFixed64(dst, shape.digest);
  PutLengthPrefixed(dst, user_data);
  if (next_run_seq > 1) PutVarint64(dst, next_run_seq);
  if (next_run_seq > 1 && !runs.empty()) {
    PutVarint64(dst, runs.size());
    for (const RunCount& r : runs) {
      PutVarint64(dst, r.seq);
      PutVarint64(dst, r.unapplied_puts);
    }
    if (!merged.empty()) {
      PutVarint64(dst, merged.size());
      for (const MergedRun& r : merged) {
        PutVarint64(dst, r.run_seq);
        PutVarint64(dst, r.sources.size());
        for (const RunSource& src : r.sources) {
          PutVarint64(dst, src.seq);
          PutFixed64(dst, src.max_hlc);
        }
      }
    }
  }
  Seal(dst, start);
}

Status DecodeManifest(std::string_view state,
                      const std::vector<std::string_view>& records,
                      Manifest* out) {
  Reader in{std::string_view()};
  Status s = Unseal(state, kEngineStateMagic, "engine state", &in);
  if (!s.ok()) return s;
  Manifest m;
  DirectoryShape shape;
  std::string_view user_data;
  if (!in.GetVarint64(&m.next_page_id) || !in.GetFixed64(&m.hlc) ||
      !in.GetVarint64(&shape.page_count) || !in.GetFixed64(&shape.digest) ||
      (in.remaining() > 0 && !in.GetLengthPrefixed(&user_data)) ||
      (in.remaining() > 0 &&
       (!in.GetVarint64(&m.next_run_seq) || m.next_run_seq <= 1)) ||
      (in.remaining() > 0 && !GetRunCounts(&in, m.next_run_seq, &m.runs)) ||
      (in.remaining() > 0 && !GetMergedRuns(&in, m.next_run_seq, &m.merged)) ||
      in.remaining() != 0 || m.next_page_id < 2 ||
      m.next_page_id > kMaxPageId) {
    return Status::Corruption("engine state: malformed");
  }
  m.user_data.assign(user_data);
  if (records.size() != shape.page_count) {
    return Status::Corruption("manifest: " + std::to_string(records.size()) +
                              " directory records for " +
                              std::to_string(shape.page_count) + " pages");
  }
  std::unordered_set<PageId> ids;
  uint64_t digest = 0;
  for (std::string_view record : records) {
    ManifestPage p;
    s = DecodeDirectoryRecord(record, &p);
    if (!s.ok()) return s;
    if (p.id >= m.next_page_id || !ids.insert(p.id).second) {
      return Status::Corruption("manifest: duplicate or unissued page id " +
                                std::to_string(p.id));
    }
    if (p.run_seq >= m.next_run_seq || p.applied_seq >= m.next_run_seq ||
        (p.run_seq != 0 && p.applied_seq != 0)) {
      return Status::Corruption("manifest: page " + std::to_string(p.id) +
                                " names a run that was never sealed");
    }
    digest ^= DirectoryEntryDigest(p.lower_key, p.id);
    (p.run_seq == 0 ? m.pages : m.run_pages).push_back(std::move(p));
  }
  if (digest != shape.digest) {
    return Status::Corruption(
        "manifest: directory records do not match the engine state");
  }
  if (m.pages.empty()) return Status::Corruption("manifest: no pages");
  std::sort(m.pages.begin(), m.pages.end(),
            [](const ManifestPage& a, const ManifestPage& b) {
              return a.lower_key < b.lower_key;
            });
  std::sort(m.run_pages.begin(), m.run_pages.end(),
            [](const ManifestPage& a, const ManifestPage& b) {
              return a.run_seq != b.run_seq ? a.run_seq < b.run_seq
                                            : a.lower_key < b.lower_key;
            });
  for (size_t i = 1; i < m.run_pages.size(); ++i) {
    if (m.run_pages[i - 1].run_seq == m.run_pages[i].run_seq &&
        m.run_pages[i - 1].lower_key == m.run_pages[i].lower_key) {
      return Status::Corruption("manifest: two run pages share a lower bound");
    }
  }
  if (!m.pages.front().lower_key.empty()) {
    return Status::Corruption("manifest: no page covers the first keys");
  }
  for (size_t i = 1; i < m.pages.size(); ++i) {
    if (m.pages[i - 1].lower_key == m.pages[i].lower_key) {
      return Status::Corruption("manifest: two pages share a lower bound");
    }
  }
  *out = std::move(m);
  return Status::OK();
}

}  // namespace paging_storage
