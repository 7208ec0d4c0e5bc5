//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// counting (Savina), CAF 0.17 twin of bench/zctor/counting.cpp: a producer actor sends M
// messages to a counter actor, then asks for the total. Same M, timing points and verification.
#include <chrono>
#include <cstdint>
#include <future>
#include <string>

#include "../common/bench_common.hpp"
#include <caf/all.hpp>

namespace {

constexpr const char* bench_name = "counting";
constexpr const char* impl_name = "caf";
constexpr std::uint64_t default_m = 1'000'000;
constexpr std::size_t thread_count = 2;

using increment_atom = caf::atom_constant<caf::atom("increment")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using total_atom = caf::atom_constant<caf::atom("total")>;

struct result
{
    bench::clock::time_point t0{}, t1{};
    std::uint64_t count = 0;
    std::promise<void> done;
};

struct counter_state
{
    std::uint64_t count = 0;
};

caf::behavior counter_actor(caf::stateful_actor<counter_state>* self)
{
    return {
        [=](increment_atom) { ++self->state.count; },
        [=](get_atom, const caf::actor& reply_to) {
            self->send(reply_to, total_atom::value, self->state.count);
            self->quit();
        },
    };
}

caf::behavior producer_actor(caf::event_based_actor* self, caf::actor counter, std::uint64_t m, result* r)
{
    return {
        [=](start_atom) {
            r->t0 = bench::clock::now();
            for (std::uint64_t i = 0; i < m; ++i)
                self->send(counter, increment_atom::value);
            self->send(counter, get_atom::value, caf::actor_cast<caf::actor>(self));
        },
        [=](total_atom, std::uint64_t count) {
            r->t1 = bench::clock::now();
            r->count = count;
            r->done.set_value();
            self->quit();
        },
    };
}

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t m = bench::scaled(default_m, opt.scale);

    result r;
    auto done = r.done.get_future();
    bool finished = false;
    double cpu0 = 0, cpu1 = 0;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", thread_count);
        caf::actor_system sys{cfg};
        if (sys.scheduler().num_workers() != thread_count)
            return bench::fail(bench_name, impl_name,
                               "CAF did not start " + std::to_string(thread_count) + " workers");
        auto counter = sys.spawn(counter_actor);
        auto producer = sys.spawn(producer_actor, counter, m, &r);

        cpu0 = bench::cpu_seconds();
        caf::anon_send(producer, start_atom::value);
        finished = done.wait_for(std::chrono::minutes(5)) == std::future_status::ready;
        cpu1 = bench::cpu_seconds();
        if (!finished)
            return bench::fail(bench_name, impl_name, "timed out"); // the system would wait forever
    }

    if (r.count != m)
        return bench::fail(bench_name, impl_name,
                           "counted " + std::to_string(r.count) + ", expected " + std::to_string(m));

    const double s = bench::seconds_between(r.t0, r.t1);
    bench::json_line(bench_name, impl_name)
        .add("n", m)
        .add("seconds", s)
        .add("msgs_per_s", static_cast<double>(m) / s, 0)
        .add("cpu_s", cpu1 - cpu0, 3)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
