// Sync digests: equal records give equal answers however pages are cut; one
// changed version changes one child per depth; entries mode lists exactly
// the shared records; partial answers across non-resident pages merge to
// the full answer.
#include "paging_storage/sync_scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "hash.h"
#include "paging_storage/hlc.h"
#include "test_util.h"

namespace paging_storage {
namespace {

using testing::Key;
using testing::MemoryPageStore;
using testing::PagedStore;

constexpr size_t kRf = 3;
constexpr uint32_t kSelf = 0;
constexpr uint64_t kWallMs = 1'700'000'000'000;

std::vector<Record> MakeRecords(int n) {
  std::vector<Record> out;
  for (int i = 0; i < n; ++i) {
    Record r;
    r.key = Key(i);
    r.version.hlc = Hlc::Pack(kWallMs + i, i % 3);
    r.version.origin = i % 2 ? "peer-b" : "peer-c";
    r.tombstone = i % 11 == 0;
    if (!r.tombstone) r.value = "value-" + std::to_string(i);
    out.push_back(r);
  }
  return out;
}

bool Shared(const Ring& ring, uint32_t self, uint32_t peer,
            const std::string& key) {
  std::vector<uint32_t> reps;
  ring.ReplicasFor(key, kRf, &reps);
  auto has = [&](uint32_t m) {
    return std::find(reps.begin(), reps.end(), m) != reps.end();
  };
  return self != peer && has(self) && has(peer);
}

bool InPrefix(const std::string& key, uint8_t bits, uint32_t prefix) {
  return bits == 0 || (Ring::KeyToken(key) >> (64 - bits)) == prefix;
}

void ExpectSameAnswer(const SyncAnswer& a, const SyncAnswer& b) {
  for (size_t c = 0; c < kSyncChildren; ++c) {
    EXPECT_EQ(a.child_count[c], b.child_count[c]) << "child " << c;
    EXPECT_EQ(a.child_digest[c], b.child_digest[c]) << "child " << c;
  }
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (size_t i = 0; i < a.entries.size(); ++i) {
    EXPECT_EQ(a.entries[i].key, b.entries[i].key);
    EXPECT_EQ(a.entries[i].version.hlc, b.entries[i].version.hlc);
    EXPECT_EQ(a.entries[i].version.origin, b.entries[i].version.origin);
    EXPECT_EQ(a.entries[i].tombstone, b.entries[i].tombstone);
  }
}

// Every query for every other peer: root digests, one depth-4 node and the
// entries of another.
std::vector<SyncQuery> AllPeerQueries(const Ring& ring) {
  std::vector<SyncQuery> qs;
  for (uint32_t p = 0; p < ring.members().size(); ++p) {
    qs.push_back({p, 0, 0, false});
    qs.push_back({p, 4, 0x9, false});
    qs.push_back({p, 4, 0x3, true});
  }
  return qs;
}

class SyncScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(ring_.SetMembers(
        {"peer-a", "peer-b", "peer-c", "peer-d", "peer-e", "peer-f"}));
    records_ = MakeRecords(3000);
  }

  // All pages resident. page_size sets where pages are cut.
  std::unique_ptr<Engine> Build(size_t page_size, bool reverse, bool batch) {
    Options o;
    o.peer_id = "peer-a";
    o.page_size = page_size;
    o.max_memory_pages = 100000;
    EXPECT_OK(o.Normalize());
    std::unique_ptr<Engine> engine;
    EXPECT_OK(Engine::Create(o, &engine));
    std::vector<Record> rs = records_;
    if (reverse) std::reverse(rs.begin(), rs.end());
    if (batch) {
      std::vector<WriteOp> ops;
      for (const Record& r : rs) ops.push_back({WriteOp::Type::kMerge, r});
      BatchResult result;
      EXPECT_OK(engine->ApplyBatch(ops, 0, kWallMs, &result));
    } else {
      for (const Record& r : rs) {
        EXPECT_OK(engine->MergeRemote(r, kWallMs, nullptr).status);
      }
    }
    return engine;
  }

  std::vector<SyncAnswer> Run(Engine& engine,
                              const std::vector<SyncQuery>& queries,
                              uint32_t self = kSelf, size_t rf = kRf) {
    std::vector<SyncAnswer> answers;
    PageId missing = kNoPage;
    std::string resume;
    EXPECT_OK(SyncScan(engine, ring_, rf, self, "", queries, &answers, &missing,
                       &resume));
    return answers;
  }

  Ring ring_;
  std::vector<Record> records_;
};

TEST_F(SyncScanTest, SameRecordsSameAnswersWhateverThePageLayout) {
  std::unique_ptr<Engine> a = Build(256, false, false);
  std::unique_ptr<Engine> b = Build(4096, true, true);
  ASSERT_NE(a->PageCount(), b->PageCount());
  std::vector<SyncQuery> qs = AllPeerQueries(ring_);
  std::vector<SyncAnswer> ra = Run(*a, qs), rb = Run(*b, qs);
  ASSERT_EQ(ra.size(), qs.size());
  for (size_t i = 0; i < qs.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSameAnswer(ra[i], rb[i]);
  }
  // The root counts are |K(self, p)|, computed the slow way.
  for (uint32_t p = 0; p < ring_.members().size(); ++p) {
    uint32_t want = 0;
    for (const Record& r : records_) want += Shared(ring_, kSelf, p, r.key);
    uint32_t got = 0;
    for (uint32_t c : ra[3 * p].child_count) got += c;
    EXPECT_EQ(got, want) << "peer " << p;
    if (p != kSelf) EXPECT_GT(want, 0u);
  }
}

TEST_F(SyncScanTest, OneChangedVersionChangesOneChildPerDepth) {
  std::unique_ptr<Engine> a = Build(256, false, false);
  std::unique_ptr<Engine> b = Build(256, false, false);
  // A key self shares with peer 1 or more.
  const Record* target = nullptr;
  uint32_t peer = 0;
  for (const Record& r : records_) {
    for (uint32_t p = 1; p < 6 && target == nullptr; ++p) {
      if (Shared(ring_, kSelf, p, r.key)) target = &r, peer = p;
    }
    if (target != nullptr) break;
  }
  ASSERT_NE(target, nullptr);
  Record newer = *target;
  newer.version.hlc += 1000;
  ASSERT_TRUE(b->MergeRemote(newer, kWallMs, nullptr).applied);

  const uint64_t token = Ring::KeyToken(target->key);
  std::vector<SyncQuery> qs;
  for (uint8_t bits = 0; bits <= 24; bits += 4) {
    uint32_t prefix = bits == 0 ? 0 : uint32_t(token >> (64 - bits));
    qs.push_back({peer, bits, prefix, false});
  }
  std::vector<SyncAnswer> ra = Run(*a, qs), rb = Run(*b, qs);
  for (size_t i = 0; i < qs.size(); ++i) {
    SCOPED_TRACE(int(qs[i].bits));
    size_t path_child = (token >> (60 - qs[i].bits)) & 0xF;
    for (size_t c = 0; c < kSyncChildren; ++c) {
      EXPECT_EQ(ra[i].child_count[c], rb[i].child_count[c]);
      EXPECT_EQ(ra[i].child_digest[c] != rb[i].child_digest[c], c == path_child)
          << "child " << c;
    }
  }
}

TEST_F(SyncScanTest, EntriesListExactlyTheSharedRecords) {
  std::unique_ptr<Engine> a = Build(512, false, true);
  for (uint32_t peer = 0; peer < 6; ++peer) {
    for (uint32_t prefix : {0x0u, 0x5u, 0xCu}) {
      std::vector<SyncAnswer> got = Run(*a, {{peer, 4, prefix, true}});
      std::vector<const Record*> want;
      for (const Record& r : records_) {
        if (Shared(ring_, kSelf, peer, r.key) && InPrefix(r.key, 4, prefix)) {
          want.push_back(&r);
        }
      }
      ASSERT_EQ(got[0].entries.size(), want.size()) << "peer " << peer;
      bool saw_tombstone = false;
      for (size_t i = 0; i < want.size(); ++i) {
        const Record& e = got[0].entries[i];
        EXPECT_EQ(e.key, want[i]->key);
        EXPECT_EQ(e.version.hlc, want[i]->version.hlc);
        EXPECT_EQ(e.version.origin, want[i]->version.origin);
        EXPECT_EQ(e.tombstone, want[i]->tombstone);
        EXPECT_TRUE(e.value.empty());
        saw_tombstone |= e.tombstone;
      }
      if (peer != kSelf) EXPECT_TRUE(saw_tombstone);
    }
  }
}

TEST_F(SyncScanTest, DigestsAreXorOfEntryDigests) {
  std::unique_ptr<Engine> a = Build(1024, false, true);
  std::vector<SyncAnswer> got = Run(*a, {{2, 0, 0, false}});
  uint64_t want[kSyncChildren] = {};
  for (const Record& r : records_) {
    if (!Shared(ring_, kSelf, 2, r.key)) continue;
    want[Ring::KeyToken(r.key) >> 60] ^= EntryDigest(
        r.key, r.version.hlc, Hash64(r.version.origin), r.tombstone);
  }
  for (size_t c = 0; c < kSyncChildren; ++c) {
    EXPECT_EQ(got[0].child_digest[c], want[c]) << c;
  }
}

TEST_F(SyncScanTest, NothingCountsWithoutBothReplicas) {
  std::unique_ptr<Engine> a = Build(1024, false, true);
  std::vector<SyncQuery> qs = AllPeerQueries(ring_);
  qs.push_back({77, 0, 0, false});  // not a member
  auto empty = [](const SyncAnswer& x) {
    uint32_t n = 0;
    for (uint32_t c : x.child_count) n += c;
    return n == 0 && x.entries.empty();
  };
  // self not a member, rf 1 (never two replicas), or the peer is self.
  for (const auto& answers :
       {Run(*a, qs, /*self=*/6), Run(*a, qs, /*self=*/1000),
        Run(*a, qs, kSelf, /*rf=*/1)}) {
    for (const SyncAnswer& x : answers) EXPECT_TRUE(empty(x));
  }
  std::vector<SyncAnswer> normal = Run(*a, qs);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(empty(normal[i]));  // peer == self
  EXPECT_TRUE(empty(normal.back()));
  EXPECT_FALSE(empty(normal[3]));
}

TEST_F(SyncScanTest, RejectsMalformedQueries) {
  std::unique_ptr<Engine> a = Build(4096, false, true);
  std::vector<SyncAnswer> answers;
  PageId missing = kNoPage;
  std::string resume;
  for (SyncQuery q : {SyncQuery{1, 3, 0, false}, SyncQuery{1, 32, 0, false},
                      SyncQuery{1, 4, 16, false}, SyncQuery{1, 0, 1, true}}) {
    EXPECT_TRUE(
        SyncScan(*a, ring_, kRf, kSelf, "", {q}, &answers, &missing, &resume)
            .IsInvalidArgument())
        << int(q.bits) << " " << q.prefix;
  }
  EXPECT_OK(SyncScan(*a, ring_, kRf, kSelf, "", {{1, 28, 0xFFFFFFF, false}},
                     &answers, &missing, &resume));
}

// Budget 2 pages: the scan stops at every non-resident page; the partial
// answers merged match one scan over a fully resident engine.
TEST_F(SyncScanTest, PartialAnswersMergeToTheResidentAnswer) {
  std::unique_ptr<Engine> resident = Build(256, false, true);
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(2), &disk, &store));
  std::vector<WriteResult> results;
  std::vector<WriteOp> ops;
  for (const Record& r : records_) ops.push_back({WriteOp::Type::kMerge, r});
  ASSERT_OK(store->ApplyBatch(ops, &results));
  store->Flush();
  store->engine().EvictAllClean();
  Engine& paged = store->engine();
  ASSERT_GT(paged.PageCount(), 50u);

  std::vector<SyncQuery> qs = AllPeerQueries(ring_);
  std::vector<SyncAnswer> merged(qs.size());
  std::string start;
  int calls = 0;
  for (;;) {
    std::vector<SyncAnswer> part;
    PageId missing = kNoPage;
    std::string resume;
    Status s =
        SyncScan(paged, ring_, kRf, kSelf, start, qs, &part, &missing, &resume);
    ++calls;
    ASSERT_EQ(part.size(), qs.size());
    for (size_t i = 0; i < qs.size(); ++i) {
      MergeSyncAnswer(std::move(part[i]), &merged[i]);
    }
    if (s.ok()) break;
    ASSERT_TRUE(s.IsNotResident()) << s.ToString();
    ASSERT_NE(missing, kNoPage);
    ASSERT_GE(resume, start);
    ASSERT_OK(paged.LoadPage(missing, disk.pages.at(missing)));
    start = resume;
    ASSERT_LT(calls, 10000);
  }
  EXPECT_GT(calls, 50);
  EXPECT_LE(paged.Stats().resident_pages, 3u);
  std::vector<SyncAnswer> want = Run(*resident, qs);
  for (size_t i = 0; i < qs.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSameAnswer(merged[i], want[i]);
  }
}

// A slice (max_records) stops with no page to load; the slices merge to the
// whole answer. The JS layer yields to the event loop between slices.
TEST_F(SyncScanTest, SlicesMergeToTheWholeAnswer) {
  std::unique_ptr<Engine> engine = Build(4096, false, true);
  std::vector<SyncQuery> qs = AllPeerQueries(ring_);
  std::vector<SyncAnswer> merged(qs.size());
  std::string start;
  int slices = 0;
  for (;;) {
    std::vector<SyncAnswer> part;
    PageId missing = kNoPage;
    std::string resume;
    Status s = SyncScan(*engine, ring_, kRf, kSelf, start, qs, &part, &missing,
                        &resume, /*max_records=*/1024);
    for (size_t i = 0; i < qs.size(); ++i) {
      MergeSyncAnswer(std::move(part[i]), &merged[i]);
    }
    ++slices;
    if (s.ok()) break;
    ASSERT_TRUE(s.IsNotResident()) << s.ToString();
    ASSERT_EQ(missing, kNoPage);
    ASSERT_GT(resume, start);
    start = resume;
    ASSERT_LT(slices, 100);
  }
  EXPECT_EQ(slices, 3);  // 3,000 records, 1,024 per slice
  std::vector<SyncAnswer> want = Run(*engine, qs);
  for (size_t i = 0; i < qs.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSameAnswer(merged[i], want[i]);
  }
}

// Regression (issue 16): a peer's `sum` of many buckets cost a check per
// bucket per record (1,000 buckets: 10 s). Queries are now found by tree
// node; many queries, repeats included, answer as each alone does.
TEST_F(SyncScanTest, ManyQueriesAnswerAsEachAlone) {
  std::unique_ptr<Engine> engine = Build(4096, false, true);
  std::vector<SyncQuery> qs;
  for (uint32_t prefix = 0; prefix < 256; ++prefix) {
    qs.push_back({1, 8, prefix, false});
  }
  qs.push_back({1, 8, 7, false});  // a repeat
  qs.push_back({1, 0, 0, false});
  qs.push_back({1, 12, 0xabc, true});
  qs.push_back({2, 8, 7, false});
  std::vector<SyncAnswer> all = Run(*engine, qs);
  for (size_t i = 0; i < qs.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectSameAnswer(all[i], Run(*engine, {qs[i]})[0]);
  }
  ExpectSameAnswer(all[7], all[256]);
}

}  // namespace
}  // namespace paging_storage
