#include "ring_handle.h"

#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

#include "js_values.h"
#include "sync_codec.h"
#include "wire_codec.h"
#include "wire_format.h"

namespace paging_storage {
namespace {

using emscripten::val;

// Above any member count a ring can hold; the ring caps rf anyway.
constexpr uint64_t kMaxReplicationFactor = uint64_t{1} << 20;

}  // namespace

val RingHandle::Init(const std::string& members_bytes, double virtual_nodes) {
  if (initialized_) {
    return StatusVal(Status::InvalidArgument("ring: a ring is immutable"));
  }
  if (!(virtual_nodes >= 1 && virtual_nodes <= wire::kMaxVirtualNodes &&
        std::floor(virtual_nodes) == virtual_nodes)) {
    return StatusVal(Status::InvalidArgument(
        "ring: virtualNodes must be a whole number in [1, " +
        std::to_string(wire::kMaxVirtualNodes) + "]"));
  }
  std::vector<std::string> members;
  std::vector<uint8_t> weights;
  Status s = DecodeRingMembers(members_bytes, &members, &weights);
  if (!s.ok()) return StatusVal(s);
  Ring ring(static_cast<uint32_t>(virtual_nodes));
  s = ring.SetMembers(std::move(members), std::move(weights));
  if (s.ok()) {
    ring_ = std::move(ring);
    initialized_ = true;
  }
  return StatusVal(s);
}

val RingHandle::ReplicasFor(const std::string& keys_bytes, double rf) const {
  std::vector<std::string_view> keys;
  if (!DecodeKeys(keys_bytes, &keys).ok()) keys.clear();
  size_t want = ClampToUnsigned(rf, kMaxReplicationFactor);
  std::vector<std::vector<uint32_t>> replicas(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    ring_.ReplicasFor(keys[i], want, &replicas[i]);
  }
  std::string out;
  EncodeReplicas(replicas, &out);
  return BytesVal(out);
}

val RingHandle::Shares(double rf) const {
  std::string out;
  EncodeShares(ring_.ReplicaShare(ClampToUnsigned(rf, kMaxReplicationFactor)),
               &out);
  return BytesVal(out);
}

double RingHandle::Size() const {
  return static_cast<double>(ring_.members().size());
}

}  // namespace paging_storage
