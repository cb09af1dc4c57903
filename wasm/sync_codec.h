// The byte formats of the ring and sync calls (grammar in wire_format.h):
// `members` and `sync` are decoded (and encoded, for the tests), `replicas`,
// `shares` and `synced` encoded. Kept apart from the handles and free of
// emscripten so the native tests can feed them malformed bytes.
//
// Decoders never read past their input and never crash: any malformed input,
// bytes left over included, is InvalidArgument naming what was wrong.
// Encoders append to *out. Stateless; thread-safe.
#ifndef PAGING_STORAGE_WASM_SYNC_CODEC_H_
#define PAGING_STORAGE_WASM_SYNC_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "paging_storage/status.h"
#include "paging_storage/sync_scan.h"

namespace paging_storage {

struct SyncRequest {
  uint32_t rf = 0;
  uint32_t self = 0;
  std::string start;
  std::vector<SyncQuery> queries;
};

// members := count:varint varstring{count} [weight:byte{count}], to the
// end of input (no weights: every weight 1). Neither the ids nor the weights
// are checked here (Ring::SetMembers does).
Status DecodeRingMembers(std::string_view bytes,
                         std::vector<std::string>* members,
                         std::vector<uint8_t>* weights);
void EncodeRingMembers(const std::vector<std::string>& members,
                       const std::vector<uint8_t>& weights, std::string* out);

// sync := rf:varint self:varint start:varstring count:varint query{count}
// Checks the syntax only; SyncScan checks bits and prefix.
Status DecodeSyncRequest(std::string_view bytes, SyncRequest* out);
void EncodeSyncRequest(const SyncRequest& request, std::string* out);

// replicas := count:varint (n:varint index:varint{n}){count}: per key, the
// member indices Ring::ReplicasFor gave.
void EncodeReplicas(const std::vector<std::vector<uint32_t>>& replicas,
                    std::string* out);

// shares := count:varint share:fixed64{count}: per member its
// Ring::ReplicaShare, as the bits of the double.
void EncodeShares(const std::vector<double>& shares, std::string* out);

// Appends `synced` for the outcome of SyncScan. `answers` are written only
// when s is OK or NotResident (then one per query, REQUIRES
// answers.size() == queries.size()); any other code writes count 0.
void EncodeSyncResponse(const Status& s, PageId missing_page,
                        std::string_view resume_start,
                        const std::vector<SyncQuery>& queries,
                        const std::vector<SyncAnswer>& answers,
                        std::string* out);

}  // namespace paging_storage

#endif  // PAGING_STORAGE_WASM_SYNC_CODEC_H_
