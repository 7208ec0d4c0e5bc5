//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_METRICS_HPP
#define ZCTOR_METRICS_HPP

#include <zctor/detail/actor_metrics.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

namespace zctor {

/// Handler times in fixed log2 buckets: bucket i counts the calls that took at most
/// upper_bound(i) and more than upper_bound(i - 1); the last bucket has no bound (+Inf).
struct latency_histogram
{
    static constexpr std::size_t bucket_count = detail::latency_bucket_count;

    /// 64 ns, 128 ns, ... 2^36 ns (about 69 s); nanoseconds::max() for the last bucket.
    static constexpr std::chrono::nanoseconds upper_bound(std::size_t i) noexcept
    {
        return i + 1 < bucket_count
                   ? std::chrono::nanoseconds(std::int64_t(1) << (i + detail::latency_bucket_shift))
                   : std::chrono::nanoseconds::max();
    }

    /// The bucket a handler time falls in.
    static constexpr std::size_t bucket_of(std::chrono::nanoseconds d) noexcept
    {
        return detail::latency_bucket_of(d.count() < 0 ? 0 : static_cast<std::uint64_t>(d.count()));
    }

    std::array<std::uint64_t, bucket_count> counts{}; ///< per bucket, not cumulative

    /// The number of calls counted (the sum of the buckets).
    std::uint64_t count() const noexcept
    {
        return std::accumulate(counts.begin(), counts.end(), std::uint64_t(0));
    }
};

/// One live actor, as engine::snapshot() saw it. The counters are zero unless the engine
/// collects metrics (engine_config::metrics).
struct actor_snapshot
{
    std::uint64_t id = 0;
    std::string name;                ///< actor_config::name given at spawn, or empty
    std::string type;                ///< the behaviour: the actor class, or zctor::receives<M> for a handler
    std::size_t worker = 0;          ///< the worker it is placed on
    std::uint64_t received = 0;      ///< messages accepted into its mailbox
    std::uint64_t processed = 0;     ///< handler calls, failed ones included
    std::uint64_t failed = 0;        ///< handler calls that returned failure or threw
    std::uint64_t dropped = 0;       ///< accepted messages freed unhandled (stop, shutdown)
    std::uint64_t mailbox_depth = 0; ///< messages waiting in the mailbox now
    std::uint64_t mailbox_peak = 0;  ///< the largest depth so far
    std::chrono::nanoseconds handler_time{0};     ///< total time in handlers
    std::chrono::nanoseconds handler_time_max{0}; ///< the longest handler call
    latency_histogram handler_latency;            ///< handler call times
};

/// One worker (thread and io_context).
struct worker_snapshot
{
    std::size_t index = 0;
    std::size_t actors = 0;           ///< actors placed on it now
    std::uint64_t messages = 0;       ///< handler calls, failed ones included (always counted)
    std::uint64_t failed = 0;         ///< failed handler calls (always counted)
    std::uint64_t activations = 0;    ///< drains of an actor's mailbox (metrics only)
    std::chrono::nanoseconds busy{0}; ///< time spent draining mailboxes (metrics only)
    std::chrono::nanoseconds idle{0}; ///< the rest of the time since the engine ran (metrics only)
};

/// What engine::snapshot() returns: engine totals, every worker, every live actor.
///
/// Consistency: the actor list is the engine's registry at one instant (actors_alive is its
/// size). Counters are read while the actors run, without stopping them, in an order that
/// keeps these true in every snapshot: failed <= processed, handler_latency.count() <=
/// processed, processed + dropped + mailbox_depth <= received, mailbox_depth <= mailbox_peak,
/// and for the engine actors_stopped + actors_alive <= actors_spawned. Once the engine is
/// quiet (nothing sent or running), every count is exact and handler_latency.count() ==
/// processed.
struct engine_snapshot
{
    bool metrics = false; ///< whether the engine collects metrics (engine_config::metrics)
    std::uint64_t actors_alive = 0;
    std::uint64_t actors_spawned = 0;
    std::uint64_t actors_stopped = 0;
    std::uint64_t messages = 0;         ///< handler calls in total
    std::uint64_t messages_failed = 0;  ///< failed handler calls in total
    std::uint64_t messages_dropped = 0; ///< accepted messages never handled, in total
    std::chrono::nanoseconds uptime{0}; ///< since the engine ran (embedded: was constructed)
    std::vector<worker_snapshot> workers;
    std::vector<actor_snapshot> actors; ///< in no particular order
};

/// The snapshot in the Prometheus text exposition format (version 0.0.4), for a scraper's
/// GET /metrics: `# HELP` and `# TYPE` lines, counters ending in `_total`, times in seconds,
/// the handler time as a histogram (`_bucket{le="..."}`, `_sum`, `_count`), label values
/// escaped. Per-actor series carry the labels id, name, type and worker; without metrics only
/// the always-counted series and `zctor_actor_info` are written. Throws std::bad_alloc.
std::string to_prometheus(const engine_snapshot& snapshot);

} // namespace zctor

#endif
