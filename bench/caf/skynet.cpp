//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// skynet, CAF 0.17 twin of bench/zctor/skynet.cpp: a 10-ary tree of actors, each spawned by its
// parent from a handler and started with one message (as in the zctor twin, rather than doing the
// work in CAF's behaviour initialiser, so both handle the same messages). Leaves reply with their
// number, inner actors with the sum of their children's replies; each actor quits once it has
// replied. Same depth for a given --scale, same timing points and verification.
#include <cstdint>
#include <string>

#include "../common/bench_common.hpp"
#include <caf/all.hpp>

namespace {

constexpr const char* bench_name = "skynet";
constexpr const char* impl_name = "caf";
constexpr std::size_t thread_count = 2;

using start_atom = caf::atom_constant<caf::atom("start")>;
using sum_atom = caf::atom_constant<caf::atom("sum")>;

struct skynet_state
{
    caf::actor parent;
    std::uint64_t sum = 0;
    unsigned replies = 0;
};

caf::behavior skynet_actor(caf::stateful_actor<skynet_state>* self, caf::actor parent, std::uint64_t num,
                           std::uint64_t size)
{
    self->state.parent = std::move(parent);
    auto reply = [=](std::uint64_t value) {
        self->send(self->state.parent, sum_atom::value, value);
        self->state.parent = nullptr;
        self->quit();
    };
    return {
        [=](start_atom) {
            if (size == 1)
            {
                reply(num);
                return;
            }
            const auto me = caf::actor_cast<caf::actor>(self);
            const std::uint64_t child_size = size / 10;
            for (std::uint64_t i = 0; i < 10; ++i)
                self->send(self->spawn(skynet_actor, me, num + i * child_size, child_size),
                           start_atom::value);
        },
        [=](sum_atom, std::uint64_t value) {
            self->state.sum += value;
            if (++self->state.replies == 10)
                reply(self->state.sum);
        },
    };
}

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const unsigned depth = bench::skynet_depth(opt.scale);
    const std::uint64_t leaves = bench::pow10(depth);
    const std::uint64_t expected = leaves * (leaves - 1) / 2;

    bench::countdown done(1);
    std::uint64_t sum = 0;
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", thread_count);
        caf::actor_system sys{cfg};
        if (sys.scheduler().num_workers() != thread_count)
            return bench::fail(bench_name, impl_name,
                               "CAF did not start " + std::to_string(thread_count) + " workers");
        auto collector = sys.spawn([&](caf::event_based_actor* self) -> caf::behavior {
            return {[&, self](sum_atom, std::uint64_t value) {
                sum = value;
                done.arrive();
                self->quit();
            }};
        });
        auto root = sys.spawn(skynet_actor, collector, std::uint64_t{0}, leaves);

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        caf::anon_send(root, start_atom::value);
        root = nullptr;
        const bool finished = done.wait();
        cpu1 = bench::cpu_seconds();
        if (!finished)
            return bench::fail(bench_name, impl_name, "timed out"); // the system would wait forever
    }

    if (sum != expected)
        return bench::fail(bench_name, impl_name,
                           "sum " + std::to_string(sum) + ", expected " + std::to_string(expected));
    const std::uint64_t actors = (10 * leaves - 1) / 9;

    const double s = bench::seconds_between(t0, done.finished_at);
    bench::json_line(bench_name, impl_name)
        .add("n", actors)
        .add("leaves", leaves)
        .add("sum", sum)
        .add("seconds", s)
        .add("actors_per_s", static_cast<double>(actors) / s, 0)
        .add("cpu_s", cpu1 - cpu0, 3)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
