#include "sync_codec.h"

#include <cstring>

#include "coding.h"

namespace paging_storage {

Status DecodeRingMembers(std::string_view bytes,
                         std::vector<std::string>* members,
                         std::vector<uint8_t>* weights) {
  Reader in(bytes);
  size_t count = 0;
  members->clear();
  weights->clear();
  // Each id takes at least its length byte.
  if (!in.GetCount(1, &count)) {
    return Status::InvalidArgument("members: bad count");
  }
  members->reserve(count);
  for (size_t i = 0; i < count; ++i) {
    std::string_view id;
    if (!in.GetLengthPrefixed(&id)) {
      return Status::InvalidArgument("members: truncated");
    }
    members->emplace_back(id);
  }
  if (in.remaining() == 0) return Status::OK();
  if (in.remaining() != count) {
    return Status::InvalidArgument("members: trailing bytes");
  }
  weights->resize(count);
  for (size_t i = 0; i < count; ++i) in.GetByte(&(*weights)[i]);
  return Status::OK();
}

void EncodeRingMembers(const std::vector<std::string>& members,
                       const std::vector<uint8_t>& weights, std::string* out) {
  PutVarint64(out, members.size());
  for (const std::string& id : members) PutLengthPrefixed(out, id);
  out->append(weights.begin(), weights.end());
}

Status DecodeSyncRequest(std::string_view bytes, SyncRequest* out) {
  Reader in(bytes);
  std::string_view start;
  size_t count = 0;
  if (!in.GetVarint32(&out->rf) || !in.GetVarint32(&out->self) ||
      !in.GetLengthPrefixed(&start)) {
    return Status::InvalidArgument("sync: truncated header");
  }
  out->start.assign(start);
  // A query takes at least 4 bytes.
  if (!in.GetCount(4, &count)) {
    return Status::InvalidArgument("sync: bad query count");
  }
  out->queries.assign(count, SyncQuery());
  for (SyncQuery& q : out->queries) {
    uint8_t entries = 0;
    if (!in.GetVarint32(&q.peer) || !in.GetByte(&q.bits) ||
        !in.GetVarint32(&q.prefix) || !in.GetByte(&entries)) {
      return Status::InvalidArgument("sync: truncated query");
    }
    if (entries > 1) return Status::InvalidArgument("sync: entries flag");
    q.entries = entries == 1;
  }
  if (in.remaining() != 0) {
    return Status::InvalidArgument("sync: trailing bytes");
  }
  return Status::OK();
}

void EncodeSyncRequest(const SyncRequest& request, std::string* out) {
  PutVarint64(out, request.rf);
  PutVarint64(out, request.self);
  PutLengthPrefixed(out, request.start);
  PutVarint64(out, request.queries.size());
  for (const SyncQuery& q : request.queries) {
    PutVarint64(out, q.peer);
    out->push_back(static_cast<char>(q.bits));
    PutVarint64(out, q.prefix);
    out->push_back(q.entries ? 1 : 0);
  }
}

void EncodeReplicas(const std::vector<std::vector<uint32_t>>& replicas,
                    std::string* out) {
  PutVarint64(out, replicas.size());
  for (const std::vector<uint32_t>& members : replicas) {
    PutVarint64(out, members.size());
    for (uint32_t m : members) PutVarint64(out, m);
  }
}

void EncodeShares(const std::vector<double>& shares, std::string* out) {
  PutVarint64(out, shares.size());
  for (double share : shares) {
    uint64_t bits = 0;
    std::memcpy(&bits, &share, sizeof bits);
    PutFixed64(out, bits);
  }
}

void EncodeSyncResponse(const Status& s, PageId missing_page,
                        std::string_view resume_start,
                        const std::vector<SyncQuery>& queries,
                        const std::vector<SyncAnswer>& answers,
                        std::string* out) {
  out->push_back(static_cast<char>(s.code()));
  if (s.IsNotResident()) {
    PutVarint64(out, missing_page);
    PutLengthPrefixed(out, resume_start);
  } else if (!s.ok()) {
    PutLengthPrefixed(out, s.message());
    PutVarint64(out, 0);
    return;
  }
  // Only the answers that hold something: a call that visits a few records
  // costs a few answers, however many queries there are.
  auto empty = [&](size_t i) {
    const SyncAnswer& a = answers[i];
    if (queries[i].entries) return a.entries.empty();
    for (size_t c = 0; c < kSyncChildren; ++c) {
      if (a.child_count[c] != 0) return false;
    }
    return true;
  };
  size_t count = 0;
  for (size_t i = 0; i < answers.size(); ++i) count += empty(i) ? 0 : 1;
  PutVarint64(out, count);
  for (size_t i = 0; i < answers.size(); ++i) {
    if (empty(i)) continue;
    PutVarint64(out, i);
    const SyncAnswer& a = answers[i];
    if (!queries[i].entries) {
      for (size_t c = 0; c < kSyncChildren; ++c) {
        PutVarint64(out, a.child_count[c]);
        PutFixed64(out, a.child_digest[c]);
      }
      continue;
    }
    PutVarint64(out, a.entries.size());
    for (const Record& r : a.entries) {
      PutLengthPrefixed(out, r.key);
      PutFixed64(out, r.version.hlc);
      PutLengthPrefixed(out, r.version.origin);
      out->push_back(static_cast<char>(r.tombstone ? 1 : 0));
    }
  }
}

}  // namespace paging_storage
