// SyncScan: anti-entropy digests of the records two peers should share.
//
// Peers p and q both hold K(p, q), the keys k with both p and q among
// ring.ReplicasFor(k, rf). To find where their copies differ without sending
// them, each side digests its own copy of K(p, q) in a 16-ary tree over the
// key token (Ring::KeyToken): the root covers every token; a node at depth
// `bits` covers the tokens whose high `bits` bits equal `prefix`, and its
// child i those whose next 4 bits equal i. A node's digest is the XOR of the
// EntryDigest of its records (key, version, tombstone; not the value), so it
// does not depend on how either side cuts its pages. Peers compare child
// digests and descend only where they differ, then list entries.
//
// Built only on Engine's public API. Like the engine: no I/O, never throws,
// not thread-safe (the engine's thread rule).
#ifndef PAGING_STORAGE_SYNC_SCAN_H_
#define PAGING_STORAGE_SYNC_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "paging_storage/engine.h"
#include "paging_storage/ring.h"

namespace paging_storage {

// Tree shape; part of the sync protocol.
constexpr uint8_t kSyncBitsPerLevel = 4;
constexpr size_t kSyncChildren = 16;  // 2^kSyncBitsPerLevel
constexpr uint8_t kSyncMaxBits = 28;  // prefix fits 32 bits with children

// One node of the tree, for one peer.
struct SyncQuery {
  uint32_t peer = 0;     // member index of the other peer
  uint8_t bits = 0;      // depth: a multiple of 4, at most kSyncMaxBits
  uint32_t prefix = 0;   // token >> (64 - bits); 0 when bits == 0
  bool entries = false;  // false: 16 child digests; true: list the entries
};

struct SyncAnswer {
  // When !entries: child i holds the tokens whose next 4 bits (after the
  // query's prefix) equal i. digest = XOR of EntryDigest(key, hlc,
  // Hash64(origin), tombstone); count = how many records.
  uint32_t child_count[kSyncChildren] = {};
  uint64_t child_digest[kSyncChildren] = {};
  // When entries: the matching records in key order: key, version,
  // tombstone; value left EMPTY.
  std::vector<Record> entries;
};

// Walks the engine's records (tombstones included) in key order from
// `start`. A record with key k and token t counts for query q iff
// self != q.peer, both self and q.peer are in ring.ReplicasFor(k, rf), and
// (q.bits == 0 || t >> (64 - q.bits) == q.prefix). `self` may be a
// non-member (index >= members().size()): then nothing counts.
//
// *answers is replaced: one answer per query, same order.
// Returns OK when the walk reached the end: *missing_page = kNoPage.
// Returns NotResident at the first page that is not resident, with
// *missing_page set and *resume_start = the key to restart from; the answers
// then hold the PARTIAL sums of the records visited so far. The caller loads
// the page, calls again from *resume_start and merges the partial answers
// (XOR digests, add counts, concatenate entries).
// With max_records != 0, returns NotResident with *missing_page = kNoPage
// once it has visited at least that many records (a slice, so that one
// call holds the caller's thread for a bounded time): call again from
// *resume_start, as above, with nothing to load.
// Returns InvalidArgument for a malformed query (bits not a multiple of 4 or
// above kSyncMaxBits, prefix wider than bits), Corruption for a page that
// failed to load; the answers are then meaningless.
// REQUIRES: answers, missing_page and resume_start are non-null.
Status SyncScan(Engine& engine, const Ring& ring, size_t rf, uint32_t self,
                std::string_view start, const std::vector<SyncQuery>& queries,
                std::vector<SyncAnswer>* answers, PageId* missing_page,
                std::string* resume_start, size_t max_records = 0);

// Merges a partial answer into `into`: XOR digests, add counts, append
// entries. Both answers must be for the same query.
void MergeSyncAnswer(SyncAnswer&& part, SyncAnswer* into);

}  // namespace paging_storage

#endif  // PAGING_STORAGE_SYNC_SCAN_H_
