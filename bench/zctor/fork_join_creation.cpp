//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// fork-join creation (Savina "fjcreate"): the main thread spawns N actors and sends each one
// message as soon as it is spawned; an actor does Savina's small computation on it, reports and
// stops. Timed from the first spawn to the last report. Stresses spawn + first message (and the
// release of a stopped actor). The CAF twin is bench/caf/fork_join_creation.cpp.
#include <zctor.hpp>

#include <atomic>
#include <cstdint>
#include <string>

#include "../common/bench_common.hpp"
#include "../common/zctor_bench.hpp"

namespace {

constexpr const char* bench_name = "fork_join_creation";
constexpr const char* impl_name = "zctor";
constexpr std::uint64_t default_n = 40'000;

struct work
{};

struct tally
{
    std::atomic<std::uint64_t> handled{0};
    std::atomic<bool> ok{true};
};

class worker_actor
{
public:
    worker_actor(tally* t, bench::countdown* done) : t_(t), done_(done) {}

    void handle(zctor::context& ctx, work)
    {
        if (!bench::fork_join_compute(37.2))
            t_->ok.store(false, std::memory_order_relaxed);
        t_->handled.fetch_add(1, std::memory_order_relaxed);
        done_->arrive();
        ctx.stop();
    }

private:
    tally* t_;
    bench::countdown* done_;
};

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t n = bench::scaled(default_n, opt.scale);

    bench::zctor_failures failures(bench_name);
    bench::countdown done(n);
    tally t;
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    bool finished = false;
    {
        zctor::engine eng(failures.config());
        eng.run();

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        // The reference is dropped at once: the engine keeps the actor until it stops itself.
        for (std::uint64_t i = 0; i < n; ++i)
            eng.spawn<worker_actor>(&t, &done).send(work{});
        finished = done.wait();
        cpu1 = bench::cpu_seconds();
        eng.stop();
        eng.join();
    }

    if (!finished)
        return bench::fail(bench_name, impl_name, "timed out");
    if (failures.count() != 0)
        return bench::fail(bench_name, impl_name, "handler failures");
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
