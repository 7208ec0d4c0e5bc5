//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// chameneos (Savina "chameneos"), CAF 0.17 twin of bench/zctor/chameneos.cpp: C creatures meet
// through one mall actor M times; meet requests carry the colour and the requester, as in Savina
// and the zctor twin. Same timing points and verification (the reports add up to 2 M).
#include <cstdint>
#include <string>
#include <vector>

#include "../common/bench_common.hpp"
#include <caf/all.hpp>

namespace {

constexpr const char* bench_name = "chameneos";
constexpr const char* impl_name = "caf";
constexpr std::uint64_t creatures = 100;
constexpr std::uint64_t default_meetings = 200'000;
constexpr std::size_t thread_count = 2;

// Colours travel as plain integers: 0 red, 1 yellow, 2 blue, 3 faded.
constexpr std::uint8_t faded = 3;

std::uint8_t complement(std::uint8_t a, std::uint8_t b)
{
    if (a == b)
        return a;
    return static_cast<std::uint8_t>(3 - a - b); // the colour that is neither
}

using start_atom = caf::atom_constant<caf::atom("start")>;
using meet_atom = caf::atom_constant<caf::atom("meet")>;
using change_atom = caf::atom_constant<caf::atom("change")>;
using exit_atom = caf::atom_constant<caf::atom("exitmall")>;
using count_atom = caf::atom_constant<caf::atom("count")>;

struct creature_state
{
    caf::actor mall;
    caf::actor self;
    std::uint8_t colour = 0;
    std::uint64_t meetings = 0;
};

caf::behavior creature_actor(caf::stateful_actor<creature_state>* self, caf::actor mall, std::uint8_t c)
{
    self->state.mall = std::move(mall);
    self->state.colour = c;
    return {
        [=](start_atom) {
            self->state.self = caf::actor_cast<caf::actor>(self);
            self->send(self->state.mall, meet_atom::value, self->state.colour, self->state.self);
        },
        [=](meet_atom, std::uint8_t other, const caf::actor& from) {
            auto& st = self->state;
            st.colour = complement(st.colour, other);
            ++st.meetings;
            self->send(from, change_atom::value, st.colour);
            self->send(st.mall, meet_atom::value, st.colour, st.self);
        },
        [=](change_atom, std::uint8_t colour) {
            auto& st = self->state;
            st.colour = colour;
            ++st.meetings;
            self->send(st.mall, meet_atom::value, st.colour, st.self);
        },
        [=](exit_atom) {
            auto& st = self->state;
            st.colour = faded;
            self->send(st.mall, count_atom::value, st.meetings);
            st.self = nullptr;
            st.mall = nullptr;
            self->quit();
        },
    };
}

struct result
{
    std::uint64_t sum = 0;
    std::uint64_t faded = 0;
    bench::countdown done{1};
};

struct mall_state
{
    std::uint64_t left = 0;
    caf::actor waiting;
};

caf::behavior mall_actor(caf::stateful_actor<mall_state>* self, std::uint64_t meetings, result* r)
{
    self->state.left = meetings;
    return {
        [=](meet_atom, std::uint8_t colour, const caf::actor& from) {
            auto& st = self->state;
            if (st.left == 0)
            {
                self->send(from, exit_atom::value);
                return;
            }
            if (!st.waiting)
            {
                st.waiting = from;
                return;
            }
            --st.left;
            self->send(st.waiting, meet_atom::value, colour, from);
            st.waiting = nullptr;
        },
        [=](count_atom, std::uint64_t meetings) {
            r->sum += meetings;
            if (++r->faded == creatures)
            {
                r->done.arrive();
                self->quit();
            }
        },
    };
}

} // namespace

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const std::uint64_t meetings = bench::scaled(default_meetings, opt.scale);

    result r;
    bench::clock::time_point t0;
    double cpu0 = 0, cpu1 = 0;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", thread_count);
        caf::actor_system sys{cfg};
        if (sys.scheduler().num_workers() != thread_count)
            return bench::fail(bench_name, impl_name,
                               "CAF did not start " + std::to_string(thread_count) + " workers");
        auto mall = sys.spawn(mall_actor, meetings, &r);
        std::vector<caf::actor> all;
        all.reserve(creatures);
        for (std::uint64_t i = 0; i < creatures; ++i)
            all.push_back(sys.spawn(creature_actor, mall, static_cast<std::uint8_t>(i % 3)));

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        for (const auto& c : all)
            caf::anon_send(c, start_atom::value);
        const bool finished = r.done.wait();
        cpu1 = bench::cpu_seconds();
        all.clear();
        if (!finished)
            return bench::fail(bench_name, impl_name, "timed out"); // the system would wait forever
    }

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
