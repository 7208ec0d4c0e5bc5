//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// ask, CAF 0.17 twin of bench/zctor/ask.cpp: the same four phases (latency and throughput, each
// with a 10 s timeout and without one), the same N, W and S, the same timing points and the same
// verification. An ask is `self->request(server, timeout, inc_atom, x).then(...)` from a
// stateful event-based actor; no timeout is caf::infinite. CAF runs the `then` callback in the
// client's context, as zctor runs the completion on the client's strand. CAF's work-stealing
// scheduler cannot pin an actor to a worker, so unlike zctor the round trips are not guaranteed
// to cross threads (cross_thread_pct says how many did).
#include <array>
#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include <caf/all.hpp>

namespace {

constexpr const char* bench_name = "ask";
constexpr const char* impl_name = "caf";
constexpr std::uint64_t default_latency_n = 40'000;
constexpr std::uint64_t default_throughput_n = 400'000;
constexpr std::uint64_t window = 64; // asks in flight in the throughput phases
constexpr std::size_t server_count = 4;
constexpr std::chrono::seconds ask_timeout{10};
constexpr std::size_t thread_count = 2;

using inc_atom = caf::atom_constant<caf::atom("inc")>;
using run_atom = caf::atom_constant<caf::atom("run")>;

// Replies x + 1 and the thread it ran on, to tell cross-thread round trips apart.
caf::behavior server_actor(caf::event_based_actor*)
{
    return {
        [](inc_atom, std::uint64_t x) -> caf::result<std::uint64_t, std::uint32_t> {
            return {x + 1, bench::thread_tag()};
        },
    };
}

struct phase
{
    const char* name;
    bool latency; // one ask at a time to one server; else `window` in flight over every server
    bool timeout; // ask_timeout; else caf::infinite
    std::uint64_t n;
};

struct phase_result
{
    std::vector<std::uint64_t> rtt_ns; // latency phases only
    std::uint64_t received = 0;
    std::uint64_t sum = 0;
    std::uint64_t failed = 0;       // asks that completed with an error
    std::uint64_t wrong = 0;        // replies other than x + 1
    std::uint64_t cross_thread = 0; // replies computed on another thread than the client's
    std::string first_error;
    bench::clock::time_point started{};
    bench::clock::time_point finished{};
    std::promise<void> done;
};

struct client_state
{
    std::vector<caf::actor> servers;
    const phase* p = nullptr;
    phase_result* r = nullptr;
    std::uint64_t issued = 0;
    caf::duration timeout{caf::infinite};
};

using client_pointer = caf::stateful_actor<client_state>*;

void on_reply(client_pointer self, std::size_t server, std::uint64_t x, bench::clock::time_point sent_at,
              const caf::error* err, std::uint64_t value, std::uint32_t thread);

void ask(client_pointer self, std::size_t server)
{
    auto& st = self->state;
    const std::uint64_t x = st.issued++;
    const auto sent_at = bench::clock::now();
    self->request(st.servers[server], st.timeout, inc_atom::value, x)
        .then([=](std::uint64_t value,
                  std::uint32_t thread) { on_reply(self, server, x, sent_at, nullptr, value, thread); },
              [=](caf::error& err) { on_reply(self, server, x, sent_at, &err, 0, 0); });
}

void on_reply(client_pointer self, std::size_t server, std::uint64_t x, bench::clock::time_point sent_at,
              const caf::error* err, std::uint64_t value, std::uint32_t thread)
{
    auto& st = self->state;
    phase_result* r = st.r;
    if (st.p->latency)
        r->rtt_ns.push_back(bench::ns_between(sent_at, bench::clock::now()));
    if (err != nullptr)
    {
        if (r->failed++ == 0)
            r->first_error = self->system().render(*err);
    }
    else
    {
        if (value != x + 1)
            ++r->wrong;
        if (thread != bench::thread_tag())
            ++r->cross_thread;
        r->sum += value;
    }
    if (++r->received == st.p->n)
    {
        r->finished = bench::clock::now();
        r->done.set_value();
        return;
    }
    if (st.issued < st.p->n)
        ask(self, server); // the same server, so each keeps its share of the window
}

caf::behavior client_actor(client_pointer self, std::vector<caf::actor> servers, const phase* phases,
                           phase_result* results)
{
    self->state.servers = std::move(servers);
    return {
        [=](run_atom, std::uint32_t index, std::uint32_t latency_server) {
            auto& st = self->state;
            st.p = &phases[index];
            st.r = &results[index];
            st.issued = 0;
            st.timeout = st.p->timeout ? caf::duration{ask_timeout} : caf::duration{caf::infinite};
            st.r->started = bench::clock::now();
            if (st.p->latency)
            {
                ask(self, latency_server);
                return;
            }
            const std::uint64_t first = std::min(window, st.p->n);
            for (std::uint64_t i = 0; i < first; ++i)
                ask(self, i % st.servers.size());
        },
    };
}

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

    bool finished = true;
    std::string failed_phase;
    bench::clock::time_point t0, t1;
    double cpu0 = 0, cpu1 = 0;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", thread_count);
        caf::actor_system sys{cfg};
        if (sys.scheduler().num_workers() != thread_count)
            return bench::fail(bench_name, impl_name,
                               "CAF did not start " + std::to_string(thread_count) + " workers");
        std::vector<caf::actor> servers;
        for (std::size_t i = 0; i < server_count; ++i)
            servers.push_back(sys.spawn(server_actor));
        auto client = sys.spawn(client_actor, servers, phases.data(), results.data());
        // Same server as the zctor twin's latency phases (there: the first on another worker).
        constexpr std::uint32_t latency_server = 1;

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        for (std::size_t i = 0; i < phases.size() && finished; ++i)
        {
            auto done = results[i].done.get_future();
            caf::anon_send(client, run_atom::value, static_cast<std::uint32_t>(i), latency_server);
            finished = done.wait_for(std::chrono::minutes(5)) == std::future_status::ready;
            if (!finished)
                failed_phase = phases[i].name;
        }
        t1 = bench::clock::now();
        cpu1 = bench::cpu_seconds();
        if (!finished)
            return bench::fail(bench_name, impl_name, "timed out in phase '" + failed_phase + "'");
        anon_send_exit(client, caf::exit_reason::user_shutdown);
        for (auto& s : servers)
            anon_send_exit(s, caf::exit_reason::user_shutdown);
    }

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
