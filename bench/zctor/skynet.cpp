//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// skynet: a 10-ary tree of actors, each spawned by its parent from a handler (ctx.spawn) and
// started with one message. A leaf replies to its parent with its number; an inner actor spawns
// its 10 children, adds up their replies and replies with the sum. Every actor stops itself once
// it has replied, so its memory is released while the tree is still being built elsewhere. With
// 10^6 leaves (1,111,111 actors) the sum is 499999500000; --scale X uses 10^d leaves, d the
// nearest integer to log10(10^6 X), and checks the sum L (L - 1) / 2 for L leaves. Timed from the
// root's start message to the root's reply. Stresses spawn rate and memory under churn.
// The CAF twin is bench/caf/skynet.cpp.
#include <zctor.hpp>

#include <cstdint>
#include <string>

#include "../common/bench_common.hpp"
#include "../common/zctor_bench.hpp"

namespace {

constexpr const char* bench_name = "skynet";
constexpr const char* impl_name = "zctor";

struct start
{};
struct sum_msg
{
    std::uint64_t value;
};
using parent_ref = zctor::actor_ref<zctor::receives<sum_msg>>;

class skynet_actor
{
public:
    skynet_actor(parent_ref parent, std::uint64_t num, std::uint64_t size)
        : parent_(std::move(parent)), num_(num), size_(size)
    {}

    void handle(zctor::context& ctx, start)
    {
        if (size_ == 1)
        {
            reply(ctx, num_);
            return;
        }
        const parent_ref self = ctx.self<skynet_actor>();
        const std::uint64_t child_size = size_ / 10;
        for (std::uint64_t i = 0; i < 10; ++i)
            ctx.spawn<skynet_actor>(self, num_ + i * child_size, child_size).send(start{});
    }

    void handle(zctor::context& ctx, sum_msg s)
    {
        sum_ += s.value;
        if (++replies_ == 10)
            reply(ctx, sum_);
    }

private:
    void reply(zctor::context& ctx, std::uint64_t value)
    {
        parent_.send(sum_msg{value});
        parent_ = {};
        ctx.stop();
    }

    parent_ref parent_;
    std::uint64_t num_;
    std::uint64_t size_;
    std::uint64_t sum_ = 0;
    unsigned replies_ = 0;
};

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const unsigned depth = bench::skynet_depth(opt.scale);
    const std::uint64_t leaves = bench::pow10(depth);
    const std::uint64_t expected = leaves * (leaves - 1) / 2;

    bench::zctor_failures failures(bench_name);
    bench::countdown done(1);
    std::uint64_t sum = 0;
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    bool finished = false;
    zctor::engine_stats stats;
    {
        zctor::engine eng(failures.config());
        eng.run();
        auto collector = eng.spawn<sum_msg>([&](sum_msg s) {
            sum = s.value;
            done.arrive();
        });
        auto root = eng.spawn<skynet_actor>(parent_ref(collector), 0, leaves);

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        root.send(start{});
        root = {};
        finished = done.wait();
        cpu1 = bench::cpu_seconds();
        eng.stop();
        eng.join();
        stats = eng.stats();
    }

    if (!finished)
        return bench::fail(bench_name, impl_name, "timed out");
    if (failures.count() != 0)
        return bench::fail(bench_name, impl_name, "handler failures");
    if (sum != expected)
        return bench::fail(bench_name, impl_name,
                           "sum " + std::to_string(sum) + ", expected " + std::to_string(expected));
    const std::uint64_t actors = (10 * leaves - 1) / 9;
    // The tree, the collector: every one spawned once.
    if (stats.actors_spawned != actors + 1)
        return bench::fail(bench_name, impl_name,
                           std::to_string(stats.actors_spawned) + " actors spawned, expected " +
                               std::to_string(actors + 1));

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
