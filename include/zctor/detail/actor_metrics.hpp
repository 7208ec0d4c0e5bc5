//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_ACTOR_METRICS_HPP
#define ZCTOR_DETAIL_ACTOR_METRICS_HPP

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace zctor::detail {

/// Buckets of the handler-time histogram: bucket i < latency_bucket_count - 1 counts handler
/// calls that took at most 2^(i + latency_bucket_shift) ns; the last one counts the rest.
inline constexpr std::size_t latency_bucket_count = 32;
inline constexpr unsigned latency_bucket_shift = 6; // 64 ns, then doubling up to 2^36 ns (~69 s)

constexpr std::size_t latency_bucket_of(std::uint64_t ns) noexcept
{
    if (ns == 0)
        return 0;
    const std::size_t b = static_cast<std::size_t>(std::bit_width((ns - 1) >> latency_bucket_shift));
    return b < latency_bucket_count - 1 ? b : latency_bucket_count - 1;
}

/// One actor's counters (engine_config::metrics). Written by the actor's strand only, except
/// `received` (by senders), and read by engine::snapshot() from any thread. The strand's
/// writes are release stores and the snapshot's reads acquire loads taken in the reverse order
/// of the writes, so that a snapshot sees failed <= processed, the histogram's sum <= processed,
/// processed + dropped <= taken <= received (see doc/10-metrics.md).
struct actor_metrics
{
    using counter = std::atomic<std::uint64_t>;

    /// Strand only: a single writer, so a load and a store, not a locked read-modify-write.
    static void bump(counter& c, std::uint64_t n = 1) noexcept
    {
        c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_release);
    }

    counter taken{0}; // messages taken out of the mailbox: handled, skipped or dropped
    counter processed{0};
    counter failed{0};
    counter dropped{0};
    counter handler_ns{0};
    counter handler_max_ns{0};
    counter peak_depth{0};
    std::array<counter, latency_bucket_count> latency{};
    alignas(64) counter received{0}; // by senders: kept off the strand's cache line
};

/// What an actor has besides its mailbox when it is named or measured; nothing otherwise, so
/// that an unnamed actor of an engine without metrics pays one null pointer.
struct actor_info
{
    std::string name;
    std::unique_ptr<actor_metrics> metrics; // set when the engine measures
};

} // namespace zctor::detail

#endif
