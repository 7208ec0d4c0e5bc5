//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// fork-join creation (Savina "fjcreate"), CAF 0.17 twin of bench/zctor/fork_join_creation.cpp:
// the main thread spawns N actors and sends each one message; each computes, reports and quits.
// Same timing points and verification.
#include <atomic>
#include <cstdint>
#include <string>

#include "../common/bench_common.hpp"
#include <caf/all.hpp>

namespace {

constexpr const char* bench_name = "fork_join_creation";
constexpr const char* impl_name = "caf";
constexpr std::uint64_t default_n = 40'000;
constexpr std::size_t thread_count = 2;

using work_atom = caf::atom_constant<caf::atom("work")>;

struct tally
{
    std::atomic<std::uint64_t> handled{0};
    std::atomic<bool> ok{true};
};

caf::behavior worker_actor(caf::event_based_actor* self, tally* t, bench::countdown* done)
{
    return {
        [=](work_atom) {
            if (!bench::fork_join_compute(37.2))
                t->ok.store(false, std::memory_order_relaxed);
            t->handled.fetch_add(1, std::memory_order_relaxed);
            done->arrive();
            self->quit();
        },
    };
}

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t n = bench::scaled(default_n, opt.scale);

    bench::countdown done(n);
    tally t;
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", thread_count);
        caf::actor_system sys{cfg};
        if (sys.scheduler().num_workers() != thread_count)
            return bench::fail(bench_name, impl_name,
                               "CAF did not start " + std::to_string(thread_count) + " workers");

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        // The handle is dropped after the send: the pending message keeps the actor alive.
        for (std::uint64_t i = 0; i < n; ++i)
            caf::anon_send(sys.spawn(worker_actor, &t, &done), work_atom::value);
        const bool finished = done.wait();
        cpu1 = bench::cpu_seconds();
        if (!finished)
            return bench::fail(bench_name, impl_name, "timed out"); // the system would wait forever
    }

    if (t.handled.load() != n || !t.ok.load())
        return bench::fail(bench_name, impl_name,
                           std::to_string(t.handled.load()) + " actors handled their message, expected " +
                               std::to_string(n));

    const double s = bench::seconds_between(t0, done.finished_at);
    bench::json_line(bench_name, impl_name)
        .add("n", n)
        .add("seconds", s)
        .add("actors_per_s", static_cast<double>(n) / s, 0)
        .add("cpu_s", cpu1 - cpu0, 3)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
