//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// counting (Savina): a producer actor sends M empty messages to a counter actor on the other
// worker, then asks for the total; the counter answers with its count. Timed from the first
// send to the receipt of the total. Stresses one-to-one mailbox throughput (and allocation).
// The CAF twin is bench/caf/counting.cpp; keep both doing the same work.
#include <zctor.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <string>

#include "../common/bench_common.hpp"
#include "../common/zctor_bench.hpp"

namespace {

constexpr const char* bench_name = "counting";
constexpr const char* impl_name = "zctor";
constexpr std::uint64_t default_m = 1'000'000;

struct increment
{};
struct start
{};
struct total
{
    std::uint64_t count;
};
struct get_total
{
    zctor::actor_ref<zctor::receives<total>> reply_to;
};

struct result
{
    bench::clock::time_point t0{}, t1{};
    std::uint64_t count = 0;
    std::promise<void> done;
};

class counter_actor
{
public:
    void handle(increment) { ++count_; }
    void handle(get_total g) { g.reply_to.send(total{count_}); }

private:
    std::uint64_t count_ = 0;
};

class producer_actor
{
public:
    producer_actor(zctor::actor_ref<counter_actor> counter, std::uint64_t m, result* r)
        : counter_(std::move(counter)), m_(m), r_(r)
    {}

    void handle(zctor::context& ctx, start)
    {
        r_->t0 = bench::clock::now();
        for (std::uint64_t i = 0; i < m_; ++i)
            counter_.send(increment{});
        counter_.send(get_total{ctx.self<producer_actor>()});
        counter_ = {};
    }

    void handle(total t)
    {
        r_->t1 = bench::clock::now();
        r_->count = t.count;
        r_->done.set_value();
    }

private:
    zctor::actor_ref<counter_actor> counter_;
    std::uint64_t m_;
    result* r_;
};

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t m = bench::scaled(default_m, opt.scale);

    bench::zctor_failures failures(bench_name);

    result r;
    auto done = r.done.get_future();

    zctor::engine eng(failures.config());
    eng.run();
    auto counter = eng.spawn<counter_actor>();
    auto producer = eng.spawn<producer_actor>(counter, m, &r);
    if (producer.worker_index() == counter.worker_index())
        return bench::fail(bench_name, impl_name, "producer and counter were placed on the same worker");

    const double cpu0 = bench::cpu_seconds();
    producer.send(start{});
    const bool finished = done.wait_for(std::chrono::minutes(5)) == std::future_status::ready;
    const double cpu1 = bench::cpu_seconds();
    eng.stop();
    eng.join();

    if (!finished)
        return bench::fail(bench_name, impl_name, "timed out");
    if (failures.count() != 0)
        return bench::fail(bench_name, impl_name, "handler failures");
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
