//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// thread ring (Savina "threadring"): N actors in a ring, each knowing the next; one token
// carrying a hop count goes round the ring, each actor decrementing it and passing it on, R hops
// in all. The actor that receives the token at 0 reports, and an exit message goes once round the
// ring, each actor stopping after passing it on. Timed from the injection of the token to the
// report. Stresses sequential hop latency: at most one message is in flight.
// Round-robin placement puts neighbours on different workers, so every hop crosses threads; the
// run reports how many hops did. The CAF twin is bench/caf/thread_ring.cpp.
// `--placement local` spawns the whole ring on worker 0 (actor_config::worker) and reports as
// thread_ring_local: the same work with every hop but the first (from the main thread) on one
// thread. It has no CAF twin; the runner compares it with CAF's thread_ring.
#include <zctor.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include "../common/zctor_bench.hpp"

namespace {

constexpr const char* impl_name = "zctor";
constexpr std::uint64_t actors = 100;
constexpr std::uint64_t default_hops = 100'000;

struct token
{
    std::uint64_t left;        // hops still to make
    std::uint32_t from_thread; // bench::thread_tag() of the sender
};
struct exit_ring
{};

class ring_actor;
struct next_is
{
    zctor::actor_ref<ring_actor> next;
};

struct result
{
    std::uint64_t hops = 0;         // tokens handled, summed over the ring
    std::uint64_t cross_thread = 0; // of those, how many came from another thread
    std::uint64_t exited = 0;
};

class ring_actor
{
public:
    ring_actor(result* r, bench::countdown* done, bench::countdown* exited)
        : r_(r), done_(done), exited_(exited)
    {}

    void handle(next_is n) { next_ = std::move(n.next); }

    void handle(token t)
    {
        // One token at a time in the whole ring: these plain counters are never written concurrently.
        ++r_->hops;
        if (t.from_thread != bench::thread_tag())
            ++r_->cross_thread;
        if (t.left == 0)
        {
            done_->arrive();
            next_.send(exit_ring{});
            return;
        }
        next_.send(token{t.left - 1, bench::thread_tag()});
    }

    void handle(zctor::context& ctx, exit_ring)
    {
        ++r_->exited;
        if (r_->exited < actors)
            next_.send(exit_ring{});
        else
            exited_->arrive();
        next_ = {};
        ctx.stop();
    }

private:
    result* r_;
    bench::countdown* done_;
    bench::countdown* exited_;
    zctor::actor_ref<ring_actor> next_;
};

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv, true);
    const std::uint64_t hops = bench::scaled(default_hops, opt.scale);
    const char* const bench_name = opt.local ? "thread_ring_local" : "thread_ring";

    bench::zctor_failures failures(bench_name);
    bench::countdown done(1);
    bench::countdown exited(1);
    result r;
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    bool finished = false;
    {
        zctor::engine eng(failures.config());
        eng.run();
        std::vector<zctor::actor_ref<ring_actor>> ring;
        ring.reserve(actors);
        for (std::uint64_t i = 0; i < actors; ++i)
            // Co-located: all on worker 0. Otherwise the engine's default, round robin.
            ring.push_back(opt.local
                               ? eng.spawn<ring_actor>(zctor::actor_config{.worker = 0}, &r, &done, &exited)
                               : eng.spawn<ring_actor>(&r, &done, &exited));
        for (std::uint64_t i = 0; i < actors; ++i)
            ring[i].send(next_is{ring[(i + 1) % actors]});

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        // The token arrives "from" the main thread: its first hop counts as crossing threads.
        ring[0].send(token{hops - 1, 0});
        finished = done.wait() && exited.wait();
        cpu1 = bench::cpu_seconds();
        ring.clear();
        eng.stop();
        eng.join();
    }

    if (!finished)
        return bench::fail(bench_name, impl_name, "timed out");
    if (failures.count() != 0)
        return bench::fail(bench_name, impl_name, "handler failures");
    if (r.hops != hops || r.exited != actors)
        return bench::fail(bench_name, impl_name,
                           std::to_string(r.hops) + " hops and " + std::to_string(r.exited) +
                               " exits, expected " + std::to_string(hops) + " and " + std::to_string(actors));
    // Co-located, only the token's first hop (from the main thread) crosses threads.
    if (opt.local && r.cross_thread != 1)
        return bench::fail(bench_name, impl_name,
                           std::to_string(r.cross_thread) +
                               " hops crossed threads on one worker, expected 1");

    const double s = bench::seconds_between(t0, done.finished_at);
    bench::json_line(bench_name, impl_name)
        .add("actors", actors)
        .add("n", hops)
        .add("seconds", s)
        .add("hop_ns", s * 1e9 / static_cast<double>(hops), 1)
        .add("cross_thread_pct", 100.0 * static_cast<double>(r.cross_thread) / static_cast<double>(hops), 1)
        .add("cpu_s", cpu1 - cpu0, 3)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
