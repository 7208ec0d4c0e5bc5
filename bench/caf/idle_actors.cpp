//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// idle actors, CAF 0.17 twin of bench/zctor/idle_actors.cpp: the main thread spawns N actors that
// never receive a message and keeps a handle to each (CAF terminates an actor nobody refers to).
// Reports the growth of the resident set across the spawns divided by N, and the time the spawns
// took, up to the point where every actor has run its behaviour initialiser (CAF schedules that
// at spawn). The handles live in a vector allocated and touched before the first measurement.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "../common/bench_common.hpp"
#include <caf/all.hpp>

namespace {

constexpr const char* bench_name = "idle_actors";
constexpr const char* impl_name = "caf";
constexpr std::uint64_t default_n = 1'000'000;
constexpr std::size_t thread_count = 2;

using never_atom = caf::atom_constant<caf::atom("never")>;

caf::behavior idle_actor(caf::event_based_actor*, std::atomic<std::uint64_t>* initialised)
{
    initialised->fetch_add(1, std::memory_order_relaxed);
    return {
        [](never_atom) {},
    };
}

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t n = bench::scaled(default_n, opt.scale);

    std::vector<caf::actor> refs(n); // allocated and touched before measuring
    std::atomic<std::uint64_t> initialised{0};
    bench::clock::time_point t0, t1;
    long rss0 = 0, rss1 = 0;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", thread_count);
        caf::actor_system sys{cfg};
        if (sys.scheduler().num_workers() != thread_count)
            return bench::fail(bench_name, impl_name,
                               "CAF did not start " + std::to_string(thread_count) + " workers");
        rss0 = bench::current_rss_kb();
        t0 = bench::clock::now();
        for (auto& r : refs)
            r = sys.spawn(idle_actor, &initialised);
        const auto limit = bench::clock::now() + std::chrono::minutes(5);
        while (initialised.load() != n && bench::clock::now() < limit)
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        t1 = bench::clock::now();
        rss1 = bench::current_rss_kb();
        refs.clear();
    }

    if (initialised.load() != n)
        return bench::fail(bench_name, impl_name,
                           std::to_string(initialised.load()) + " actors initialised, expected " +
                               std::to_string(n));
    if (rss0 < 0 || rss1 < 0)
        return bench::fail(bench_name, impl_name, "cannot read /proc/self/statm");

    const double s = bench::seconds_between(t0, t1);
    bench::json_line(bench_name, impl_name)
        .add("n", n)
        .add("refs_kept", true)
        .add("seconds", s)
        .add("actors_per_s", static_cast<double>(n) / s, 0)
        .add("rss_delta_kb", rss1 - rss0)
        .add("bytes_per_actor", static_cast<double>(rss1 - rss0) * 1024.0 / static_cast<double>(n), 1)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
