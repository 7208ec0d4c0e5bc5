//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_STATS_HPP
#define ZCTOR_STATS_HPP

#include <cstdint>

namespace zctor {

/// Counters of an engine since it was constructed. Exact once the engine has stopped; while it
/// runs, each counter is a recent value (they are not read as one snapshot), except that an
/// actor counted in actors_stopped has its dropped messages counted in messages_dropped.
struct engine_stats
{
    std::uint64_t actors_spawned = 0;
    std::uint64_t actors_stopped = 0;
    std::uint64_t messages_handled = 0;    ///< handler calls, failed ones included
    std::uint64_t handler_failures = 0;    ///< handlers that returned failure or threw
    std::uint64_t messages_dropped = 0;    ///< dead letters: accepted, never handled (stop, shutdown)
    std::uint64_t event_loop_failures = 0; ///< exceptions escaping other work on a worker
    std::uint64_t replies_discarded = 0;   ///< replies that came after their ask timed out or was cancelled
    // Current values, not counts: a stopped actor's watch records and names are released.
    std::uint64_t watch_records = 0;    ///< monitors (one each) and links (two each) in place
    std::uint64_t registered_names = 0; ///< names in the registry
};

} // namespace zctor

#endif
