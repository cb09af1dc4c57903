// Manifest codec. The manifest is not one blob: it is one small directory
// record per page (its lower bound key, id and summary), stored beside the
// page's bytes and rewritten only when the page changes, plus one engine
// state record. A flush therefore writes O(dirty pages), whatever the store's
// size. Grammar in manifest_codec.cc.
#ifndef PAGING_STORAGE_MANIFEST_CODEC_H_
#define PAGING_STORAGE_MANIFEST_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "paging_storage/status.h"
#include "paging_storage/types.h"

namespace paging_storage {

constexpr uint32_t kDirectoryRecordMagic = 0x52445350;  // "PSDR"
constexpr uint32_t kEngineStateMagic = 0x54535350;      // "PSST"
constexpr uint8_t kManifestFormatVersion = 1;

struct PageSummary {
  uint32_t entry_count = 0;
  uint32_t live_count = 0;
  uint64_t bytes = 0;
  uint64_t digest = 0;
  uint64_t max_hlc = 0;  // the newest entry's clock: when it last changed
};

struct ManifestPage {
  std::string lower_key;
  PageId id = kNoPage;
  PageSummary summary;
  // 0 for a base page; for a page of a run of the write path
  // (WRITE_PATH.md), the run's sequence number (runs are numbered from 1).
  uint64_t run_seq = 0;
  // Base pages: the runs with seq <= applied_seq are applied to this page.
  uint64_t applied_seq = 0;
  // Run pages: the Bloom filter of their keys (key_filter.h).
  std::string filter;
};

// A run's live entries not yet applied by their base pages (Stats).
struct RunCount {
  uint64_t seq = 0;
  uint64_t unapplied_puts = 0;
};

// A run of the write path made by merging runs (tiered merging,
// WRITE_PATH.md): its pages carry run_seq, and it stands in the runs' order
// at its newest source's seq. `sources`: the runs sealed from the memtable it
// holds, oldest first, each with the newest clock of its entries; runs are
// sealed in clock order, so a base page that applied the runs up to seq a
// applies only its entries above the max_hlc of the last source <= a. Empty:
// the output of a merge that never finished, deleted at the next flush.
struct RunSource {
  uint64_t seq = 0;
  uint64_t max_hlc = 0;
};
struct MergedRun {
  uint64_t run_seq = 0;
  std::vector<RunSource> sources;
};

struct Manifest {
  PageId next_page_id = 1;
  uint64_t hlc = 0;
  std::string user_data;            // Engine::SetUserData's (opaque here)
  std::vector<ManifestPage> pages;  // base pages, in key order
  // Pages of runs, by run_seq then lower key.
  std::vector<ManifestPage> run_pages;
  uint64_t next_run_seq = 1;      // above every run_seq
  std::vector<RunCount> runs;     // by seq; may be empty (then: live counts)
  std::vector<MergedRun> merged;  // by run_seq
};

// What the engine state record says of the directory, so that a lost or
// stale directory record is detected rather than read as missing keys.
struct DirectoryShape {
  uint64_t page_count = 0;
  uint64_t digest = 0;  // XOR of DirectoryEntryDigest over the pages
};
uint64_t DirectoryEntryDigest(std::string_view lower_key, PageId id);

void EncodeDirectoryRecord(const ManifestPage& page, std::string* dst);
Status DecodeDirectoryRecord(std::string_view bytes, ManifestPage* out);

// next_run_seq: written only when above 1 (no run was ever sealed), so
// that a store without runs keeps the format older readers know; `merged`
// only when `runs` is not empty (REQUIRES: both by seq).
void EncodeEngineState(PageId next_page_id, uint64_t hlc,
                       const DirectoryShape& shape, std::string_view user_data,
                       std::string* dst, uint64_t next_run_seq = 1,
                       const std::vector<RunCount>& runs = {},
                       const std::vector<MergedRun>& merged = {});

// Assembles a manifest from the state record and every page's directory
// record (in any order). Corruption for any record that fails to decode, and
// for a set that is not the directory the state record describes (count and
// digest), or not a directory at all: first lower key not "", duplicate
// lower keys or ids, ids not below next_page_id, no pages. Run pages (run_seq
// > 0) count in the shape; within a run, lower keys are distinct; run_seq
// is below next_run_seq, applied_seq not above it.
Status DecodeManifest(std::string_view state,
                      const std::vector<std::string_view>& records,
                      Manifest* out);

}  // namespace paging_storage

#endif  // PAGING_STORAGE_MANIFEST_CODEC_H_
