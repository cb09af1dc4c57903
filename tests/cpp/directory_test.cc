#include "directory.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "key_compare.h"
#include "test_util.h"

namespace paging_storage {
namespace {

TEST(KeyCompareTest, AgreesWithStdStringOrder) {
  std::mt19937_64 rng(5);
  const char alphabet[] = {'\0', 'a', 'b', '\x7f', '\x80', '\xc3', '\xff'};
  for (int i = 0; i < 200000; ++i) {
    std::string a, b;
    size_t common = rng() % 20;
    for (size_t j = 0; j < common; ++j) a.push_back(alphabet[rng() % 7]);
    b = a;
    for (size_t j = rng() % 12; j > 0; --j) a.push_back(alphabet[rng() % 7]);
    for (size_t j = rng() % 12; j > 0; --j) b.push_back(alphabet[rng() % 7]);
    int want = a < b ? -1 : (a == b ? 0 : 1);
    ASSERT_EQ(CompareKeys(a, b), want) << i;
    ASSERT_EQ(CompareKeys(b, a), -want) << i;
  }
}

TEST(DirectoryTest, LocateAtPageBoundaries) {
  Directory dir;
  dir.Add("", 1);
  dir.Add("g", 2);
  dir.Add("p", 3);
  EXPECT_EQ(dir.Locate("a")->second->id, 1u);
  EXPECT_EQ(dir.Locate("f\xff")->second->id, 1u);  // just below a bound
  EXPECT_EQ(dir.Locate("g")->second->id, 2u);      // exactly a bound
  EXPECT_EQ(dir.Locate("g\x01")->second->id, 2u);  // just above
  EXPECT_EQ(dir.Locate("oz")->second->id, 2u);
  EXPECT_EQ(dir.Locate("p")->second->id, 3u);
  EXPECT_EQ(dir.Locate("\xff\xff")->second->id, 3u);  // past the last bound
  EXPECT_EQ(dir.Find(2)->first, "g");
  EXPECT_EQ(dir.Find(99), dir.end());
  dir.Remove(dir.Find(2));
  EXPECT_EQ(dir.Locate("h")->second->id, 1u);
  EXPECT_EQ(dir.Find(2), dir.end());
  EXPECT_EQ(dir.indexed_ids(), dir.size());
}

// Locate answers the same through the tree and through the lookup index,
// across rebuilds and structural changes, including keys with NUL bytes and
// shared 8-byte prefixes (where the index must fall back to full keys).
TEST(DirectoryTest, IndexAgreesWithTheTree) {
  std::mt19937_64 rng(9);
  auto random_key = [&] {
    static const char* kStems[] = {"", "user:", "user:1234", "a", "a\0"};
    std::string k = kStems[rng() % 5];
    if (k == "a\0") k = std::string("a\0", 2);
    for (size_t n = rng() % 6; n > 0; --n) {
      const char alphabet[] = {'\0', '0', '5', 'z', '\x7f', '\xc3', '\xff'};
      k.push_back(alphabet[rng() % 7]);
    }
    return k;
  };
  Directory dir;
  std::map<std::string, PageId> reference;
  dir.Add("", 1);
  reference[""] = 1;
  PageId next = 2;
  for (int round = 0; round < 300; ++round) {
    for (int i = 0; i < 5; ++i) {  // structural changes: the index goes stale
      std::string k = random_key();
      if (k.empty()) continue;
      if (reference.count(k) == 0) {
        dir.Add(k, next);
        reference[k] = next++;
      } else if (rng() % 2 == 0) {
        dir.Remove(dir.Find(reference[k]));
        reference.erase(k);
      }
    }
    // Enough lookups to use the tree first, then the rebuilt index.
    for (int i = 0; i < 200; ++i) {
      std::string k = random_key();
      auto want = std::prev(reference.upper_bound(k));
      ASSERT_EQ(dir.Locate(k)->second->id, want->second)
          << "round " << round << " key of " << k.size() << " bytes";
    }
  }
}

// The engine routes each key to the page whose range holds it, at the exact
// split boundaries it created.
TEST(DirectoryTest, EngineRoutesKeysAtSplitBoundaries) {
  std::unique_ptr<Engine> engine;
  ASSERT_TRUE(Engine::Create(testing::SmallPages(), &engine).ok());
  for (int i = 0; i < 200; i += 2) {
    ASSERT_TRUE(engine->Put(testing::Key(i), "v", 1, nullptr).status.ok());
  }
  std::vector<PageInfo> pages = engine->ListPages();
  ASSERT_GT(pages.size(), 5u);
  for (size_t p = 1; p < pages.size(); ++p) {
    const std::string& bound = pages[p].lower_key;
    EXPECT_EQ(engine->PageFor(bound), pages[p].id);
    std::string below = bound;
    below.back() = static_cast<char>(below.back() - 1);
    EXPECT_EQ(engine->PageFor(below), pages[p - 1].id);
    std::string value;
    EXPECT_TRUE(engine->Get(bound, &value, nullptr).ok());  // a real key
  }
  EXPECT_TRUE(engine->CheckInvariants().ok());
}

}  // namespace
}  // namespace paging_storage
