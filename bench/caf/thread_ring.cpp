//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// thread ring (Savina "threadring"), CAF 0.17 twin of bench/zctor/thread_ring.cpp: N actors in a
// ring pass one token R hops, then an exit message goes once round the ring. Same timing points
// and verification. CAF's work-stealing scheduler decides where each actor runs, so hops may stay
// on one thread; the run reports how many crossed threads.
#include <cstdint>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include <caf/all.hpp>

namespace {

constexpr const char* bench_name = "thread_ring";
constexpr const char* impl_name = "caf";
constexpr std::uint64_t actors = 100;
constexpr std::uint64_t default_hops = 100'000;
constexpr std::size_t thread_count = 2;

using token_atom = caf::atom_constant<caf::atom("token")>;
using exit_atom = caf::atom_constant<caf::atom("exitring")>;
using next_atom = caf::atom_constant<caf::atom("next")>;

struct result
{
    std::uint64_t hops = 0;         // tokens handled, summed over the ring
    std::uint64_t cross_thread = 0; // of those, how many came from another thread
    std::uint64_t exited = 0;
};

struct ring_state
{
    caf::actor next;
};

caf::behavior ring_actor(caf::stateful_actor<ring_state>* self, result* r, bench::countdown* done,
                         bench::countdown* exited)
{
    return {
        [=](next_atom, const caf::actor& next) { self->state.next = next; },
        [=](token_atom, std::uint64_t left, std::uint32_t from_thread) {
            // One token at a time in the whole ring: these plain counters are never written concurrently.
            ++r->hops;
            if (from_thread != bench::thread_tag())
                ++r->cross_thread;
            if (left == 0)
            {
                done->arrive();
                self->send(self->state.next, exit_atom::value);
                return;
            }
            self->send(self->state.next, token_atom::value, left - 1, bench::thread_tag());
        },
        [=](exit_atom) {
            ++r->exited;
            if (r->exited < actors)
                self->send(self->state.next, exit_atom::value);
            else
                exited->arrive();
            self->state.next = nullptr;
            self->quit();
        },
    };
}

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t hops = bench::scaled(default_hops, opt.scale);

    bench::countdown done(1);
    bench::countdown exited(1);
    result r;
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", thread_count);
        caf::actor_system sys{cfg};
        if (sys.scheduler().num_workers() != thread_count)
            return bench::fail(bench_name, impl_name,
                               "CAF did not start " + std::to_string(thread_count) + " workers");
        std::vector<caf::actor> ring;
        ring.reserve(actors);
        for (std::uint64_t i = 0; i < actors; ++i)
            ring.push_back(sys.spawn(ring_actor, &r, &done, &exited));
        for (std::uint64_t i = 0; i < actors; ++i)
            caf::anon_send(ring[i], next_atom::value, ring[(i + 1) % actors]);

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        // The token arrives "from" the main thread: its first hop counts as crossing threads.
        caf::anon_send(ring[0], token_atom::value, hops - 1, std::uint32_t{0});
        const bool finished = done.wait() && exited.wait();
        cpu1 = bench::cpu_seconds();
        ring.clear();
        if (!finished)
            return bench::fail(bench_name, impl_name, "timed out"); // the system would wait forever
    }

    if (r.hops != hops || r.exited != actors)
        return bench::fail(bench_name, impl_name,
                           std::to_string(r.hops) + " hops and " + std::to_string(r.exited) +
                               " exits, expected " + std::to_string(hops) + " and " + std::to_string(actors));

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
