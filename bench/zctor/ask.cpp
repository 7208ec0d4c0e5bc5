//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// ask: request/reply through zctor's ask (actor_ref::async_ask with a callback, called from a
// class actor's handlers), in four phases run one after the other in one process:
//
//   latency, 10 s timeout     one client asks one server (on the other worker) `inc{x}`, reply
//   latency, no_timeout       x + 1, one ask at a time: the next ask is made from the completion
//                             of the previous one.
//                             Every round trip is timed (async_ask call -> completion), p50/p99.
//   throughput, 10 s timeout  the client keeps W asks in flight, spread over S servers, until N
//   throughput, no_timeout    replies: asks per second.
//
// A timeout is what a real caller passes (and costs zctor a timer per ask); zctor::no_timeout
// (CAF: caf::infinite) is the same ask without one. Each phase checks every reply (x + 1), the
// count and the sum of the replies, and that every completion ran on the client's strand (the
// executor rule of async_ask); any failed ask, wrong reply or completion elsewhere fails the run.
// The CAF twin is bench/caf/ask.cpp; keep both doing the same work.
#include <zctor.hpp>

#include <boost/system/error_code.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include "../common/zctor_bench.hpp"

namespace {

constexpr const char* bench_name = "ask";
constexpr const char* impl_name = "zctor";
constexpr std::uint64_t default_latency_n = 40'000;
constexpr std::uint64_t default_throughput_n = 400'000;
constexpr std::uint64_t window = 64; // asks in flight in the throughput phases
constexpr std::size_t server_count = 4;
constexpr std::chrono::seconds ask_timeout{10};

struct inc_reply
{
    std::uint64_t value = 0;
    std::uint32_t thread = 0; // the server's thread, to tell cross-thread round trips apart
};

struct inc
{
    std::uint64_t x;
    using reply_type = inc_reply;
};

class server_actor
{
public:
    inc_reply handle(inc r) { return {r.x + 1, bench::thread_tag()}; }
};

struct phase
{
    const char* name;
    bool latency; // one ask at a time to one server; else `window` in flight over every server
    bool timeout; // ask_timeout; else zctor::no_timeout
    std::uint64_t n;
};

struct phase_result
{
    std::vector<std::uint64_t> rtt_ns; // latency phases only
    std::uint64_t received = 0;
    std::uint64_t sum = 0;
    std::uint64_t failed = 0;       // asks that completed with an error
    std::uint64_t wrong = 0;        // replies other than x + 1
    std::uint64_t off_strand = 0;   // completions that did not run on the client's strand
    std::uint64_t cross_thread = 0; // replies computed on another thread than the client's
    std::string first_error;
    bench::clock::time_point started{};
    bench::clock::time_point finished{};
    std::promise<void> done;
};

struct run_phase
{
    const phase* p;
    phase_result* r;
    std::size_t latency_server;
};

class client_actor
{
public:
    using server_ref = zctor::actor_ref<server_actor>;

    explicit client_actor(std::vector<server_ref> servers) : servers_(std::move(servers)) {}

    void handle(zctor::context& ctx, run_phase m)
    {
        strand_.emplace(ctx.get_executor());
        p_ = m.p;
        r_ = m.r;
        issued_ = 0;
        timeout_ = p_->timeout ? std::chrono::steady_clock::duration(ask_timeout) : zctor::no_timeout;
        r_->started = bench::clock::now();
        if (p_->latency)
        {
            ask(m.latency_server);
            return;
        }
        const std::uint64_t first = std::min(window, p_->n);
        for (std::uint64_t i = 0; i < first; ++i)
            ask(i % servers_.size());
    }

private:
    void ask(std::size_t server)
    {
        const std::uint64_t x = issued_++;
        const auto sent_at = bench::clock::now();
        servers_[server].async_ask(
            inc{x}, timeout_,
            [this, server, x, sent_at](const boost::system::error_code& ec, inc_reply reply) {
                on_reply(server, x, sent_at, ec, reply);
            });
    }

    void on_reply(std::size_t server, std::uint64_t x, bench::clock::time_point sent_at,
                  const boost::system::error_code& ec, const inc_reply& reply)
    {
        if (p_->latency)
            r_->rtt_ns.push_back(bench::ns_between(sent_at, bench::clock::now()));
        if (!strand_->running_in_this_thread())
            ++r_->off_strand;
        if (ec)
        {
            if (r_->failed++ == 0)
                r_->first_error = ec.message();
        }
        else
        {
            if (reply.value != x + 1)
                ++r_->wrong;
            if (reply.thread != bench::thread_tag())
                ++r_->cross_thread;
            r_->sum += reply.value;
        }
        if (++r_->received == p_->n)
        {
            r_->finished = bench::clock::now();
            r_->done.set_value();
            return;
        }
        if (issued_ < p_->n)
            ask(server); // the same server, so each keeps its share of the window
    }

    std::vector<server_ref> servers_;
    std::optional<zctor::context::executor_type> strand_; // set by the first run_phase
    const phase* p_ = nullptr;
    phase_result* r_ = nullptr;
    std::uint64_t issued_ = 0;
    std::chrono::steady_clock::duration timeout_{};
};

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t latency_n = bench::scaled(default_latency_n, opt.scale);
    const std::uint64_t throughput_n = bench::scaled(default_throughput_n, opt.scale);
    const std::array<phase, 4> phases{{
        {"latency, 10 s timeout", true, true, latency_n},
        {"latency, no timeout", true, false, latency_n},
        {"throughput, 10 s timeout", false, true, throughput_n},
        {"throughput, no timeout", false, false, throughput_n},
    }};
    std::array<phase_result, 4> results;
    results[0].rtt_ns.reserve(latency_n);
    results[1].rtt_ns.reserve(latency_n);

    bench::zctor_failures failures(bench_name);
    zctor::engine eng(failures.config());
    eng.run();
    std::vector<client_actor::server_ref> servers;
    for (std::size_t i = 0; i < server_count; ++i)
        servers.push_back(eng.spawn<server_actor>());
    auto client = eng.spawn<client_actor>(servers);
    // The latency phases ask a server on the other worker (placement is round-robin), so every
    // round trip crosses threads, as in ping_pong.
    std::size_t latency_server = 0;
    while (latency_server < servers.size() && servers[latency_server].worker_index() == client.worker_index())
        ++latency_server;
    if (latency_server == servers.size())
        return bench::fail(bench_name, impl_name, "every server was placed on the client's worker");

    const double cpu0 = bench::cpu_seconds();
    const auto t0 = bench::clock::now();
    bool finished = true;
    std::string failed_phase;
    for (std::size_t i = 0; i < phases.size() && finished; ++i)
    {
        auto done = results[i].done.get_future();
        client.send(run_phase{&phases[i], &results[i], latency_server});
        finished = done.wait_for(std::chrono::minutes(5)) == std::future_status::ready;
        if (!finished)
            failed_phase = phases[i].name;
    }
    const auto t1 = bench::clock::now();
    const double cpu1 = bench::cpu_seconds();
    eng.stop();
    eng.join();

    if (!finished)
        return bench::fail(bench_name, impl_name, "timed out in phase '" + failed_phase + "'");
    if (failures.count() != 0)
        return bench::fail(bench_name, impl_name, "handler failures");
    for (std::size_t i = 0; i < phases.size(); ++i)
    {
        const phase& p = phases[i];
        const phase_result& r = results[i];
        const std::string where = std::string(p.name) + ": ";
        if (r.failed != 0)
            return bench::fail(bench_name, impl_name,
                               where + std::to_string(r.failed) +
                                   " asks failed, the first with: " + r.first_error);
        // Replies are x + 1 for x = 0 .. n-1: their sum is n (n + 1) / 2.
        const std::uint64_t expected_sum = p.n * (p.n + 1) / 2;
        if (r.received != p.n || r.wrong != 0 || r.sum != expected_sum)
            return bench::fail(bench_name, impl_name,
                               where + "received " + std::to_string(r.received) + " replies (expected " +
                                   std::to_string(p.n) + "), " + std::to_string(r.wrong) + " wrong, sum " +
                                   std::to_string(r.sum) + " (expected " + std::to_string(expected_sum) +
                                   ")");
        if (r.off_strand != 0)
            return bench::fail(bench_name, impl_name,
                               where + std::to_string(r.off_strand) +
                                   " completions did not run on the client's strand");
        if (p.latency && r.rtt_ns.size() != p.n)
            return bench::fail(bench_name, impl_name, where + "missing round-trip times");
    }

    auto us = [](std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; };
    auto rate = [](const phase& p, const phase_result& r) {
        return static_cast<double>(p.n) / bench::seconds_between(r.started, r.finished);
    };
    bench::json_line(bench_name, impl_name)
        .add("n", latency_n)
        .add("n_throughput", throughput_n)
        .add("window", window)
        .add("servers", static_cast<std::uint64_t>(server_count))
        .add("p50_us", us(bench::percentile(results[0].rtt_ns, 50)), 3)
        .add("p99_us", us(bench::percentile(results[0].rtt_ns, 99)), 3)
        .add("nt_p50_us", us(bench::percentile(results[1].rtt_ns, 50)), 3)
        .add("nt_p99_us", us(bench::percentile(results[1].rtt_ns, 99)), 3)
        .add("asks_per_s", rate(phases[2], results[2]), 0)
        .add("nt_asks_per_s", rate(phases[3], results[3]), 0)
        .add("cross_thread_pct",
             100.0 * static_cast<double>(results[0].cross_thread) / static_cast<double>(latency_n), 1)
        .add("seconds", bench::seconds_between(t0, t1))
        .add("cpu_s", cpu1 - cpu0, 3)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
