//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// big (Savina "big"), CAF 0.17 twin of bench/zctor/big.cpp: N actors each send M pings, one at a
// time, to random peers (the same seeds and draws as the zctor twin), each answered by a pong.
// Same timing points and verification.
#include <cstdint>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include <caf/all.hpp>

namespace {

constexpr const char* bench_name = "big";
constexpr const char* impl_name = "caf";
constexpr std::uint64_t actors = 120;
constexpr std::uint64_t default_m = 20'000;
constexpr std::size_t thread_count = 2;

using start_atom = caf::atom_constant<caf::atom("start")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;

// One per actor, written only by that actor, read by main once the actors have terminated.
struct tally
{
    std::uint64_t pings_sent = 0;
    std::uint64_t pings_received = 0;
    std::uint64_t pongs_received = 0;
};

using peer_list = std::vector<caf::actor>;

struct big_state
{
    bench::rng rng{0};
};

caf::behavior big_actor(caf::stateful_actor<big_state>* self, std::uint32_t index, const peer_list* peers,
                        std::uint64_t m, tally* t, bench::countdown* done)
{
    self->state.rng = bench::rng(index + 1);
    auto send_ping = [=] {
        // A peer other than this actor.
        std::uint64_t k = self->state.rng.below(peers->size() - 1);
        if (k >= index)
            ++k;
        ++t->pings_sent;
        self->send((*peers)[k], ping_atom::value, index);
    };
    return {
        [=](start_atom) { send_ping(); },
        [=](ping_atom, std::uint32_t from) {
            ++t->pings_received;
            self->send((*peers)[from], pong_atom::value);
        },
        [=](pong_atom) {
            if (++t->pongs_received == m)
                done->arrive();
            else
                send_ping();
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
    peer_list peers; // filled before the start messages, read-only afterwards
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", thread_count);
        caf::actor_system sys{cfg};
        if (sys.scheduler().num_workers() != thread_count)
            return bench::fail(bench_name, impl_name,
                               "CAF did not start " + std::to_string(thread_count) + " workers");
        peers.reserve(actors);
        for (std::uint32_t i = 0; i < actors; ++i)
            peers.push_back(sys.spawn(big_actor, i, &peers, m, &tallies[i], &done));

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        for (const auto& p : peers)
            caf::anon_send(p, start_atom::value);
        const bool finished = done.wait();
        cpu1 = bench::cpu_seconds();
        if (!finished)
            return bench::fail(bench_name, impl_name, "timed out"); // the system would wait forever
        // The actors answer pings until told to exit; wait for them before releasing the list.
        for (const auto& p : peers)
            caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
        {
            caf::scoped_actor waiter{sys};
            waiter->wait_for(peers);
        }
        peers.clear();
    }

    std::uint64_t received = 0;
    for (std::uint64_t i = 0; i < actors; ++i)
    {
        const tally& t = tallies[i];
        if (t.pings_sent != m || t.pongs_received != m)
            return bench::fail(bench_name, impl_name,
                               "actor " + std::to_string(i) + " sent " + std::to_string(t.pings_sent) +
                                   " pings and got " + std::to_string(t.pongs_received) +
                                   " pongs, expected " + std::to_string(m));
        received += t.pings_received;
    }
    if (received != actors * m)
        return bench::fail(bench_name, impl_name,
                           std::to_string(received) + " pings received, expected " +
                               std::to_string(actors * m));

    const double s = bench::seconds_between(t0, done.finished_at);
    bench::json_line(bench_name, impl_name)
        .add("actors", actors)
        .add("n", actors * m)
        .add("seconds", s)
        .add("msgs_per_s", static_cast<double>(2 * actors * m) / s, 0)
        .add("cpu_s", cpu1 - cpu0, 3)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
