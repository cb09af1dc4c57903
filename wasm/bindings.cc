// The wasm module's JavaScript surface. Only EMSCRIPTEN_BINDINGS here; the
// conversions live in engine_handle.cc. Names carry a leading underscore:
// only js/engine/wasm-engine.js calls them.
#include <emscripten/bind.h>

#include "engine_handle.h"

EMSCRIPTEN_BINDINGS(paging_storage) {
  using paging_storage::EngineHandle;
  emscripten::class_<EngineHandle>("EngineHandle")
      .constructor<>()
      .function("_create", &EngineHandle::Create)
      .function("_open", &EngineHandle::Open)
      .function("_applyBatch", &EngineHandle::ApplyBatch)
      .function("_getMany", &EngineHandle::GetMany)
      .function("_scan", &EngineHandle::Scan)
      .function("_lookupMany", &EngineHandle::LookupMany)
      .function("_setRing", &EngineHandle::SetRing)
      .function("_replicasFor", &EngineHandle::ReplicasFor)
      .function("_ringShare", &EngineHandle::RingShare)
      .function("_syncScan", &EngineHandle::SyncScan)
      .function("_loadPage", &EngineHandle::LoadPage)
      .function("_collectFlush", &EngineHandle::CollectFlush)
      .function("_commitFlush", &EngineHandle::CommitFlush)
      .function("_evictAllClean", &EngineHandle::EvictAllClean)
      .function("_overBudget", &EngineHandle::OverBudget)
      .function("_hasDirtyPages", &EngineHandle::HasDirtyPages)
      .function("_pagesWantedForMerges", &EngineHandle::PagesWantedForMerges)
      .function("_pagesAhead", &EngineHandle::PagesAhead)
      .function("_stats", &EngineHandle::StatsJson)
      .function("_listPages", &EngineHandle::ListPagesJson)
      .function("_checkInvariants", &EngineHandle::CheckInvariants);
}
