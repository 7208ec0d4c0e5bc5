//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// chameneos (Savina "chameneos"): C creature actors and one mall actor. Each creature sends the
// mall a meet request carrying its colour and a reference to itself. The mall keeps one waiting
// creature; the next request is forwarded to it, and the two meet: each changes colour and asks
// again. After M meetings the mall answers every request with "exit", and each creature reports
// its number of meetings to the mall before stopping. Timed from the first request to the mall
// receiving the last report; the reports must add up to 2 M. Stresses many senders on one
// mailbox. The CAF twin is bench/caf/chameneos.cpp.
#include <zctor.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include "../common/zctor_bench.hpp"

namespace {

constexpr const char* bench_name = "chameneos";
constexpr const char* impl_name = "zctor";
constexpr std::uint64_t creatures = 100;
constexpr std::uint64_t default_meetings = 200'000;

enum class colour : std::uint8_t
{
    red,
    yellow,
    blue,
    faded,
};

colour complement(colour a, colour b)
{
    if (a == b)
        return a;
    // The colour that is neither.
    return static_cast<colour>(3 - static_cast<int>(a) - static_cast<int>(b));
}

class creature_actor;

struct start
{};
struct meet
{
    colour c;
    zctor::actor_ref<creature_actor> from;
};
struct change
{
    colour c;
};
struct exit_mall
{};
struct meeting_count
{
    std::uint64_t meetings;
};

using mall_ref = zctor::actor_ref<zctor::receives<meet, meeting_count>>;

class creature_actor
{
public:
    creature_actor(mall_ref mall, colour c) : mall_(std::move(mall)), colour_(c) {}

    void handle(zctor::context& ctx, start)
    {
        self_ = ctx.self<creature_actor>();
        mall_.send(meet{colour_, self_});
    }

    void handle(meet m)
    {
        colour_ = complement(colour_, m.c);
        ++meetings_;
        m.from.send(change{colour_});
        mall_.send(meet{colour_, self_});
    }

    void handle(change c)
    {
        colour_ = c.c;
        ++meetings_;
        mall_.send(meet{colour_, self_});
    }

    void handle(zctor::context& ctx, exit_mall)
    {
        colour_ = colour::faded;
        mall_.send(meeting_count{meetings_});
        ctx.stop();
    }

private:
    mall_ref mall_;
    colour colour_;
    std::uint64_t meetings_ = 0;
    zctor::actor_ref<creature_actor> self_;
};

struct result
{
    std::uint64_t sum = 0;
    std::uint64_t faded = 0;
    bench::countdown done{1};
};

class mall_actor
{
public:
    mall_actor(std::uint64_t meetings, result* r) : left_(meetings), r_(r) {}

    void handle(meet m)
    {
        if (left_ == 0)
        {
            m.from.send(exit_mall{});
            return;
        }
        if (!waiting_)
        {
            waiting_ = std::move(m.from);
            return;
        }
        --left_;
        waiting_.send(std::move(m));
        waiting_ = {};
    }

    void handle(zctor::context& ctx, meeting_count c)
    {
        r_->sum += c.meetings;
        if (++r_->faded == creatures)
        {
            r_->done.arrive();
            ctx.stop();
        }
    }

private:
    std::uint64_t left_;
    result* r_;
    zctor::actor_ref<creature_actor> waiting_;
};

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t meetings = bench::scaled(default_meetings, opt.scale);

    bench::zctor_failures failures(bench_name);
    result r;
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    bool finished = false;
    {
        zctor::engine eng(failures.config());
        eng.run();
        mall_ref mall = eng.spawn<mall_actor>(meetings, &r);
        std::vector<zctor::actor_ref<creature_actor>> all;
        all.reserve(creatures);
        for (std::uint64_t i = 0; i < creatures; ++i)
            all.push_back(eng.spawn<creature_actor>(mall, static_cast<colour>(i % 3)));

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        for (const auto& c : all)
            c.send(start{});
        finished = r.done.wait();
        cpu1 = bench::cpu_seconds();
        all.clear();
        eng.stop();
        eng.join();
    }

    if (!finished)
        return bench::fail(bench_name, impl_name, "timed out");
    if (failures.count() != 0)
        return bench::fail(bench_name, impl_name, "handler failures");
    if (r.sum != 2 * meetings || r.faded != creatures)
        return bench::fail(bench_name, impl_name,
                           std::to_string(r.faded) + " creatures reported " + std::to_string(r.sum) +
                               " meetings, expected " + std::to_string(creatures) + " and " +
                               std::to_string(2 * meetings));

    const double s = bench::seconds_between(t0, r.done.finished_at);
    bench::json_line(bench_name, impl_name)
        .add("creatures", creatures)
        .add("n", meetings)
        .add("seconds", s)
        .add("meetings_per_s", static_cast<double>(meetings) / s, 0)
        .add("cpu_s", cpu1 - cpu0, 3)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
