//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// idle actors: the main thread spawns N actors that never receive a message and keeps a reference
// to each. Reports the memory an idle actor costs, as the growth of the resident set
// (/proc/self/statm) across the spawns divided by N, and the time the spawns took. The references
// live in a vector allocated and touched before the first measurement, so they are not counted:
// the figure is the actor itself (its object, strand, mailbox and registry entry).
// The CAF twin is bench/caf/idle_actors.cpp.
#include <zctor.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include "../common/zctor_bench.hpp"

namespace {

constexpr const char* bench_name = "idle_actors";
constexpr const char* impl_name = "zctor";
constexpr std::uint64_t default_n = 1'000'000;

struct never
{};

class idle_actor
{
public:
    void handle(never) {}
};

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t n = bench::scaled(default_n, opt.scale);

    bench::zctor_failures failures(bench_name);
    std::vector<zctor::actor_ref<idle_actor>> refs(n); // allocated and touched before measuring
    bench::clock::time_point t0, t1;
    long rss0 = 0, rss1 = 0;
    std::uint64_t spawned = 0;
    {
        zctor::engine eng(failures.config());
        eng.run();
        rss0 = bench::current_rss_kb();
        t0 = bench::clock::now();
        for (auto& r : refs)
            r = eng.spawn<idle_actor>();
        t1 = bench::clock::now();
        rss1 = bench::current_rss_kb();
        spawned = eng.stats().actors_spawned;
        eng.stop();
        eng.join();
        refs.clear();
    }

    if (failures.count() != 0)
        return bench::fail(bench_name, impl_name, "handler failures");
    if (spawned != n)
        return bench::fail(bench_name, impl_name,
                           std::to_string(spawned) + " actors spawned, expected " + std::to_string(n));
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
