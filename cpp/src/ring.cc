#include "paging_storage/ring.h"

#include <algorithm>

#include "hash.h"

namespace paging_storage {
namespace {

// Protocol constants: changing either moves every key.
constexpr uint64_t kKeySeed = 0x6B65792D72696E67ull;    // "key-ring"
constexpr uint64_t kVnodeSeed = 0x766E6F6465000000ull;  // "vnode\0\0\0"

}  // namespace

Ring::Ring(uint32_t virtual_nodes)
    : virtual_nodes_(virtual_nodes == 0 ? 1 : virtual_nodes) {}

uint64_t Ring::KeyToken(std::string_view key) { return Hash64(key, kKeySeed); }

uint64_t Ring::VnodeToken(std::string_view member, uint32_t vnode) {
  return Hash64(member, kVnodeSeed + vnode);
}

Status Ring::SetMembers(std::vector<std::string> members,
                        std::vector<uint8_t> weights) {
  if (weights.empty()) weights.assign(members.size(), 1);
  if (weights.size() != members.size()) {
    return Status::InvalidArgument("ring: one weight per member");
  }
  uint64_t tokens = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].empty()) {
      return Status::InvalidArgument("ring: empty member id");
    }
    // std::string compares bytes as unsigned char (char_traits<char>).
    if (i > 0 && !(members[i - 1] < members[i])) {
      return Status::InvalidArgument(
          "ring: member ids must be strictly increasing");
    }
    if (weights[i] > kMaxWeight) {
      return Status::InvalidArgument("ring: a weight is 0 (full) to 16");
    }
    tokens += uint64_t{weights[i]} * virtual_nodes_;
  }
  if (tokens > UINT32_MAX) {
    return Status::InvalidArgument("ring: too many members");
  }
  std::vector<std::pair<uint64_t, uint32_t>> vnodes;
  std::vector<uint32_t> full;
  vnodes.reserve(tokens);
  for (uint32_t m = 0; m < members.size(); ++m) {
    if (weights[m] == kFullReplica) full.push_back(m);
    const uint32_t count = weights[m] * virtual_nodes_;
    for (uint32_t v = 0; v < count; ++v) {
      vnodes.emplace_back(VnodeToken(members[m], v), m);
    }
  }
  std::sort(vnodes.begin(), vnodes.end());
  on_circle_ = members.size() - full.size();
  members_ = std::move(members);
  weights_ = std::move(weights);
  full_ = std::move(full);
  vnodes_ = std::move(vnodes);
  return Status::OK();
}

void Ring::Walk(size_t first, size_t want, std::vector<uint32_t>* out) const {
  // rf is small (a handful), so a linear membership test beats a set.
  for (size_t i = first; out->size() < want;) {
    uint32_t m = vnodes_[i].second;
    if (std::find(out->begin(), out->end(), m) == out->end()) {
      out->push_back(m);
    }
    if (++i == vnodes_.size()) i = 0;
  }
}

void Ring::ReplicasForToken(uint64_t token, size_t rf,
                            std::vector<uint32_t>* out) const {
  out->clear();
  if (rf == 0) return;
  if (!vnodes_.empty()) {
    auto it = std::lower_bound(vnodes_.begin(), vnodes_.end(), token,
                               [](const std::pair<uint64_t, uint32_t>& v,
                                  uint64_t t) { return v.first < t; });
    size_t first = it == vnodes_.end() ? 0 : it - vnodes_.begin();
    Walk(first, std::min(rf, on_circle_), out);
  }
  out->insert(out->end(), full_.begin(), full_.end());
}

void Ring::ReplicasFor(std::string_view key, size_t rf,
                       std::vector<uint32_t>* out) const {
  ReplicasForToken(KeyToken(key), rf, out);
}

std::vector<double> Ring::ReplicaShare(size_t rf) const {
  std::vector<double> share(members_.size(), 0.0);
  if (rf == 0) return share;
  for (uint32_t m : full_) share[m] = 1.0;
  if (vnodes_.empty()) return share;
  constexpr double kCircle = 18446744073709551616.0;  // 2^64
  const size_t want = std::min(rf, on_circle_);
  std::vector<uint32_t> replicas;
  for (size_t i = 0; i < vnodes_.size(); ++i) {
    // Vnode i takes the key tokens in (token[i-1], token[i]]; vnode 0 also
    // takes the wrap-around above the last token.
    double arc =
        i == 0 ? kCircle - static_cast<double>(vnodes_.back().first -
                                               vnodes_.front().first)
               : static_cast<double>(vnodes_[i].first - vnodes_[i - 1].first);
    replicas.clear();
    Walk(i, want, &replicas);
    for (uint32_t m : replicas) share[m] += arc / kCircle;
  }
  return share;
}

}  // namespace paging_storage
