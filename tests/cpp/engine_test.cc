// Engine behaviour: split/merge boundaries, last-writer-wins merging,
// validation, corruption handling and reopening from a manifest.
#include <gtest/gtest.h>

#include "entry.h"
#include "manifest_codec.h"
#include "paging_storage/hlc.h"
#include "test_util.h"

namespace paging_storage {
namespace {

using testing::Key;
using testing::MemoryPageStore;
using testing::PagedStore;

// page 256, split above 204, merge below 100 (reachable with small entries).
Options MergeFriendly(size_t max_memory_pages = 1000) {
  Options o = testing::SmallPages(max_memory_pages);
  o.merge_threshold = 100;
  return o;
}

std::unique_ptr<Engine> NewEngine(const Options& o) {
  std::unique_ptr<Engine> e;
  EXPECT_TRUE(Engine::Create(o, &e).ok());
  return e;
}

TEST(EngineSplitTest, SplitsOnlyAboveThreshold) {
  auto e = NewEngine(testing::SmallPages());
  // key 7 bytes + value 12 + overhead 24 = 43 per entry; 4 entries make
  // 32 + 172 = 204 bytes: exactly the threshold, no split.
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK(e->Put(Key(i), std::string(12, 'x'), 1, nullptr).status);
  }
  EXPECT_EQ(e->Stats().pages, 1u);
  EXPECT_EQ(e->Stats().bytes, 204u);
  ASSERT_OK(e->Put(Key(4), "", 1, nullptr).status);  // 235 > 204
  EXPECT_EQ(e->Stats().pages, 2u);
  EXPECT_OK(e->CheckInvariants());
  for (const PageInfo& p : e->ListPages()) EXPECT_LE(p.bytes, 204u);
}

TEST(EngineSplitTest, AscendingLoadFillsPages) {
  auto ascending = NewEngine(testing::SmallPages());
  auto descending = NewEngine(testing::SmallPages());
  std::vector<int> order(400);
  for (int i = 0; i < 400; ++i) order[i] = i;
  for (int i : order) {
    ASSERT_OK(ascending->Put(Key(i), "0123456789", 1, nullptr).status);
  }
  std::reverse(order.begin(), order.end());
  for (int i : order) {
    ASSERT_OK(descending->Put(Key(i), "0123456789", 1, nullptr).status);
  }
  // 41-byte entries, at most 4 per 204-byte page. Appending fills every
  // page; descending inserts split 5 entries 2|3 and leave 3 per page.
  EXPECT_EQ(ascending->Stats().pages, 100u);
  EXPECT_EQ(descending->Stats().pages, 133u);
  EXPECT_OK(ascending->CheckInvariants());
}

TEST(EngineSplitTest, OversizedEntryGetsAPageOfItsOwn) {
  auto e = NewEngine(MergeFriendly());
  ASSERT_OK(e->Put("a", "1", 1, nullptr).status);
  ASSERT_OK(e->Put("c", "3", 1, nullptr).status);
  ASSERT_OK(e->Put("b", std::string(1000, 'B'), 1, nullptr).status);
  std::vector<PageInfo> pages = e->ListPages();
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[1].lower_key, "b");
  EXPECT_EQ(pages[1].entry_count, 1u);
  EXPECT_GT(pages[1].bytes, 256u);
  EXPECT_OK(e->CheckInvariants());
  std::string v;
  ASSERT_OK(e->Get("b", &v, nullptr));
  EXPECT_EQ(v.size(), 1000u);
  // Shrinking it lets the pages merge back.
  ASSERT_OK(e->Put("b", "2", 1, nullptr).status);
  EXPECT_EQ(e->Stats().pages, 1u);
  EXPECT_OK(e->CheckInvariants());
}

TEST(EngineMergeTest, MergesWhenBelowThresholdAndFits) {
  auto e = NewEngine(MergeFriendly());
  std::string v60(60, 'v');
  // Not in key order: an append to the last page would cut before "c".
  ASSERT_OK(e->Put("c", v60, 1, nullptr).status);  // 32 + 85
  ASSERT_OK(e->Put("a", v60, 1, nullptr).status);  // 202
  ASSERT_OK(e->Put("b", v60, 1, nullptr).status);  // 287: splits [a] [b c]
  ASSERT_EQ(e->Stats().pages, 2u);
  // [a] drops to 57 < 100, but 57 + 202 - 32 = 227 > 204: no merge.
  ASSERT_OK(e->Put("a", "", 1, nullptr).status);
  EXPECT_EQ(e->Stats().pages, 2u);
  EXPECT_OK(e->CheckInvariants());
  // [b c] shrinks to 142: now 57 + 142 - 32 = 167 fits, and they merge.
  ASSERT_OK(e->Put("c", "", 1, nullptr).status);
  EXPECT_EQ(e->Stats().pages, 1u);
  EXPECT_OK(e->CheckInvariants());
  for (const char* k : {"a", "b", "c"}) {
    std::string v;
    EXPECT_OK(e->Get(k, &v, nullptr));
  }
}

TEST(EngineMergeTest, MergeWaitsForNonResidentNeighbour) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(MergeFriendly(1), &disk, &store));
  std::string v60(60, 'v');
  for (const char* k : {"c", "a", "b"}) ASSERT_OK(store->Put(k, v60).status);
  ASSERT_OK(store->Put("c", "").status);  // [a] 117, [b c] 142
  store->Flush();
  Engine& e = store->engine();
  e.EvictAllClean();
  ASSERT_EQ(e.Stats().pages, 2u);
  // Shrinking [a] makes it mergeable, but [b c] is on disk.
  ASSERT_OK(store->Put("a", "").status);
  EXPECT_EQ(e.Stats().pages, 2u);
  std::vector<PageInfo> pages = e.ListPages();
  EXPECT_TRUE(pages[0].merge_pending);
  EXPECT_EQ(e.PagesWantedForMerges(), std::vector<PageId>{pages[1].id});
  EXPECT_OK(e.CheckInvariants());
  ASSERT_OK(store->CompleteMerges());
  EXPECT_EQ(e.Stats().pages, 1u);
  EXPECT_OK(e.CheckInvariants());
  // The merged-away page is deleted from disk by the next flush.
  store->Flush();
  EXPECT_EQ(disk.pages.size(), 1u);
}

TEST(EngineLwwTest, GreaterVersionWins) {
  auto e = NewEngine(testing::SmallPages());
  Record r{"k", "old", {100, "peer-a"}, false};
  EXPECT_TRUE(e->MergeRemote(r, 1, nullptr).applied);
  r.value = "new";
  r.version.hlc = 200;
  EXPECT_TRUE(e->MergeRemote(r, 1, nullptr).applied);
  r.value = "stale";
  r.version.hlc = 150;
  WriteResult w = e->MergeRemote(r, 1, nullptr);
  EXPECT_OK(w.status);
  EXPECT_FALSE(w.applied);
  EXPECT_EQ(w.version.hlc, 200u);
  std::string v;
  ASSERT_OK(e->Get("k", &v, nullptr));
  EXPECT_EQ(v, "new");
}

TEST(EngineLwwTest,
     AMergeOfTheStoredVersionWithAnotherValueKeepsOursAndSaysSo) {
  // An equivocated version (issue 16): a replica's ack must not say it
  // holds a record whose version it holds with another value.
  auto e = NewEngine(testing::SmallPages());
  Record r{"k", "mine", {100, "peer-a"}, false};
  EXPECT_TRUE(e->MergeRemote(r, 1, nullptr).applied);
  WriteResult same = e->MergeRemote(r, 1, nullptr);
  EXPECT_FALSE(same.applied);
  EXPECT_FALSE(same.other_value);  // a duplicate: held
  r.value = "forged";
  WriteResult other = e->MergeRemote(r, 1, nullptr);
  EXPECT_OK(other.status);
  EXPECT_FALSE(other.applied);
  EXPECT_TRUE(other.other_value);
  EXPECT_EQ(other.version.hlc, 100u);
  r.tombstone = true;
  r.value.clear();
  EXPECT_TRUE(e->MergeRemote(r, 1, nullptr).other_value);  // a tombstone of it
  r.version.hlc = 50;
  r.value = "older";
  r.tombstone = false;
  EXPECT_FALSE(
      e->MergeRemote(r, 1, nullptr).other_value);  // only the same version
  std::string v;
  ASSERT_OK(e->Get("k", &v, nullptr));
  EXPECT_EQ(v, "mine");
}

TEST(EngineLwwTest, EqualClocksBreakTiesByOrigin) {
  auto a = NewEngine(testing::SmallPages());
  auto b = NewEngine(testing::SmallPages());
  Record x{"k", "from-x", {500, "x"}, false};
  Record y{"k", "from-y", {500, "y"}, false};
  a->MergeRemote(x, 1, nullptr);
  a->MergeRemote(y, 1, nullptr);
  b->MergeRemote(y, 1, nullptr);
  b->MergeRemote(x, 1, nullptr);
  std::string va, vb;
  ASSERT_OK(a->Get("k", &va, nullptr));
  ASSERT_OK(b->Get("k", &vb, nullptr));
  EXPECT_EQ(va, "from-y");
  EXPECT_EQ(va, vb);  // same writes, same value, whatever the order
}

TEST(EngineLwwTest, TombstoneWinsOverOlderAndOlderNeverResurrects) {
  auto e = NewEngine(testing::SmallPages());
  e->MergeRemote(Record{"k", "v1", {100, "a"}, false}, 1, nullptr);
  WriteResult del =
      e->MergeRemote(Record{"k", "", {200, "b"}, true}, 1, nullptr);
  EXPECT_TRUE(del.applied);
  EXPECT_TRUE(del.existed);
  std::string v;
  EXPECT_TRUE(e->Get("k", &v, nullptr).IsNotFound());
  // A delayed older write arrives after the delete.
  WriteResult late =
      e->MergeRemote(Record{"k", "v0", {150, "c"}, false}, 1, nullptr);
  EXPECT_FALSE(late.applied);
  EXPECT_TRUE(e->Get("k", &v, nullptr).IsNotFound());
  Record rec;
  ASSERT_OK(e->Lookup("k", &rec, nullptr));
  EXPECT_TRUE(rec.tombstone);
  // A newer write does bring it back.
  EXPECT_TRUE(
      e->MergeRemote(Record{"k", "v3", {300, "a"}, false}, 1, nullptr).applied);
  ASSERT_OK(e->Get("k", &v, nullptr));
  EXPECT_EQ(v, "v3");
}

TEST(EngineLwwTest, LocalWriteAfterRemoteFromTheFutureStillWins) {
  auto e = NewEngine(testing::SmallPages());
  uint64_t future = Hlc::Pack(9'000'000'000'000, 3);  // a skewed peer
  e->MergeRemote(Record{"k", "remote", {future, "skewed"}, false}, 1000,
                 nullptr);
  WriteResult w = e->Put("k", "local", 1000, nullptr);
  EXPECT_TRUE(w.applied);
  EXPECT_GT(w.version.hlc, future);
  std::string v;
  ASSERT_OK(e->Get("k", &v, nullptr));
  EXPECT_EQ(v, "local");
}

TEST(EngineWriteTest, PagesKnowWhenTheyLastChanged) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(1), &disk, &store));
  for (int i = 0; i < 40; ++i) ASSERT_OK(store->Put(Key(i), "v").status);
  store->clock_ms += 60'000;
  WriteResult w = store->Put(Key(0), "later");
  store->Flush();
  store.reset();
  ASSERT_OK(PagedStore::Open(testing::SmallPages(1), &disk, &store));
  std::vector<PageInfo> pages = store->engine().ListPages();
  ASSERT_GT(pages.size(), 2u);
  EXPECT_EQ(pages[0].max_hlc, w.version.hlc);  // survives the reload
  EXPECT_LT(Hlc::WallMs(pages[1].max_hlc), Hlc::WallMs(w.version.hlc));
}

TEST(EngineWriteTest, DeleteReportsWhetherALiveKeyWasRemoved) {
  auto e = NewEngine(testing::SmallPages());
  WriteResult d = e->Delete("nope", 1, nullptr);
  EXPECT_OK(d.status);
  EXPECT_FALSE(d.existed);
  EXPECT_FALSE(d.applied);
  ASSERT_OK(e->Put("k", "v", 1, nullptr).status);
  d = e->Delete("k", 1, nullptr);
  EXPECT_TRUE(d.existed);
  EXPECT_TRUE(d.applied);
  d = e->Delete("k", 1, nullptr);
  EXPECT_FALSE(d.existed);
  EXPECT_EQ(e->Stats().live_keys, 0u);
  EXPECT_EQ(e->Stats().tombstones, 1u);
}

TEST(EngineWriteTest, TombstoneOpWritesATombstoneWhetherOrNotTheKeyIsHere) {
  // A delete with peers: the key may live only at its replicas, so the
  // tombstone is written here in any case, newer than what this peer saw.
  auto e = NewEngine(testing::SmallPages());
  std::vector<WriteOp> ops(1);
  ops[0].type = WriteOp::Type::kTombstone;
  ops[0].record.key = "absent";
  BatchResult r;
  ASSERT_OK(e->ApplyBatch(ops, 0, 1, &r));
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_FALSE(r.results[0].existed);
  EXPECT_TRUE(r.results[0].applied);
  EXPECT_EQ(e->Stats().tombstones, 1u);
  ASSERT_OK(e->Put("k", "v", 1, nullptr).status);
  ops[0].record.key = "k";
  ASSERT_OK(e->ApplyBatch(ops, 0, 2, &r));
  EXPECT_TRUE(r.results[0].existed);
  EXPECT_TRUE(r.results[0].applied);
  // Again on the tombstone: a newer one replaces it.
  const uint64_t before = r.results[0].version.hlc;
  ASSERT_OK(e->ApplyBatch(ops, 0, 3, &r));
  EXPECT_FALSE(r.results[0].existed);
  EXPECT_TRUE(r.results[0].applied);
  EXPECT_GT(r.results[0].version.hlc, before);
  EXPECT_EQ(e->Stats().live_keys, 0u);
  EXPECT_EQ(e->Stats().tombstones, 2u);
}

TEST(EngineWriteTest, RejectsBadInputAndStoresNothing) {
  Options o = testing::SmallPages();
  o.max_value_bytes = 100;
  auto e = NewEngine(o);
  EXPECT_TRUE(e->Put("", "v", 1, nullptr).status.IsInvalidArgument());
  EXPECT_TRUE(e->Put(std::string(1025, 'k'), "v", 1, nullptr)
                  .status.IsInvalidArgument());
  EXPECT_TRUE(e->Put("bad\xff", "v", 1, nullptr).status.IsInvalidArgument());
  EXPECT_TRUE(e->Put("\xed\xa0\x80", "v", 1, nullptr)  // a UTF-16 surrogate
                  .status.IsInvalidArgument());
  EXPECT_TRUE(e->Put("k", std::string(101, 'v'), 1, nullptr)
                  .status.IsInvalidArgument());
  EXPECT_TRUE(e->MergeRemote(Record{"k", "v", {0, "a"}, false}, 1, nullptr)
                  .status.IsInvalidArgument());
  EXPECT_TRUE(e->MergeRemote(Record{"k", "v", {5, ""}, false}, 1, nullptr)
                  .status.IsInvalidArgument());
  EXPECT_TRUE(e->MergeRemote(Record{"k", "v", {5, "a"}, true}, 1, nullptr)
                  .status.IsInvalidArgument());
  EXPECT_EQ(e->Stats().live_keys + e->Stats().tombstones, 0u);
  ASSERT_OK(e->Put("k\xc3\xa9", std::string(100, 'v'), 1, nullptr).status);
}

TEST(EngineWriteTest, OptionsAreValidated) {
  std::unique_ptr<Engine> e;
  Options o;
  o.page_size = 100;
  EXPECT_TRUE(Engine::Create(o, &e).IsInvalidArgument());
  o = Options();
  o.merge_threshold = 4000;
  EXPECT_TRUE(Engine::Create(o, &e).IsInvalidArgument());
  o = Options();
  o.max_memory_pages = 0;
  EXPECT_TRUE(Engine::Create(o, &e).IsInvalidArgument());
  o = Options();
  o.peer_id = "";
  EXPECT_TRUE(Engine::Create(o, &e).IsInvalidArgument());
  o = Options();
  ASSERT_OK(Engine::Create(o, &e));
  EXPECT_EQ(e->options().split_threshold, 3276u);  // the seed's numbers
  EXPECT_EQ(e->options().merge_threshold, 819u);
}

// A store of 100 keys (value "v") on small pages, all flushed to `disk`,
// with no page resident.
void OpenFlushedAndEvicted(MemoryPageStore* disk,
                           std::unique_ptr<PagedStore>* store) {
  ASSERT_OK(PagedStore::Open(testing::SmallPages(2), disk, store));
  for (int i = 0; i < 100; ++i) ASSERT_OK((*store)->Put(Key(i), "v").status);
  (*store)->Flush();
  (*store)->engine().EvictAllClean();
}

TEST(EngineBatchTest, StopsAtFirstMissingPageAndResumes) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  OpenFlushedAndEvicted(&disk, &store);
  Engine& e = store->engine();
  std::vector<WriteOp> ops;
  for (int i = 0; i < 100; i += 10) {
    WriteOp op;
    op.record.key = Key(i);
    op.record.value = "batched";
    ops.push_back(op);
  }
  BatchResult first;
  Status s = e.ApplyBatch(ops, 0, 1, &first);
  EXPECT_TRUE(s.IsNotResident());
  EXPECT_EQ(first.next, 0u);
  EXPECT_EQ(first.missing_page, e.PageFor(Key(0)));
  std::vector<WriteResult> results;
  ASSERT_OK(store->ApplyBatch(ops, &results));
  ASSERT_EQ(results.size(), ops.size());
  for (const WriteResult& r : results) EXPECT_TRUE(r.existed && r.applied);
  std::string v;
  ASSERT_OK(store->Get(Key(50), &v));
  EXPECT_EQ(v, "batched");
  EXPECT_OK(e.CheckInvariants());
}

TEST(EngineBatchTest, MovedOpsApplyLikeCopiedOnes) {
  // ApplyBatch(std::vector<WriteOp>&&) moves the values into the store
  // (the wasm handle's path); the result and the store are those of the
  // copying overload, splits and merges included.
  std::unique_ptr<Engine> copied = NewEngine(MergeFriendly());
  std::unique_ptr<Engine> moved = NewEngine(MergeFriendly());
  std::vector<WriteOp> ops;
  for (int i = 0; i < 300; ++i) {
    WriteOp op;
    op.type = i % 7 == 6 ? WriteOp::Type::kDelete : WriteOp::Type::kPut;
    op.record.key = Key((i * 37) % 101);
    if (op.type == WriteOp::Type::kPut) {
      op.record.value =
          std::string(20 + i % 40, static_cast<char>('a' + i % 26));
    }
    ops.push_back(op);
  }
  BatchResult a, b;
  ASSERT_OK(copied->ApplyBatch(ops, 0, 1, &a));
  ASSERT_OK(moved->ApplyBatch(std::vector<WriteOp>(ops), 0, 1, &b));
  ASSERT_EQ(a.results.size(), b.results.size());
  for (size_t i = 0; i < a.results.size(); ++i) {
    EXPECT_EQ(a.results[i].existed, b.results[i].existed) << i;
    EXPECT_EQ(a.results[i].applied, b.results[i].applied) << i;
  }
  for (int k = 0; k < 101; ++k) {
    std::string va, vb;
    PageId missing = kNoPage;
    Status sa = copied->Get(Key(k), &va, &missing);
    Status sb = moved->Get(Key(k), &vb, &missing);
    EXPECT_EQ(sa.code(), sb.code()) << k;
    EXPECT_EQ(va, vb) << k;
  }
  EXPECT_GT(moved->PageCount(), 1u);
  EXPECT_OK(moved->CheckInvariants());
}

TEST(EngineBatchTest, AReusedBatchResultHoldsOnlyTheLastBatch) {
  // ApplyBatch writes over the results already in `out` (their strings
  // keep their storage): nothing of an earlier, longer batch may remain.
  std::unique_ptr<Engine> e = NewEngine(MergeFriendly());
  std::vector<WriteOp> first(10);
  for (int i = 0; i < 10; ++i) {
    first[i].record.key = Key(i);
    first[i].record.value = "v";
  }
  BatchResult out;
  ASSERT_OK(e->ApplyBatch(first, 0, 1, &out));
  ASSERT_EQ(out.results.size(), 10u);
  std::vector<WriteOp> second(3);
  second[0].type = WriteOp::Type::kDelete;
  second[0].record.key = Key(0);
  second[1].type = WriteOp::Type::kDelete;
  second[1].record.key = Key(100);  // absent: not applied, no version
  second[2].record.key = "";        // invalid: an error, no version
  ASSERT_OK(e->ApplyBatch(second, 0, 2, &out));
  ASSERT_EQ(out.results.size(), 3u);
  EXPECT_EQ(out.next, 3u);
  EXPECT_TRUE(out.results[0].status.ok());
  EXPECT_TRUE(out.results[0].existed && out.results[0].applied);
  EXPECT_NE(out.results[0].version.hlc, 0u);
  EXPECT_EQ(out.results[0].version.origin, MergeFriendly().peer_id);
  EXPECT_TRUE(out.results[1].status.ok());
  EXPECT_FALSE(out.results[1].existed || out.results[1].applied);
  EXPECT_EQ(out.results[1].version.hlc, 0u);
  EXPECT_EQ(out.results[1].version.origin, "");
  EXPECT_TRUE(out.results[2].status.IsInvalidArgument());
  EXPECT_FALSE(out.results[2].existed || out.results[2].applied);
  EXPECT_EQ(out.results[2].version.origin, "");
}

TEST(EngineBatchTest, SkippingMissingPagesAppliesTheRestAndNamesEachPage) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  OpenFlushedAndEvicted(&disk, &store);
  Engine& e = store->engine();
  // Key 50's page resident; keys 0 and 90 on pages that are not. Key 0 is
  // written twice: both writes wait, in order.
  std::string v;
  ASSERT_OK(store->Get(Key(50), &v));
  std::vector<WriteOp> ops(4);
  const char* values[] = {"first", "mid", "last", "second"};
  int keys[] = {0, 50, 90, 0};
  for (int i = 0; i < 4; ++i) {
    ops[i].record.key = Key(keys[i]);
    ops[i].record.value = values[i];
  }
  BatchResult batch;
  ASSERT_OK(e.ApplyBatch(ops, 0, 1, &batch, /*skip_missing=*/true));
  ASSERT_EQ(batch.results.size(), 4u);
  EXPECT_EQ(batch.next, 4u);
  EXPECT_TRUE(batch.results[0].status.IsNotResident());
  EXPECT_EQ(batch.results[0].missing_page, e.PageFor(Key(0)));
  EXPECT_TRUE(batch.results[1].status.ok() && batch.results[1].applied);
  EXPECT_TRUE(batch.results[2].status.IsNotResident());
  EXPECT_EQ(batch.results[2].missing_page, e.PageFor(Key(90)));
  EXPECT_TRUE(batch.results[3].status.IsNotResident());
  EXPECT_EQ(batch.results[3].missing_page, batch.results[0].missing_page);
  // The skipped ops, in order, once their pages are in.
  std::vector<WriteOp> rest{ops[0], ops[2], ops[3]};
  std::vector<WriteResult> results;
  ASSERT_OK(store->ApplyBatch(rest, &results));
  ASSERT_OK(store->Get(Key(0), &v));
  EXPECT_EQ(v, "second");
  ASSERT_OK(store->Get(Key(90), &v));
  EXPECT_EQ(v, "last");
  EXPECT_OK(e.CheckInvariants());
}

TEST(EngineInspectTest, ListPagesInPartsIsTheWholeListing) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  OpenFlushedAndEvicted(&disk, &store);
  Engine& e = store->engine();
  std::vector<PageInfo> whole = e.ListPages();
  ASSERT_GT(whole.size(), 10u);
  std::vector<PageInfo> parts;
  std::string from;
  for (;;) {
    std::vector<PageInfo> part = e.ListPages(from, 3);
    ASSERT_LE(part.size(), 3u);
    parts.insert(parts.end(), part.begin(), part.end());
    if (part.size() < 3) break;
    from = part.back().lower_key + std::string(1, '\0');
  }
  ASSERT_EQ(parts.size(), whole.size());
  for (size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(parts[i].id, whole[i].id);
    EXPECT_EQ(parts[i].lower_key, whole[i].lower_key);
  }
  // From a key inside a page: the pages whose lower bound is at or after it.
  std::vector<PageInfo> tail = e.ListPages(whole[4].lower_key + "x", 100);
  ASSERT_FALSE(tail.empty());
  EXPECT_EQ(tail.front().id, whole[5].id);
}

TEST(EnginePagingTest, PagesAheadListsNonResidentPagesInKeyOrder) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  OpenFlushedAndEvicted(&disk, &store);
  Engine& e = store->engine();
  std::vector<PageInfo> pages = e.ListPages();  // key order
  ASSERT_GE(pages.size(), 6u);
  // One page in the middle of the run is resident again; it is skipped.
  std::string v;
  ASSERT_OK(store->Get(pages[2].lower_key, &v));
  EXPECT_EQ(e.PagesAhead(pages[0].id, 3, false),
            (std::vector<PageId>{pages[0].id, pages[1].id, pages[3].id}));
  EXPECT_EQ(e.PagesAhead(pages[3].id, 3, true),
            (std::vector<PageId>{pages[3].id, pages[1].id, pages[0].id}));
  const PageId last = pages.back().id;
  EXPECT_EQ(e.PagesAhead(last, 5, false), std::vector<PageId>{last});
  EXPECT_TRUE(e.PagesAhead(last, 0, false).empty());
  EXPECT_TRUE(e.PagesAhead(kNoPage, 5, false).empty());
}

TEST(EnginePersistenceTest, ReopensFromManifestWithEveryKey) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(4), &disk, &store));
  for (int i = 0; i < 500; ++i) {
    ASSERT_OK(store->Put(Key(i), "value" + std::to_string(i)).status);
  }
  for (int i = 0; i < 500; i += 3) ASSERT_OK(store->Delete(Key(i)).status);
  store->Flush();
  uint64_t hlc = store->engine().Stats().hlc;
  size_t pages = store->engine().Stats().pages;
  store.reset();

  ASSERT_OK(PagedStore::Open(testing::SmallPages(4), &disk, &store));
  Engine& e = store->engine();
  EXPECT_EQ(e.Stats().resident_pages, 0u);
  EXPECT_EQ(e.Stats().pages, pages);
  EXPECT_EQ(e.Stats().live_keys, 333u);
  EXPECT_GE(e.Stats().hlc, hlc);
  for (int i = 0; i < 500; ++i) {
    std::string v;
    Status s = store->Get(Key(i), &v);
    if (i % 3 == 0) {
      EXPECT_TRUE(s.IsNotFound()) << i;
    } else {
      ASSERT_OK(s);
      EXPECT_EQ(v, "value" + std::to_string(i));
    }
  }
  EXPECT_LE(e.Stats().resident_pages, 4u);
  // The clock never goes back across a reload.
  EXPECT_GT(store->Put("new", "x").version.hlc, hlc);
  EXPECT_OK(e.CheckInvariants());
}

TEST(EnginePersistenceTest, StaleOrDamagedPageIsCorruptOthersKeepWorking) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(2), &disk, &store));
  for (int i = 0; i < 100; ++i) ASSERT_OK(store->Put(Key(i), "v1").status);
  store->Flush();
  PageId victim = store->engine().PageFor(Key(50));
  std::string old_bytes = disk.pages[victim];
  ASSERT_OK(store->Put(Key(50), "v2").status);
  store->Flush();
  disk.pages[victim] = old_bytes;  // the disk lost the second write
  store->engine().EvictAllClean();

  std::string v;
  Status s = store->Get(Key(50), &v);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(store->Get(Key(50), &v).IsCorruption());  // stays reported
  EXPECT_EQ(store->engine().Stats().corrupt_pages, 1u);
  EXPECT_TRUE(store->Put(Key(50), "v3").status.IsCorruption());
  ASSERT_OK(store->Get(Key(0), &v));
  ASSERT_OK(store->Get(Key(99), &v));
  EXPECT_OK(store->engine().CheckInvariants());

  // Bytes of the wrong page, or garbage, are caught too.
  PageId other = store->engine().PageFor(Key(0));
  store->engine().EvictAllClean();
  EXPECT_TRUE(
      store->engine().LoadPage(other, disk.pages[victim]).IsCorruption());
  EXPECT_TRUE(store->engine().LoadPage(other, "garbage").IsCorruption());
  // Good bytes clear the mark.
  ASSERT_OK(store->engine().LoadPage(other, disk.pages[other]));
  ASSERT_OK(store->Get(Key(0), &v));
}

TEST(EnginePersistenceTest,
     RetryCorruptPagesReadsThemAgainAndHealedBytesClearTheMark) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(2), &disk, &store));
  for (int i = 0; i < 100; ++i) ASSERT_OK(store->Put(Key(i), "v1").status);
  store->Flush();
  store->engine().EvictAllClean();
  Engine& e = store->engine();
  PageId victim = e.PageFor(Key(50));
  std::string good = disk.pages[victim];
  disk.pages[victim] = "garbage";  // the backend fails for a while

  std::string v;
  EXPECT_TRUE(store->Get(Key(50), &v).IsCorruption());
  EXPECT_EQ(e.RetryCorruptPages(), 1u);
  // Asked again, the page fails again: corrupt until the next retry.
  EXPECT_TRUE(store->Get(Key(50), &v).IsCorruption());
  EXPECT_TRUE(store->Get(Key(50), &v).IsCorruption());

  disk.pages[victim] = good;  // healed
  EXPECT_TRUE(store->Get(Key(50), &v).IsCorruption()) << "no retry asked";
  EXPECT_EQ(e.RetryCorruptPages(), 1u);
  PageId missing = kNoPage;
  EXPECT_TRUE(e.Get(Key(50), &v, &missing).IsNotResident());
  EXPECT_EQ(missing, victim);
  std::vector<PageId> ahead = e.PagesAhead(victim, 4, false);
  ASSERT_FALSE(ahead.empty());
  EXPECT_EQ(ahead[0], victim);
  ASSERT_OK(e.LoadPage(victim, good));
  ASSERT_OK(e.Get(Key(50), &v, &missing));
  EXPECT_EQ(v, "v1");
  EXPECT_EQ(e.Stats().corrupt_pages, 0u);
  EXPECT_EQ(e.RetryCorruptPages(), 0u);
  EXPECT_OK(e.CheckInvariants());
}

TEST(EnginePersistenceTest, DamagedManifestIsRejected) {
  MemoryPageStore disk;
  std::unique_ptr<PagedStore> store;
  ASSERT_OK(PagedStore::Open(testing::SmallPages(), &disk, &store));
  for (int i = 0; i < 50; ++i) ASSERT_OK(store->Put(Key(i), "v").status);
  store->Flush();
  std::unique_ptr<Engine> e;
  ASSERT_OK(Engine::Open(testing::SmallPages(), disk.engine_state,
                         disk.DirectoryRecords(), &e));
  std::string state = disk.engine_state;
  state[state.size() / 2] ^= 0x10;
  EXPECT_TRUE(
      Engine::Open(testing::SmallPages(), state, disk.DirectoryRecords(), &e)
          .IsCorruption());
  std::vector<std::string_view> records = disk.DirectoryRecords();
  std::string damaged(records[0]);
  damaged[damaged.size() / 2] ^= 0x10;
  records[0] = damaged;
  EXPECT_TRUE(
      Engine::Open(testing::SmallPages(), disk.engine_state, records, &e)
          .IsCorruption());
  // A lost record would hand its range to the left neighbour and turn reads
  // into wrong "not found"s; the state record's directory digest catches it.
  records = disk.DirectoryRecords();
  ASSERT_GT(records.size(), 2u);
  records.erase(records.begin() + 1);
  EXPECT_TRUE(
      Engine::Open(testing::SmallPages(), disk.engine_state, records, &e)
          .IsCorruption());
  // So does a stale extra record (a deletion that did not happen).
  records = disk.DirectoryRecords();
  ManifestPage extra{"zzz", 1, {1, 1, 100, 5}};
  std::string extra_bytes;
  EncodeDirectoryRecord(extra, &extra_bytes);
  records.push_back(extra_bytes);
  EXPECT_TRUE(
      Engine::Open(testing::SmallPages(), disk.engine_state, records, &e)
          .IsCorruption());
}

}  // namespace
}  // namespace paging_storage
