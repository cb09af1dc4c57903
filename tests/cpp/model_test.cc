// Randomized model test: the engine, paged through a small budget, against a
// std::map model. 200,000 operations over fixed seeds and configurations:
// put, delete, get, lookup, scan, batch, merge-remote, flush, flush racing
// writes, evict, reload from flushed bytes, and crash-reload (reopen from disk
// without a final flush: exactly the state of the last completed flush must
// come back). Every step checks the operation's answer against the model, then
// CheckInvariants() and the page budget; every 2,000 steps (and at the end)
// the whole store is compared with the model, versions and tombstones
// included.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>

#include "test_util.h"

namespace paging_storage {
namespace {

using testing::MemoryPageStore;
using testing::PagedStore;

struct ModelEntry {
  std::string value;
  Version version;
  bool tombstone = false;
};
using Model = std::map<std::string, ModelEntry>;

struct ModelConfig {
  uint64_t seed;
  size_t page_size;
  size_t merge_threshold;  // 0: default 20%
  size_t max_memory_pages;
  int key_space;
  int ops;
  size_t write_buffer_pages = 0;  // the write path (WRITE_PATH.md); 0: off
  // Options::write_buffer_adaptive; off, every write it can is buffered.
  bool adaptive = false;
};

class ModelTest : public ::testing::TestWithParam<ModelConfig> {
 protected:
  void SetUp() override {
    const ModelConfig& c = GetParam();
    rng_.seed(c.seed);
    options_.peer_id = "me";
    options_.page_size = c.page_size;
    options_.merge_threshold = c.merge_threshold;
    options_.max_memory_pages = c.max_memory_pages;
    options_.write_buffer_pages = c.write_buffer_pages;
    options_.write_buffer_adaptive = c.adaptive;
    ASSERT_OK(options_.Normalize());
    ASSERT_OK(PagedStore::Open(options_, &disk_, &store_));
  }

  std::string RandomKey() {
    int i = static_cast<int>(rng_() % GetParam().key_space);
    // Varied lengths and shared prefixes, so page bounds fall anywhere.
    std::string k = "k" + std::to_string(i % 10) + "/" + std::to_string(i);
    if (i % 13 == 0) k += std::string(1 + i % 40, 'x');
    if (i % 17 == 0) k += "\xc3\xa9";  // UTF-8
    return k;
  }

  std::string RandomValue() {
    size_t n;
    uint64_t r = rng_() % 100;
    if (r < 80) {
      n = rng_() % 40;
    } else if (r < 97) {
      n = 40 + rng_() % 300;
    } else {
      n = options_.page_size + rng_() % 2000;  // larger than a page
    }
    return std::string(n, static_cast<char>('a' + rng_() % 26));
  }

  Version RandomRemoteVersion() {
    static const char* kPeers[] = {"peer-a", "peer-b", "zz"};
    // Around the engine's clock: sometimes older, sometimes newer.
    uint64_t base = store_->engine().Stats().hlc;
    uint64_t delta = rng_() % 4000;
    uint64_t hlc =
        rng_() % 2 ? base + delta : (base > delta ? base - delta : 1);
    return Version{hlc, kPeers[rng_() % 3]};
  }

  // Remember `key`'s state before an op, for crash-reload.
  void Before(const std::string& key) {
    pre_key_ = key;
    auto it = model_.find(key);
    pre_ = it == model_.end() ? std::nullopt
                              : std::optional<ModelEntry>(it->second);
    flushes_before_ = store_->flushes;
    after_op_flushes_before_ = store_->after_op_flushes;
  }
  // Book-keeping after an op that may have written pre_key_.
  void After(bool wrote) {
    if (store_->after_op_flushes != after_op_flushes_before_) {
      undo_.clear();  // everything, this op included, is on disk
      return;
    }
    if (store_->flushes != flushes_before_) undo_.clear();  // before the write
    if (wrote && undo_.count(pre_key_) == 0) undo_[pre_key_] = pre_;
  }

  void Put() {
    std::string key = RandomKey(), value = RandomValue();
    Before(key);
    WriteResult r = store_->Put(key, value);
    ASSERT_OK(r.status);
    ASSERT_TRUE(r.applied);
    auto it = model_.find(key);
    if (!r.buffered) {
      ASSERT_EQ(r.existed, it != model_.end() && !it->second.tombstone);
    }
    ++(r.buffered ? buffered_ : unbuffered_);
    if (it != model_.end()) {
      ASSERT_GT(CompareVersions(r.version, it->second.version), 0)
          << "a local write must beat every version it has seen";
    }
    ASSERT_EQ(r.version.origin, "me");
    model_[key] = ModelEntry{value, r.version, false};
    After(true);
  }

  void Delete() {
    std::string key = RandomKey();
    Before(key);
    WriteResult r = store_->Delete(key);
    ASSERT_OK(r.status);
    auto it = model_.find(key);
    bool live = it != model_.end() && !it->second.tombstone;
    ASSERT_EQ(r.existed, live);
    ASSERT_EQ(r.applied, live);
    if (live) model_[key] = ModelEntry{"", r.version, true};
    After(live);
  }

  void Merge() {
    Record rec;
    rec.key = RandomKey();
    rec.version = RandomRemoteVersion();
    rec.tombstone = rng_() % 5 == 0;
    if (!rec.tombstone) rec.value = RandomValue();
    Before(rec.key);
    WriteResult r = store_->Merge(rec);
    ASSERT_OK(r.status);
    auto it = model_.find(rec.key);
    bool wins = it == model_.end() ||
                CompareVersions(rec.version, it->second.version) > 0;
    ASSERT_EQ(r.applied, wins);
    if (wins)
      model_[rec.key] = ModelEntry{rec.value, rec.version, rec.tombstone};
    After(wins);
  }

  void Get() {
    std::string key = RandomKey(), value;
    Before(key);
    Status s = store_->Get(key, &value);
    auto it = model_.find(key);
    if (it == model_.end() || it->second.tombstone) {
      ASSERT_TRUE(s.IsNotFound()) << key << ": " << s.ToString();
    } else {
      ASSERT_OK(s);
      ASSERT_EQ(value, it->second.value) << key;
    }
    After(false);
  }

  void Lookup() {
    std::string key = RandomKey();
    Record rec;
    Before(key);
    Status s = store_->Lookup(key, &rec);
    auto it = model_.find(key);
    if (it == model_.end()) {
      ASSERT_TRUE(s.IsNotFound()) << s.ToString();
    } else {
      ASSERT_OK(s);
      ASSERT_EQ(rec.tombstone, it->second.tombstone);
      ASSERT_EQ(CompareVersions(rec.version, it->second.version), 0);
    }
    After(false);
  }

  void Scan() {
    ScanOptions o;
    switch (rng_() % 3) {
      case 0:
        o = ScanOptions::Prefix("k" + std::to_string(rng_() % 10) + "/" +
                                std::to_string(rng_() % 10));
        break;
      case 1: {
        std::string a = RandomKey(), b = RandomKey();
        if (b < a) std::swap(a, b);
        o.start = a;
        o.end = b;
        o.has_end = true;
        break;
      }
      default:
        o.start = RandomKey();
    }
    o.reverse = rng_() % 2 == 0;
    o.limit = rng_() % 3 == 0 ? 1 + rng_() % 50 : 0;
    o.include_tombstones = rng_() % 4 == 0;
    std::vector<Record> got;
    Before(o.start);
    ASSERT_OK(store_->Scan(o, &got));
    After(false);

    std::vector<const std::pair<const std::string, ModelEntry>*> want;
    auto lo = model_.lower_bound(o.start);
    auto hi = o.has_end ? model_.lower_bound(o.end) : model_.end();
    if (o.has_end && o.end <= o.start) hi = lo;
    for (auto it = lo; it != hi; ++it) {
      if (!it->second.tombstone || o.include_tombstones) want.push_back(&*it);
    }
    if (o.reverse) std::reverse(want.begin(), want.end());
    if (o.limit != 0 && want.size() > o.limit) want.resize(o.limit);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].key, want[i]->first);
      ASSERT_EQ(got[i].value, want[i]->second.value);
      ASSERT_EQ(got[i].tombstone, want[i]->second.tombstone);
    }
  }

  void Batch() {
    std::vector<WriteOp> ops(1 + rng_() % 20);
    for (WriteOp& op : ops) {
      op.record.key = RandomKey();
      uint64_t kind = rng_() % 4;
      if (kind == 0) {
        op.type = WriteOp::Type::kDelete;
      } else if (kind == 1) {
        op.type = WriteOp::Type::kMerge;
        op.record.version = RandomRemoteVersion();
        op.record.value = RandomValue();
      } else {
        op.type = WriteOp::Type::kPut;
        op.record.value = RandomValue();
      }
    }
    std::vector<WriteResult> results;
    ASSERT_OK(store_->ApplyBatch(ops, &results));
    ASSERT_EQ(results.size(), ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
      const Record& rec = ops[i].record;
      auto it = model_.find(rec.key);
      bool live = it != model_.end() && !it->second.tombstone;
      ASSERT_OK(results[i].status);
      if (!results[i].buffered) ASSERT_EQ(results[i].existed, live);
      switch (ops[i].type) {
        case WriteOp::Type::kPut:
          model_[rec.key] = ModelEntry{rec.value, results[i].version, false};
          break;
        case WriteOp::Type::kDelete:
          if (live) model_[rec.key] = ModelEntry{"", results[i].version, true};
          break;
        case WriteOp::Type::kMerge: {
          bool wins = it == model_.end() ||
                      CompareVersions(rec.version, it->second.version) > 0;
          ASSERT_EQ(results[i].applied, wins);
          if (wins) model_[rec.key] = ModelEntry{rec.value, rec.version, false};
          break;
        }
        case WriteOp::Type::kForget:
          ASSERT_EQ(results[i].applied,
                    it != model_.end() &&
                        CompareVersions(rec.version, it->second.version) == 0);
          if (results[i].applied) model_.erase(it);
          break;
      }
    }
    store_->Flush();  // keeps crash bookkeeping simple: the batch is durable
    undo_.clear();
  }

  // A flush with local writes landing while it is in flight: they are not
  // in the batch, so their pages must stay dirty (and not durable).
  void RacingFlush() {
    std::vector<std::pair<std::string, std::optional<ModelEntry>>> raced;
    store_->FlushRacing([&] {
      for (int i = 0; i < 3; ++i) {
        std::string key = RandomKey(), value = RandomValue();
        PageId missing = kNoPage;
        auto it = model_.find(key);
        std::optional<ModelEntry> pre =
            it == model_.end() ? std::nullopt
                               : std::optional<ModelEntry>(it->second);
        WriteResult r =
            store_->engine().Put(key, value, store_->clock_ms, &missing);
        if (r.status.IsNotResident()) continue;  // no loads mid-flush
        ASSERT_OK(r.status);
        model_[key] = ModelEntry{value, r.version, false};
        raced.emplace_back(key, pre);
      }
    });
    undo_.clear();                    // the batch is durable...
    for (auto& [key, pre] : raced) {  // ...the raced writes are not
      if (undo_.count(key) == 0) undo_[key] = pre;
    }
    size_t flushes = store_->flushes;
    if (store_->engine().OverBudget()) store_->Flush();
    if (store_->flushes != flushes) undo_.clear();
  }

  void Evict() {
    std::vector<PageInfo> pages = store_->engine().ListPages();
    const PageInfo& p = pages[rng_() % pages.size()];
    Status s = store_->engine().EvictPage(p.id);
    if (p.dirty) {
      ASSERT_TRUE(s.IsBusy());
    } else {
      ASSERT_OK(s);
    }
    if (rng_() % 4 == 0) store_->engine().EvictAllClean();
  }

  void Reload(bool crash) {
    if (!crash) {
      store_->Flush();
      undo_.clear();
    }
    total_loads_ += store_->pages_loaded;
    total_flushes_ += store_->flushes;
    store_.reset();
    for (auto& [key, pre] : undo_) {
      if (pre) {
        model_[key] = *pre;
      } else {
        model_.erase(key);
      }
    }
    undo_.clear();
    ASSERT_OK(PagedStore::Open(options_, &disk_, &store_));
    ++reloads_;
    CompareAll();
  }

  void CompareAll() {
    std::vector<Record> all;
    ScanOptions o;
    o.include_tombstones = true;
    size_t flushes = store_->flushes;
    ASSERT_OK(store_->Scan(o, &all));
    if (store_->flushes != flushes) undo_.clear();
    ASSERT_EQ(all.size(), model_.size());
    auto it = model_.begin();
    size_t live = 0;
    for (const Record& r : all) {
      ASSERT_EQ(r.key, it->first);
      ASSERT_EQ(r.tombstone, it->second.tombstone) << r.key;
      ASSERT_EQ(r.value, it->second.value) << r.key;
      ASSERT_EQ(CompareVersions(r.version, it->second.version), 0) << r.key;
      if (!r.tombstone) ++live;
      ++it;
    }
    // Buffered writes and runs count as keys until applied (an overwrite or
    // a run entry a page took before a reload counts twice): exact once
    // nothing is buffered.
    EngineStats stats = store_->engine().Stats();
    if (stats.buffered_writes == 0 && stats.run_pages == 0) {
      ASSERT_EQ(stats.live_keys, live);
    } else {
      ASSERT_GE(stats.live_keys, live);
    }
  }

  std::mt19937_64 rng_;
  Options options_;
  MemoryPageStore disk_;
  std::unique_ptr<PagedStore> store_;
  Model model_;
  std::map<std::string, std::optional<ModelEntry>> undo_;
  std::string pre_key_;
  std::optional<ModelEntry> pre_;
  size_t flushes_before_ = 0;
  size_t after_op_flushes_before_ = 0;
  int reloads_ = 0;
  size_t buffered_ = 0;    // local puts the write path buffered
  size_t unbuffered_ = 0;  // and those that found their page
  size_t total_loads_ = 0;
  size_t total_flushes_ = 0;
};

TEST_P(ModelTest, MatchesStdMap) {
  const ModelConfig& c = GetParam();
  for (int step = 0; step < c.ops; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    store_->clock_ms += rng_() % 3;
    uint64_t r = rng_() % 1000;
    if (r < 280) {
      ASSERT_NO_FATAL_FAILURE(Put());
    } else if (r < 400) {
      ASSERT_NO_FATAL_FAILURE(Delete());
    } else if (r < 580) {
      ASSERT_NO_FATAL_FAILURE(Get());
    } else if (r < 660) {
      ASSERT_NO_FATAL_FAILURE(Lookup());
    } else if (r < 760) {
      ASSERT_NO_FATAL_FAILURE(Merge());
    } else if (r < 810) {
      ASSERT_NO_FATAL_FAILURE(Scan());
    } else if (r < 850) {
      ASSERT_NO_FATAL_FAILURE(Batch());
    } else if (r < 880) {
      store_->Flush();
      undo_.clear();
    } else if (r < 900) {
      ASSERT_NO_FATAL_FAILURE(RacingFlush());
    } else if (r < 960) {
      ASSERT_NO_FATAL_FAILURE(Evict());
    } else if (r < 970) {
      ASSERT_NO_FATAL_FAILURE(Reload(/*crash=*/false));
    } else if (r < 980) {
      ASSERT_NO_FATAL_FAILURE(Reload(/*crash=*/true));
    } else if (r < 985) {
      store_->clock_ms -= rng_() % 10000;  // the wall clock steps back
    } else {
      size_t flushes = store_->flushes;
      ASSERT_OK(store_->CompleteMerges());
      ASSERT_OK(store_->Compact());
      if (store_->flushes != flushes) undo_.clear();
    }
    Status inv = store_->engine().CheckInvariants();
    ASSERT_TRUE(inv.ok()) << inv.ToString();
    ASSERT_LE(store_->engine().BudgetPages(), c.max_memory_pages);
    if (step % 2000 == 1999) ASSERT_NO_FATAL_FAILURE(CompareAll());
  }
  ASSERT_NO_FATAL_FAILURE(CompareAll());
  total_loads_ += store_->pages_loaded;
  total_flushes_ += store_->flushes;
  // The point of a budget of 2-3 pages: paging on most operations.
  EXPECT_GT(reloads_, 50);
  EXPECT_GT(total_loads_, static_cast<size_t>(c.ops) / 4);
  EXPECT_GT(total_flushes_, static_cast<size_t>(c.ops) / 20);
  std::printf(
      "[ model    ] %d ops: %zu page loads, %zu flushes, %d reloads, "
      "%zu pages at the end, %zu of %zu puts buffered\n",
      c.ops, total_loads_, total_flushes_, reloads_,
      store_->engine().Stats().pages, buffered_, buffered_ + unbuffered_);
  if (c.write_buffer_pages != 0) {
    // Adaptive: buffering stops past the break-even, so fewer.
    EXPECT_GT(buffered_, (buffered_ + unbuffered_) / (c.adaptive ? 50 : 10));
  } else {
    EXPECT_EQ(buffered_, 0u);
  }
}

// 4 x 50,000 = 200,000 operations.
void PrintTo(const ModelConfig& c, std::ostream* os) {
  *os << "seed " << c.seed << ", page " << c.page_size << ", budget "
      << c.max_memory_pages << ", keys " << c.key_space << ", write buffer "
      << c.write_buffer_pages << (c.adaptive ? " (adaptive)" : "");
}

INSTANTIATE_TEST_SUITE_P(
    Seeds, ModelTest,
    ::testing::Values(ModelConfig{1, 256, 0, 2, 400, 50000},
                      ModelConfig{2, 512, 0, 3, 2000, 50000},
                      ModelConfig{3, 4096, 0, 2, 3000, 50000},
                      ModelConfig{4, 256, 100, 2, 600, 50000},
                      // The write path: buffered puts, runs, pending pages.
                      ModelConfig{5, 256, 0, 3, 400, 15000, 1},
                      ModelConfig{6, 512, 0, 4, 2000, 15000, 2},
                      ModelConfig{7, 1024, 0, 8, 3000, 15000, 4},
                      // Buffering that stops and starts as the store grows
                      // and shrinks past the break-even.
                      ModelConfig{8, 1024, 0, 32, 6000, 15000, 16, true}),
    [](const ::testing::TestParamInfo<ModelConfig>& info) {
      return "seed" + std::to_string(info.param.seed);
    });

}  // namespace
}  // namespace paging_storage
