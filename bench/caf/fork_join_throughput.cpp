//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// fork-join throughput (Savina "fjthrput"), CAF 0.17 twin of bench/zctor/fork_join_throughput.cpp:
// N workers, M messages each sent round-robin from the main thread, Savina's computation per
// message, each worker quits after its M-th. Same timing points and verification.
#include <cstdint>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include <caf/all.hpp>

namespace {

constexpr const char* bench_name = "fork_join_throughput";
constexpr const char* impl_name = "caf";
constexpr std::uint64_t actors = 60;
constexpr std::uint64_t default_m = 10'000;
constexpr std::size_t thread_count = 2;

using work_atom = caf::atom_constant<caf::atom("work")>;

// One per worker, read by main once the actor system has shut down.
struct tally
{
    std::uint64_t count = 0;
    bool ok = true;
};

caf::behavior worker_actor(caf::event_based_actor* self, std::uint64_t m, tally* t, bench::countdown* done)
{
    return {
        [=](work_atom) {
            if (!bench::fork_join_compute(37.2))
                t->ok = false;
            if (++t->count == m)
            {
                done->arrive();
                self->quit();
            }
        },
    };
}

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t m = bench::scaled(default_m, opt.scale);

    bench::countdown done(actors);
    std::vector<tally> tallies(actors);
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", thread_count);
        caf::actor_system sys{cfg};
        if (sys.scheduler().num_workers() != thread_count)
            return bench::fail(bench_name, impl_name,
                               "CAF did not start " + std::to_string(thread_count) + " workers");
        std::vector<caf::actor> workers;
        workers.reserve(actors);
        for (std::uint64_t i = 0; i < actors; ++i)
            workers.push_back(sys.spawn(worker_actor, m, &tallies[i], &done));

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        for (std::uint64_t i = 0; i < m; ++i)
            for (const auto& w : workers)
                caf::anon_send(w, work_atom::value);
        const bool finished = done.wait();
        cpu1 = bench::cpu_seconds();
        if (!finished)
            return bench::fail(bench_name, impl_name, "timed out"); // the system would wait forever
    }

    std::uint64_t total = 0;
    for (std::uint64_t i = 0; i < actors; ++i)
    {
        if (tallies[i].count != m || !tallies[i].ok)
            return bench::fail(bench_name, impl_name,
                               "worker " + std::to_string(i) + " handled " +
                                   std::to_string(tallies[i].count) + " messages, expected " +
                                   std::to_string(m));
        total += tallies[i].count;
    }

    const double s = bench::seconds_between(t0, done.finished_at);
    bench::json_line(bench_name, impl_name)
        .add("actors", actors)
        .add("n", total)
        .add("seconds", s)
        .add("msgs_per_s", static_cast<double>(total) / s, 0)
        .add("cpu_s", cpu1 - cpu0, 3)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
