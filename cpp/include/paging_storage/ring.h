// Ring: a consistent-hash ring that places each key on `rf` replica peers.
//
// Every member owns `virtual_nodes` tokens on a 64-bit circle (times its
// weight: a server peer may take a larger share); a key's token is
// KeyToken(key), and its replicas are the first distinct members met
// walking clockwise from it (the first vnode token >= the key token,
// wrapping past 2^64 - 1 to the smallest token), followed by every full
// replica: a member of weight kFullReplica holds every key and owns no
// token.
//
// Part of the sync protocol: the answers are a pure function of (members,
// virtual_nodes, key, rf), identical on every machine and build. Peers that
// agree on the membership agree on every key's replica set without talking.
// Never change the token functions or the walk without a protocol version
// bump.
//
// Thread rule: const methods may run concurrently; SetMembers may not run
// alongside anything else.
#ifndef PAGING_STORAGE_RING_H_
#define PAGING_STORAGE_RING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "paging_storage/status.h"

namespace paging_storage {

class Ring {
 public:
  // A member's weight: kFullReplica (a replica of every key), or 1 to
  // kMaxWeight (its tokens: weight * virtual_nodes; its vnodes 0 ..
  // virtual_nodes - 1 are those of weight 1, so a weight changes no other
  // member's tokens).
  static constexpr uint8_t kFullReplica = 0;
  static constexpr uint8_t kMaxWeight = 16;

  // virtual_nodes: tokens per member; 0 is taken as 1.
  explicit Ring(uint32_t virtual_nodes = 128);

  // Replaces the membership. InvalidArgument (membership unchanged) unless
  // `members` are non-empty strings, strictly increasing in byte order (the
  // JS side sorts; requiring sorted input makes index i name the same member
  // on every peer), and `weights` is empty (every weight 1) or one weight
  // per member, each kFullReplica or 1..kMaxWeight. An empty vector empties
  // the ring.
  Status SetMembers(std::vector<std::string> members,
                    std::vector<uint8_t> weights = {});

  const std::vector<std::string>& members() const { return members_; }
  // One per member (all 1 when SetMembers was given none).
  const std::vector<uint8_t>& weights() const { return weights_; }
  uint32_t virtual_nodes() const { return virtual_nodes_; }

  // Indices into members() of the first min(rf, members on the circle)
  // distinct members met walking clockwise from KeyToken(key), then of
  // every full replica in index order. Empty ring: empty.
  // O(log V + rf * (vnodes walked) + full replicas); `out` is replaced.
  void ReplicasFor(std::string_view key, size_t rf,
                   std::vector<uint32_t>* out) const;
  // The same for a token already computed with KeyToken.
  void ReplicasForToken(uint64_t token, size_t rf,
                        std::vector<uint32_t>* out) const;

  // xxHash64 of the key bytes with a fixed seed.
  static uint64_t KeyToken(std::string_view key);
  // Token of vnode `vnode` of member `member`: xxHash64 of the member id with
  // seed kVnodeSeed + vnode.
  static uint64_t VnodeToken(std::string_view member, uint32_t vnode);

  // Fraction of the key-token space for which each member (by index) is one
  // of the first `rf` replicas on the circle (1 for a full replica); sums to
  // min(rf, members on the circle) + full replicas. For load-balance stats.
  std::vector<double> ReplicaShare(size_t rf) const;

 private:
  // Appends to `out` the first `want` distinct members walking from vnode
  // index `first` (REQUIRES: first < vnodes_.size(), want <= on_circle_).
  void Walk(size_t first, size_t want, std::vector<uint32_t>* out) const;

  uint32_t virtual_nodes_;
  std::vector<std::string> members_;  // strictly increasing
  std::vector<uint8_t> weights_;      // one per member
  std::vector<uint32_t> full_;        // indices of full replicas, increasing
  size_t on_circle_ = 0;              // members with tokens: size - full_
  // Invariants:
  //  1. vnodes_ holds (VnodeToken(members_[m], v), m) for every member m
  //     that is not a full replica and every v < weights_[m] * virtual_nodes_.
  //  2. vnodes_ is sorted by token, equal tokens by member index (pairs
  //     compare lexicographically), so the walk order is total.
  std::vector<std::pair<uint64_t, uint32_t>> vnodes_;
};

}  // namespace paging_storage

#endif  // PAGING_STORAGE_RING_H_
