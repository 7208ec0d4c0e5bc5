//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// big (Savina "big"): N actors; each sends M pings, one at a time, to peers picked at random
// (never itself, from a fixed per-actor seed, so the zctor and CAF twins draw the same peers);
// every ping is answered by a pong to its sender, and an actor sends its next ping when the pong
// for the previous one arrives. Actors keep answering pings after their own M are done. Timed from
// the start message to the last actor's M-th pong; every actor must have sent M pings and received
// M pongs, and the pings received must add up to N x M. Stresses many-to-many messaging.
// The CAF twin is bench/caf/big.cpp.
#include <zctor.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include "../common/zctor_bench.hpp"

namespace {

constexpr const char* bench_name = "big";
constexpr const char* impl_name = "zctor";
constexpr std::uint64_t actors = 120;
constexpr std::uint64_t default_m = 20'000;

struct start
{};
struct ping
{
    std::uint32_t from; // the sender's index among the peers
};
struct pong
{};

// One per actor, written only by that actor, read by main once the engine has joined.
struct tally
{
    std::uint64_t pings_sent = 0;
    std::uint64_t pings_received = 0;
    std::uint64_t pongs_received = 0;
};

class big_actor;
using peer_list = std::vector<zctor::actor_ref<big_actor>>;

class big_actor
{
public:
    big_actor(std::uint32_t index, const peer_list* peers, std::uint64_t m, tally* t, bench::countdown* done)
        : index_(index), peers_(peers), m_(m), t_(t), done_(done), rng_(index + 1)
    {}

    void handle(start) { send_ping(); }

    void handle(ping p)
    {
        ++t_->pings_received;
        (*peers_)[p.from].send(pong{});
    }

    void handle(pong)
    {
        if (++t_->pongs_received == m_)
            done_->arrive();
        else
            send_ping();
    }

private:
    void send_ping()
    {
        // A peer other than this actor.
        std::uint64_t k = rng_.below(peers_->size() - 1);
        if (k >= index_)
            ++k;
        ++t_->pings_sent;
        (*peers_)[k].send(ping{index_});
    }

    std::uint32_t index_;
    const peer_list* peers_; // filled before the start message, read-only afterwards
    std::uint64_t m_;
    tally* t_;
    bench::countdown* done_;
    bench::rng rng_;
};

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t m = bench::scaled(default_m, opt.scale);

    bench::zctor_failures failures(bench_name);
    bench::countdown done(actors);
    std::vector<tally> tallies(actors);
    peer_list peers;
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    bool finished = false;
    {
        zctor::engine eng(failures.config());
        eng.run();
        peers.reserve(actors);
        for (std::uint32_t i = 0; i < actors; ++i)
            peers.push_back(eng.spawn<big_actor>(i, &peers, m, &tallies[i], &done));

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        for (const auto& p : peers)
            p.send(start{});
        finished = done.wait();
        cpu1 = bench::cpu_seconds();
        // Stop the actors before releasing the list they read.
        eng.stop();
        eng.join();
        peers.clear();
    }

    if (!finished)
        return bench::fail(bench_name, impl_name, "timed out");
    if (failures.count() != 0)
        return bench::fail(bench_name, impl_name, "handler failures");
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
