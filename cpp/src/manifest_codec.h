// Manifest codec: the directory (every page's lower key, id and summary) and
// the engine state that must survive a reload. Grammar in manifest_codec.cc.
#ifndef PAGING_STORAGE_MANIFEST_CODEC_H_
#define PAGING_STORAGE_MANIFEST_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "paging_storage/status.h"
#include "paging_storage/types.h"

namespace paging_storage {

constexpr uint32_t kManifestMagic = 0x464d5350;  // "PSMF" little-endian
constexpr uint8_t kManifestFormatVersion = 1;

struct PageSummary {
  uint32_t entry_count = 0;
  uint32_t live_count = 0;
  uint64_t bytes = 0;
  uint64_t digest = 0;
};

struct ManifestPage {
  std::string lower_key;
  PageId id = kNoPage;
  PageSummary summary;
};

struct Manifest {
  PageId next_page_id = 1;
  uint64_t hlc = 0;
  std::vector<ManifestPage> pages;  // in key order
};

void EncodeManifest(const Manifest& manifest, std::string* dst);

// Corruption for any input that is not exactly a valid manifest: checksum,
// lengths, first lower key not "", lower keys not increasing, duplicate or
// out-of-range ids, impossible summaries.
Status DecodeManifest(std::string_view bytes, Manifest* out);

}  // namespace paging_storage

#endif  // PAGING_STORAGE_MANIFEST_CODEC_H_
