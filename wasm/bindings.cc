// The wasm module's JavaScript surface. Only EMSCRIPTEN_BINDINGS here; the
// conversions live in engine_handle.cc and ring_handle.cc, the byte formats
// in the codecs (wire_format.h). Names carry a leading underscore: only the
// JavaScript engine layer (js/engine/) calls them.
#include <emscripten/bind.h>

#include "engine_handle.h"
#include "json_codec.h"
#include "ring_handle.h"

EMSCRIPTEN_BINDINGS(paging_storage) {
  using paging_storage::EngineHandle;
  using paging_storage::RingHandle;
  emscripten::class_<RingHandle>("RingHandle")
      .constructor<>()
      .function("_init", &RingHandle::Init)
      .function("_replicasFor", &RingHandle::ReplicasFor)
      .function("_shares", &RingHandle::Shares)
      .function("_size", &RingHandle::Size);
  emscripten::class_<EngineHandle>("EngineHandle")
      .constructor<>()
      .function("_create", &EngineHandle::Create)
      .function("_open", &EngineHandle::Open)
      .function("_stage", &EngineHandle::Stage)
      .function("_applyBatch", &EngineHandle::ApplyBatch)
      .function("_getMany", &EngineHandle::GetMany)
      .function("_lookupMany", &EngineHandle::LookupMany)
      .function("_scan", &EngineHandle::Scan)
      .function("_syncScan", &EngineHandle::SyncScan)
      .function("_loadPage", &EngineHandle::LoadPage)
      .function("_collectFlush", &EngineHandle::CollectFlush)
      .function("_flushFamilies", &EngineHandle::FlushFamilies)
      .function("_collectFlushOf", &EngineHandle::CollectFlushOf)
      .function("_commitFlush", &EngineHandle::CommitFlush)
      .function("_evictAllClean", &EngineHandle::EvictAllClean)
      .function("_retryCorruptPages", &EngineHandle::RetryCorruptPages)
      .function("_purgeTombstones", &EngineHandle::PurgeTombstones)
      .function("_pagesWantedForMerges", &EngineHandle::PagesWantedForMerges)
      .function("_pagesWantedForCompaction",
                &EngineHandle::PagesWantedForCompaction)
      .function("_compactionDue", &EngineHandle::CompactionDue)
      .function("_writeStall", &EngineHandle::WriteStall)
      .function("_overBudget", &EngineHandle::OverBudget)
      .function("_hasDirtyPages", &EngineHandle::HasDirtyPages)
      .function("_pagesAhead", &EngineHandle::PagesAhead)
      .function("_clock", &EngineHandle::Clock)
      .function("_setUserData", &EngineHandle::SetUserData)
      .function("_userData", &EngineHandle::UserData)
      .function("_stats", &EngineHandle::StatsJson)
      .function("_listPages", &EngineHandle::ListPagesJson)
      .function("_checkInvariants", &EngineHandle::CheckInvariants);
  emscripten::function("_constants", &paging_storage::ConstantsJson);
}
