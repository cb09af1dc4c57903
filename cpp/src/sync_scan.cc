#include "paging_storage/sync_scan.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "hash.h"

namespace paging_storage {
namespace {

// Records per Engine::Scan call: bounds the memory one call holds.
constexpr size_t kChunk = 1024;

Status ValidateQuery(const SyncQuery& q) {
  if (q.bits % kSyncBitsPerLevel != 0 || q.bits > kSyncMaxBits) {
    return Status::InvalidArgument("sync: bits must be 0, 4, ..., 28");
  }
  if (q.bits < 32 && (uint64_t{q.prefix} >> q.bits) != 0) {
    return Status::InvalidArgument("sync: prefix wider than bits");
  }
  return Status::OK();
}

// The queries of one member, by tree node: a record finds the queries it
// counts for in O(levels) lookups, however many queries there are (before,
// one peer's `sum` of 1,000 buckets cost 1,000 checks per record: 10 s).
struct PeerQueries {
  std::vector<uint8_t> levels;  // the distinct `bits` of its queries
  // (bits << 32 | prefix) -> query indices (repeats answered alike)
  std::unordered_map<uint64_t, std::vector<size_t>> by_node;
};

uint64_t NodeKey(uint8_t bits, uint64_t prefix) {
  return (uint64_t{bits} << 32) | prefix;
}

std::vector<PeerQueries> IndexByPeer(const std::vector<SyncQuery>& queries,
                                     size_t members, uint32_t self) {
  std::vector<PeerQueries> by_peer(members);
  for (size_t i = 0; i < queries.size(); ++i) {
    const SyncQuery& q = queries[i];
    if (q.peer >= members || q.peer == self) continue;
    PeerQueries& pq = by_peer[q.peer];
    if (std::find(pq.levels.begin(), pq.levels.end(), q.bits) ==
        pq.levels.end()) {
      pq.levels.push_back(q.bits);
    }
    pq.by_node[NodeKey(q.bits, q.prefix)].push_back(i);
  }
  return by_peer;
}

}  // namespace

void MergeSyncAnswer(SyncAnswer&& part, SyncAnswer* into) {
  for (size_t i = 0; i < kSyncChildren; ++i) {
    into->child_count[i] += part.child_count[i];
    into->child_digest[i] ^= part.child_digest[i];
  }
  for (Record& r : part.entries) into->entries.push_back(std::move(r));
}

Status SyncScan(Engine& engine, const Ring& ring, size_t rf, uint32_t self,
                std::string_view start, const std::vector<SyncQuery>& queries,
                std::vector<SyncAnswer>* answers, PageId* missing_page,
                std::string* resume_start, size_t max_records) {
  answers->assign(queries.size(), SyncAnswer());
  *missing_page = kNoPage;
  resume_start->clear();
  for (const SyncQuery& q : queries) {
    Status s = ValidateQuery(q);
    if (!s.ok()) return s;
  }
  const size_t members = ring.members().size();
  if (self >= members || rf < 2 || queries.empty()) return Status::OK();
  const std::vector<PeerQueries> by_peer = IndexByPeer(queries, members, self);

  std::vector<uint32_t> replicas;
  auto visit = [&](Record&& r) {
    const uint64_t token = Ring::KeyToken(r.key);
    ring.ReplicasForToken(token, rf, &replicas);
    bool self_replica = false;
    for (uint32_t m : replicas) self_replica |= m == self;
    if (!self_replica) return;
    bool have_digest = false;
    uint64_t digest = 0;
    for (uint32_t peer : replicas) {
      if (peer == self) continue;
      const PeerQueries& pq = by_peer[peer];
      for (uint8_t bits : pq.levels) {
        auto node = pq.by_node.find(
            NodeKey(bits, bits == 0 ? 0 : token >> (64 - bits)));
        if (node == pq.by_node.end()) continue;
        for (size_t qi : node->second) {
          const SyncQuery& q = queries[qi];
          SyncAnswer& a = (*answers)[qi];
          if (q.entries) {
            Record& e = a.entries.emplace_back();
            e.key = r.key;
            e.version = r.version;
            e.tombstone = r.tombstone;
            continue;
          }
          if (!have_digest) {
            digest = EntryDigest(r.key, r.version.hlc, Hash64(r.version.origin),
                                 r.tombstone);
            have_digest = true;
          }
          size_t child = (token >> (64 - q.bits - kSyncBitsPerLevel)) &
                         (kSyncChildren - 1);
          ++a.child_count[child];
          a.child_digest[child] ^= digest;
        }
      }
    }
  };

  ScanOptions options;
  options.start.assign(start);
  options.include_tombstones = true;
  options.limit = kChunk;
  size_t visited = 0;
  for (;;) {
    ScanResult result;
    Status s = engine.Scan(options, &result);
    visited += result.records.size();
    for (Record& r : result.records) visit(std::move(r));
    if (s.IsNotResident()) {
      *missing_page = result.missing_page;
      *resume_start = std::move(result.resume.start);
      return s;
    }
    if (!s.ok()) return s;
    if (result.records.size() < kChunk) return Status::OK();
    // The next key after the last one visited.
    options.start = std::move(result.records.back().key);
    options.start.push_back('\0');
    if (max_records != 0 && visited >= max_records) {
      *resume_start = options.start;  // a slice: the caller calls again
      return Status::NotResident("sync scan slice");
    }
  }
}

}  // namespace paging_storage
