//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_STATS_HPP
#define ZCTOR_STATS_HPP

#include <zctor/config.hpp>

#include <cstddef>
#include <cstdint>

namespace zctor {

/// Counters of an engine since it was constructed. Exact once the engine has stopped; while it
/// runs, each counter is a recent value (they are not read as one snapshot), except that an
/// actor counted in actors_stopped has its dropped messages counted in messages_dropped.
struct engine_stats
{
    std::uint64_t actors_spawned = 0;
    std::uint64_t actors_stopped = 0;
    std::uint64_t messages_handled = 0; ///< handler calls, failed ones included
    std::uint64_t handler_failures = 0; ///< handlers that returned failure or threw
    /// Dead letters: messages a send succeeded for, never handled (stop, shutdown, overflow).
    std::uint64_t messages_dropped = 0;
    std::uint64_t event_loop_failures = 0; ///< exceptions escaping other work on a worker
    std::uint64_t replies_discarded = 0;   ///< replies that came after their ask timed out or was cancelled
    /// Messages discarded by a full mailbox's drop_newest or drop_oldest policy, counted when the
    /// send finds the mailbox full. Included in messages_dropped once they are freed.
    std::uint64_t mailbox_dropped = 0;
    /// Sends, asks and timer messages refused with error::mailbox_full (fail and backpressure).
    std::uint64_t mailbox_rejected = 0;
    // Current values, not counts: a stopped actor's watch records and names are released.
    std::uint64_t watch_records = 0;    ///< monitors (one each) and links (two each) in place
    std::uint64_t registered_names = 0; ///< names in the registry
};

/// One actor's mailbox, as seen by actor_ref::mailbox(). Counters are recent values while the
/// actor runs. Only bounded mailboxes count their messages.
struct mailbox_stats
{
    std::size_t capacity = 0;                         ///< 0 = unbounded
    overflow_policy overflow = overflow_policy::fail; ///< the policy (meaningless when unbounded)
    std::size_t size = 0;          ///< messages queued to be handled (at most capacity); 0 when unbounded
    std::uint64_t dropped = 0;     ///< discarded by drop_newest or drop_oldest
    std::uint64_t rejected = 0;    ///< refused with mailbox_full
    std::size_t waiting_sends = 0; ///< async_sends waiting for room (backpressure)
};

} // namespace zctor

#endif
