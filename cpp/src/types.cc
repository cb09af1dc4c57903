#include "paging_storage/types.h"

namespace paging_storage {

int CompareVersions(const Version& a, const Version& b) {
  if (a.hlc != b.hlc) return a.hlc < b.hlc ? -1 : 1;
  int c = a.origin.compare(b.origin);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

ScanOptions ScanOptions::Prefix(std::string_view prefix) {
  ScanOptions o;
  o.start.assign(prefix);
  // The smallest string greater than every string with this prefix: drop
  // trailing 0xff bytes, then increment the last byte. None for "" or an
  // all-0xff prefix: the scan is unbounded above.
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) {
    end.pop_back();
  }
  if (!end.empty()) {
    end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
    o.end = std::move(end);
    o.has_end = true;
  }
  return o;
}

}  // namespace paging_storage
