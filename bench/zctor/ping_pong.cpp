//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// ping-pong (Savina): two actors on different workers exchange one message back and forth,
// N round trips. Measures the total time and each round trip (send of ping -> receipt of pong,
// steady_clock on the ping side). Stresses handoff latency and worker wake-up.
// The CAF twin is bench/caf/ping_pong.cpp; keep both doing the same work.
// `--placement local` spawns both actors on worker 0 (actor_config::worker) and reports as
// ping_pong_local: the round trip without a thread handoff. It has no CAF twin; the runner
// compares it with CAF's ping_pong.
#include <zctor.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include "../common/zctor_bench.hpp"

namespace {

constexpr const char* impl_name = "zctor";
constexpr std::uint64_t default_n = 40'000;

struct ping_msg
{
    std::uint32_t seq;
};
struct pong_msg
{
    std::uint32_t seq;
    std::uint32_t pong_thread;
};
struct start
{};
// Tells pong where to answer (sent once, so no message carries a reference on the hot path).
struct peer
{
    zctor::actor_ref<zctor::receives<pong_msg>> ref;
};

struct result
{
    std::vector<std::uint64_t> rtt_ns;
    std::uint64_t received = 0;
    std::uint64_t cross_thread = 0; // round trips where pong ran on another thread than ping
    bool in_order = true;
    std::promise<void> done;
};

class pong_actor
{
public:
    void handle(peer p) { ping_ = std::move(p.ref); }
    void handle(ping_msg m) { ping_.send(pong_msg{m.seq, bench::thread_tag()}); }

private:
    zctor::actor_ref<zctor::receives<pong_msg>> ping_;
};

class ping_actor
{
public:
    ping_actor(zctor::actor_ref<pong_actor> pong, std::uint64_t n, result* r)
        : pong_(std::move(pong)), n_(n), r_(r)
    {}

    void handle(zctor::context& ctx, start)
    {
        pong_.send(peer{ctx.self<ping_actor>()});
        send_next();
    }

    void handle(pong_msg m)
    {
        const auto now = bench::clock::now();
        r_->rtt_ns.push_back(bench::ns_between(sent_at_, now));
        if (m.seq != static_cast<std::uint32_t>(r_->received))
            r_->in_order = false;
        if (m.pong_thread != bench::thread_tag())
            ++r_->cross_thread;
        if (++r_->received < n_)
        {
            send_next();
            return;
        }
        // Break the reference cycle ping <-> pong so both actors can be freed.
        pong_.send(peer{});
        pong_ = {};
        r_->done.set_value();
    }

private:
    void send_next()
    {
        sent_at_ = bench::clock::now();
        pong_.send(ping_msg{static_cast<std::uint32_t>(r_->received)});
    }

    zctor::actor_ref<pong_actor> pong_;
    std::uint64_t n_;
    result* r_;
    bench::clock::time_point sent_at_{};
};

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv, true);
    const std::uint64_t n = bench::scaled(default_n, opt.scale);
    const char* const bench_name = opt.local ? "ping_pong_local" : "ping_pong";

    bench::zctor_failures failures(bench_name);

    result r;
    r.rtt_ns.reserve(n);
    auto done = r.done.get_future();

    zctor::engine eng(failures.config());
    eng.run();
    // Co-located: both on worker 0. Otherwise the engine's default, round robin.
    const zctor::actor_config on_worker_0{.worker = 0};
    auto pong = opt.local ? eng.spawn<pong_actor>(on_worker_0) : eng.spawn<pong_actor>();
    auto ping =
        opt.local ? eng.spawn<ping_actor>(on_worker_0, pong, n, &r) : eng.spawn<ping_actor>(pong, n, &r);
    // Round-robin placement: the first two spawns land on workers 0 and 1.
    if (!opt.local && ping.worker_index() == pong.worker_index())
        return bench::fail(bench_name, impl_name, "ping and pong were placed on the same worker");
    if (opt.local && (ping.worker_index() != 0 || pong.worker_index() != 0))
        return bench::fail(bench_name, impl_name, "ping and pong were not both placed on worker 0");

    const double cpu0 = bench::cpu_seconds();
    const auto t0 = bench::clock::now();
    ping.send(start{});
    const bool finished = done.wait_for(std::chrono::minutes(5)) == std::future_status::ready;
    const auto t1 = bench::clock::now();
    const double cpu1 = bench::cpu_seconds();
    eng.stop();
    eng.join();

    if (!finished)
        return bench::fail(bench_name, impl_name, "timed out");
    if (failures.count() != 0)
        return bench::fail(bench_name, impl_name, "handler failures");
    if (r.received != n || r.rtt_ns.size() != n)
        return bench::fail(bench_name, impl_name,
                           "received " + std::to_string(r.received) + " round trips, expected " +
                               std::to_string(n));
    if (!r.in_order)
        return bench::fail(bench_name, impl_name, "round trips out of order");
    if (opt.local && r.cross_thread != 0)
        return bench::fail(bench_name, impl_name,
                           std::to_string(r.cross_thread) + " round trips crossed threads on one worker");

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
