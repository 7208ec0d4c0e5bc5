//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Several threads publish to thousands of actors at once, while some of those actors stop
// themselves part-way. Every actor that keeps running receives every publication exactly once,
// in each publisher's order; every publish returns how many actors accepted it; and those
// returns add up exactly to the messages handled plus the messages dropped.
//
#define BOOST_TEST_MODULE zctor_stress_publish_fanout
#include <zctor/engine.hpp>
#include <zctor_test/stress.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdint>
#include <iostream>
#include <thread>
#include <vector>

namespace {

using boost::system::error_code;

struct bulletin
{
    std::uint32_t publisher;
    std::uint32_t seq; // from 1, per publisher
};

constexpr std::size_t publishers = 3;

// One actor's view: the last sequence number from each publisher, and how many it got.
struct subscriber_state
{
    std::uint32_t last[publishers] = {};
    std::uint32_t received = 0;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(stress, zctor_test::stress_fixture)

BOOST_AUTO_TEST_CASE(publish_to_thousands_of_actors)
{
    const std::size_t actors = zctor_test::scaled(5'000);
    constexpr std::uint32_t per_publisher = 40;
    constexpr std::uint32_t quitter_stops_after = 10; // every 10th actor stops after 10 messages
    std::atomic<std::uint64_t> delivered{0};          // sum of what publish returned
    std::atomic<std::uint64_t> handled{0};
    std::atomic<std::uint64_t> out_of_order{0};
    std::atomic<std::uint64_t> publish_errors{0};
    std::vector<std::atomic<std::uint32_t>> received(actors); // final count per actor
    zctor::engine_stats s;
    {
        zctor::engine_config c;
        c.thread_count = 2;
        zctor::engine e(c);
        for (std::size_t i = 0; i < actors; ++i)
        {
            const bool quitter = i % 10 == 0;
            e.spawn<bulletin>([&, i, quitter](zctor::context& ctx, bulletin b) {
                auto* st = ctx.state<subscriber_state>();
                if (st == nullptr)
                    st = &ctx.emplace_state<subscriber_state>();
                if (b.seq <= st->last[b.publisher])
                    ++out_of_order;
                st->last[b.publisher] = b.seq;
                received[i] = ++st->received;
                ++handled;
                if (quitter && st->received == quitter_stops_after)
                    ctx.stop();
            });
        }
        e.run();
        std::vector<std::thread> threads;
        for (std::uint32_t p = 0; p < publishers; ++p)
            threads.emplace_back([&, p] {
                for (std::uint32_t seq = 1; seq <= per_publisher; ++seq)
                {
                    error_code ec;
                    delivered += e.publish(bulletin{p, seq}, ec);
                    if (ec)
                        ++publish_errors;
                }
            });
        for (auto& t : threads)
            t.join();
        BOOST_TEST(zctor_test::wait_until(
            [&] { return handled.load() + e.stats().messages_dropped >= delivered.load(); },
            zctor_test::stress_bound()));
        e.stop();
        e.join();
        s = e.stats();
    }
    const std::uint32_t everything = publishers * per_publisher;
    std::size_t incomplete = 0, quitters_wrong = 0;
    for (std::size_t i = 0; i < actors; ++i)
    {
        if (i % 10 == 0)
            quitters_wrong += received[i] != quitter_stops_after;
        else
            incomplete += received[i] != everything;
    }
    BOOST_TEST(publish_errors == 0u);
    BOOST_TEST(out_of_order == 0u);
    BOOST_TEST(incomplete == 0u);     // every running actor got every publication, once
    BOOST_TEST(quitters_wrong == 0u); // and those that stopped handled nothing after it
    BOOST_TEST(s.messages_handled == handled.load());
    BOOST_TEST(s.messages_handled + s.messages_dropped == delivered.load());
    BOOST_TEST(s.actors_stopped == actors);
    std::cout << "  " << actors << " actors x " << publishers << " publishers x " << per_publisher
              << " publications: " << delivered << " deliveries = " << s.messages_handled << " handled + "
              << s.messages_dropped << " dropped" << std::endl;
}

BOOST_AUTO_TEST_SUITE_END()
