//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// fork-join throughput (Savina "fjthrput"): N worker actors; the main thread sends M messages to
// each, round-robin over the workers (message i goes to every worker before message i+1). Each
// message does Savina's small computation; a worker stops after its M-th message. Timed from the
// first send to the last worker's M-th message. Stresses the cost of an activation per message
// when many actors each receive a trickle. The CAF twin is bench/caf/fork_join_throughput.cpp.
#include <zctor.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include "../common/zctor_bench.hpp"

namespace {

constexpr const char* bench_name = "fork_join_throughput";
constexpr const char* impl_name = "zctor";
constexpr std::uint64_t actors = 60;
constexpr std::uint64_t default_m = 10'000;

struct work
{};

// One per worker, read by main once the engine has joined.
struct tally
{
    std::uint64_t count = 0;
    bool ok = true;
};

class worker_actor
{
public:
    worker_actor(std::uint64_t m, tally* t, bench::countdown* done) : m_(m), t_(t), done_(done) {}

    void handle(zctor::context& ctx, work)
    {
        if (!bench::fork_join_compute(37.2))
            t_->ok = false;
        if (++t_->count == m_)
        {
            done_->arrive();
            ctx.stop();
        }
    }

private:
    std::uint64_t m_;
    tally* t_;
    bench::countdown* done_;
};

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t m = bench::scaled(default_m, opt.scale);

    bench::zctor_failures failures(bench_name);
    bench::countdown done(actors);
    std::vector<tally> tallies(actors);
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    bool finished = false;
    {
        zctor::engine eng(failures.config());
        eng.run();
        std::vector<zctor::actor_ref<worker_actor>> workers;
        workers.reserve(actors);
        for (std::uint64_t i = 0; i < actors; ++i)
            workers.push_back(eng.spawn<worker_actor>(m, &tallies[i], &done));

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        for (std::uint64_t i = 0; i < m; ++i)
            for (const auto& w : workers)
                w.send(work{});
        finished = done.wait();
        cpu1 = bench::cpu_seconds();
        workers.clear();
        eng.stop();
        eng.join();
    }

    if (!finished)
        return bench::fail(bench_name, impl_name, "timed out");
    if (failures.count() != 0)
        return bench::fail(bench_name, impl_name, "handler failures");
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
