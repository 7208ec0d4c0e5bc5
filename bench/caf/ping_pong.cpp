//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// ping-pong (Savina), CAF 0.17 twin of bench/zctor/ping_pong.cpp: same N, same timing points,
// same verification. CAF's work-stealing scheduler cannot pin an actor to a worker, so unlike
// zctor the two actors are not guaranteed to run on different threads.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include <caf/all.hpp>

namespace {

constexpr const char* bench_name = "ping_pong";
constexpr const char* impl_name = "caf";
constexpr std::uint64_t default_n = 40'000;
constexpr std::size_t thread_count = 2;

using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using peer_atom = caf::atom_constant<caf::atom("peer")>;

struct result
{
    std::vector<std::uint64_t> rtt_ns;
    std::uint64_t received = 0;
    std::uint64_t cross_thread = 0; // round trips where pong ran on another thread than ping
    bool in_order = true;
    std::promise<void> done;
};

struct pong_state
{
    caf::actor ping;
};

caf::behavior pong_actor(caf::stateful_actor<pong_state>* self)
{
    return {
        [=](peer_atom, const caf::actor& p) { self->state.ping = p; },
        [=](ping_atom, std::uint32_t seq) {
            self->send(self->state.ping, pong_atom::value, seq, bench::thread_tag());
        },
    };
}

struct ping_state
{
    caf::actor pong;
    bench::clock::time_point sent_at{};
};

caf::behavior ping_actor(caf::stateful_actor<ping_state>* self, caf::actor pong, std::uint64_t n, result* r)
{
    self->state.pong = std::move(pong);
    auto send_next = [=] {
        self->state.sent_at = bench::clock::now();
        self->send(self->state.pong, ping_atom::value, static_cast<std::uint32_t>(r->received));
    };
    return {
        [=](start_atom) {
            self->send(self->state.pong, peer_atom::value, caf::actor_cast<caf::actor>(self));
            send_next();
        },
        [=](pong_atom, std::uint32_t seq, std::uint32_t pong_thread) {
            const auto now = bench::clock::now();
            r->rtt_ns.push_back(bench::ns_between(self->state.sent_at, now));
            if (seq != static_cast<std::uint32_t>(r->received))
                r->in_order = false;
            if (pong_thread != bench::thread_tag())
                ++r->cross_thread;
            if (++r->received < n)
            {
                send_next();
                return;
            }
            // Break the reference cycle ping <-> pong so the actor system can shut down.
            self->send_exit(self->state.pong, caf::exit_reason::user_shutdown);
            self->state.pong = nullptr;
            r->done.set_value();
            self->quit();
        },
    };
}

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t n = bench::scaled(default_n, opt.scale);

    result r;
    r.rtt_ns.reserve(n);
    auto done = r.done.get_future();
    bool finished = false;
    bench::clock::time_point t0, t1;
    double cpu0 = 0, cpu1 = 0;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", thread_count);
        caf::actor_system sys{cfg};
        if (sys.scheduler().num_workers() != thread_count)
            return bench::fail(bench_name, impl_name,
                               "CAF did not start " + std::to_string(thread_count) + " workers");
        auto pong = sys.spawn(pong_actor);
        auto ping = sys.spawn(ping_actor, pong, n, &r);

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        caf::anon_send(ping, start_atom::value);
        finished = done.wait_for(std::chrono::minutes(5)) == std::future_status::ready;
        t1 = bench::clock::now();
        cpu1 = bench::cpu_seconds();
        if (!finished)
            return bench::fail(bench_name, impl_name, "timed out"); // the system would wait forever
    }

    if (r.received != n || r.rtt_ns.size() != n)
        return bench::fail(bench_name, impl_name,
                           "received " + std::to_string(r.received) + " round trips, expected " +
                               std::to_string(n));
    if (!r.in_order)
        return bench::fail(bench_name, impl_name, "round trips out of order");

    const std::uint64_t p50 = bench::percentile(r.rtt_ns, 50);
    const std::uint64_t p99 = bench::percentile(r.rtt_ns, 99);
    bench::json_line(bench_name, impl_name)
        .add("n", n)
        .add("seconds", bench::seconds_between(t0, t1))
        .add("p50_us", static_cast<double>(p50) / 1000.0, 3)
        .add("p99_us", static_cast<double>(p99) / 1000.0, 3)
        .add("cross_thread_pct", 100.0 * static_cast<double>(r.cross_thread) / static_cast<double>(n), 1)
        .add("cpu_s", cpu1 - cpu0, 3)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
