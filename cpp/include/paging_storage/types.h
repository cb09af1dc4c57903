// Value types that cross the engine's public API.
//
// All of them own their data (std::string, std::vector); nothing returned by
// the engine points into its internal state.
#ifndef PAGING_STORAGE_TYPES_H_
#define PAGING_STORAGE_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "paging_storage/status.h"

namespace paging_storage {

// Page ids start at 1 and are never reused. They stay below 2^53 so they
// survive a trip through a JavaScript number.
using PageId = uint64_t;
constexpr PageId kNoPage = 0;

// A write's identity. Versions are totally ordered by (hlc, origin); merging
// keeps the greater one (last writer wins per key).
struct Version {
  uint64_t hlc = 0;
  std::string origin;  // peer id of the writer
};

// <0, 0, >0 like strcmp.
int CompareVersions(const Version& a, const Version& b);

// A key's stored state: a live value or a tombstone.
struct Record {
  std::string key;
  std::string value;  // empty for a tombstone
  Version version;
  bool tombstone = false;
};

// One operation of a batch (Engine::ApplyBatch).
// The most bytes Engine::SetUserData keeps.
constexpr size_t kMaxUserDataBytes = 1024;

struct WriteOp {
  enum class Type : uint8_t {
    kPut = 0,     // local write of record.value, stamped by the engine's clock
    kDelete = 1,  // local delete (tombstone) of a live key
    kMerge = 2,   // remote or imported record, kept only if its version wins
    // Removes the key's entry, live or tombstone, if its version is exactly
    // record.version, leaving no tombstone: tombstone GC once the replicas
    // hold the tombstone, and stale copies no replica holds any more.
    kForget = 3,
    // Local delete that writes a tombstone whether or not a live value is
    // here (with peers the key may live at its replicas; the tombstone,
    // newer than any version this peer has seen, replicates there).
    kTombstone = 4,
    // If the key's stored version is exactly record.version, stamps the
    // same value (or tombstone) again with a local version newer than
    // floor_hlc (the clock moves past it, within the drift bound): a
    // replica kept a newer version than this peer's write, which was made
    // without seeing it (issue 16: a version forged in the future would
    // otherwise win over every honest write made before it comes due).
    kRestamp = 5,
  };
  Type type = Type::kPut;
  Record record;           // key always; value for kPut/kMerge; version for
                           // kMerge/kForget/kRestamp
  uint64_t floor_hlc = 0;  // kRestamp
};

// What happened to one write.
struct WriteResult {
  Status status;
  bool existed = false;  // a live value was there before
  bool applied = false;  // the store changed (false: a stale merge, a delete
                         // of an absent key, or an error)
  Version version;       // the version now stored for the key, when applied
  // A local write taken without reading its key's stored state (the write
  // path's memtable, or a page still applying runs): `existed` is unknown
  // (reported false).
  bool buffered = false;
  // A merge of the version stored, carrying another value (or tombstone
  // flag): the version was written twice with different values (equivocated,
  // by a hostile peer), and the stored one is kept. Replicas report it, so
  // that an acknowledgement always means this exact record is held.
  bool other_value = false;
  // With status NotResident (Engine::ApplyBatch skipping missing pages):
  // the page the op waits for.
  PageId missing_page = kNoPage;
};

struct BatchResult {
  std::vector<WriteResult> results;  // one per op processed, in order
  // Ops [start, next) were processed. When the batch stopped early,
  // ApplyBatch returned NotResident and missing_page must be loaded before
  // resuming at `next`.
  size_t next = 0;
  PageId missing_page = kNoPage;
};

// A key range for Scan. Keys in [start, end) (end unbounded when !has_end)
// are visited in key order, or reverse order, skipping tombstones unless
// asked. limit 0 means no limit.
struct ScanOptions {
  std::string start;
  std::string end;
  bool has_end = false;
  size_t limit = 0;
  bool reverse = false;
  bool include_tombstones = false;
  // When non-zero: once the records returned hold this many bytes (keys and
  // values), the scan stops at the next page boundary with NotResident and
  // missing_page kNoPage: nothing to load, scan again from `resume`. Bounds
  // one call's answer (and so the memory it takes) whatever the range.
  size_t max_bytes = 0;

  // [prefix, first key after every key with that prefix).
  static ScanOptions Prefix(std::string_view prefix);
};

struct ScanResult {
  std::vector<Record> records;
  // When Scan returns NotResident, `resume` is the same scan minus the part
  // already returned (its limit reduced by the records returned), to be run
  // again after missing_page is loaded.
  PageId missing_page = kNoPage;
  ScanOptions resume;
};

// What Engine::PurgeTombstones did, and where to go on.
struct PurgeResult {
  size_t purged = 0;  // tombstones removed by this call
  // When the walk stopped at a page that is not resident: the pages holding
  // tombstones to load next, in key order from there (the first is needed
  // first), and the key to resume from.
  std::vector<PageId> missing_pages;
  std::string resume_start;
};

// One page as seen in the directory (see Engine::ListPages).
struct PageInfo {
  PageId id = kNoPage;
  std::string lower_key;  // the page holds keys >= lower_key; "" for the first
  uint32_t entry_count = 0;  // live values and tombstones
  uint32_t live_count = 0;
  uint64_t bytes = 0;    // accounted bytes, see page.h
  uint64_t digest = 0;   // XOR of entry digests; equal content, equal digest
  uint64_t max_hlc = 0;  // newest entry's clock (Hlc::WallMs: when modified)
  bool resident = false;
  bool dirty = false;
  bool corrupt = false;
  bool merge_pending = false;
};

struct EngineStats {
  // Pages in the store: the directory's, and the run pages of the write
  // path (what the disk budget counts).
  size_t pages = 0;
  // Live keys. Writes in the write path's memtable or runs count as keys
  // until their page takes them: a buffered overwrite of a key whose page
  // is not in memory counts twice until then (never fewer than the live
  // keys; exact when nothing is buffered, as after a compacting flush).
  size_t live_keys = 0;
  size_t tombstones = 0;
  size_t bytes = 0;  // accounted bytes of all pages
  size_t resident_pages = 0;
  size_t resident_bytes = 0;  // accounted bytes of resident pages
  size_t dirty_pages = 0;
  size_t corrupt_pages = 0;
  // The write path: writes in the memtable, and run pages in the store
  // (counted in `pages`) not yet applied to pages and dropped.
  size_t buffered_writes = 0;
  size_t run_pages = 0;
  // Runs merged with each other (tiered merging) since the engine opened.
  uint64_t run_merges = 0;
  size_t max_memory_pages = 0;
  double memory_pressure = 0;  // resident_pages / max_memory_pages
  uint64_t hlc = 0;
};

// Everything a flush must write, collected at one instant. Written
// atomically (one transaction) on top of what earlier flushes stored, it
// leaves a consistent snapshot: the engine state record plus, for every
// page, its bytes and its directory record.
struct FlushBatch {
  struct PageBytes {
    PageId id = kNoPage;
    std::string bytes;             // page codec format
    std::string directory_record;  // manifest codec: the page's entry
    uint64_t change_seq = 0;       // lets CommitFlush tell later changes apart
  };
  std::vector<PageBytes> pages;       // every dirty page
  std::vector<PageId> deleted_pages;  // merged away: delete bytes and record
  std::string engine_state;           // replaces the stored one
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_TYPES_H_
