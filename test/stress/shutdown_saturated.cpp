//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// stop() while the engine is saturated: producer threads keep a large backlog queued, handlers
// forward part of their messages to other actors, and the engine is stopped in the middle of
// it. For each shutdown policy the counts balance exactly (accepted = handled + dropped), and
// the policy is honoured:
// - drain: nothing is dropped except what was sent concurrently with stop() itself, which is at
//   most one message per sending thread (each send in progress when stop() was called);
// - drop: each worker starts at most one more handler once it has seen the engine stopping;
// - drain with a zero timeout: the rest is dropped at once, and counted.
//
#define BOOST_TEST_MODULE zctor_stress_shutdown_saturated
#include <zctor/engine.hpp>
#include <zctor_test/stress.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <thread>
#include <vector>

namespace {

using boost::system::error_code;
using zctor::error;

struct load
{
    std::uint32_t n = 0;
};

struct outcome
{
    zctor::engine_stats stats;
    std::uint64_t accepted = 0;
    std::uint64_t handled = 0;
    std::uint64_t began_after_stop = 0; // handlers that found the engine already stopping
    std::uint64_t backlog_at_stop = 0;  // accepted but not yet handled when stop() was called
    std::uint64_t unexpected = 0;
    std::size_t senders = 0; // threads that may have had a send in progress across stop()
};

outcome saturate_then_stop(zctor::shutdown_policy policy, std::chrono::milliseconds drain_timeout)
{
    constexpr std::size_t workers = 2, actors = 32, producers = 4;
    const std::uint64_t max_backlog = zctor_test::scaled(50'000);
    const std::uint64_t stop_after = zctor_test::scaled(100'000);
    std::atomic<std::uint64_t> accepted{0}, handled{0}, began_after_stop{0}, unexpected{0};
    outcome out;
    out.senders = producers + workers; // the workers send too, from handlers
    {
        zctor::engine_config c;
        c.thread_count = workers;
        c.shutdown = policy;
        c.drain_timeout = drain_timeout;
        zctor::engine e(c);
        std::vector<zctor::actor_ref<zctor::receives<load>>> refs;
        for (std::size_t i = 0; i < actors; ++i)
            refs.push_back(e.spawn<load>([&](zctor::context& ctx, load m) {
                if (!e.accepting())
                    ++began_after_stop;
                // A little work, so that handlers are not free.
                std::uint32_t h = m.n;
                for (int k = 0; k < 32; ++k)
                    h = h * 2654435761u + static_cast<std::uint32_t>(k);
                if (h % 8 == 0)
                {
                    error_code ec;
                    ctx.send(load{m.n + 1}, ec); // by type: round-robin over the actors
                    if (!ec)
                        ++accepted;
                    else if (ec != error::engine_stopped)
                        ++unexpected;
                }
                ++handled;
            }));
        e.run();
        std::vector<std::thread> threads;
        for (std::size_t p = 0; p < producers; ++p)
            threads.emplace_back([&, p] {
                for (std::uint32_t i = 0;; ++i)
                {
                    // Keep the backlog large but bounded, so that a drain has an end.
                    while (accepted.load() - handled.load() > max_backlog)
                    {
                        if (!e.accepting())
                            return;
                        std::this_thread::yield();
                    }
                    error_code ec;
                    if (i % 4 == 0)
                        e.send(load{i}, ec);
                    else
                        refs[(i * 13 + p) % actors].send(load{i}, ec);
                    if (!ec)
                    {
                        ++accepted;
                        continue;
                    }
                    // Refused from stop() on; a send racing the shutdown may find its actor stopped.
                    if (ec != error::engine_stopped && ec != error::actor_stopped)
                        ++unexpected;
                    return;
                }
            });
        BOOST_TEST(
            zctor_test::wait_until([&] { return handled.load() >= stop_after; }, zctor_test::stress_bound()));
        out.backlog_at_stop = accepted.load() - handled.load(); // approximate: both still move
        e.stop();
        for (auto& t : threads)
            t.join();
        e.join();
        refs.clear(); // a message accepted after its actor stopped is counted when the actor is freed
        out.stats = e.stats();
    }
    out.accepted = accepted;
    out.handled = handled;
    out.began_after_stop = began_after_stop;
    out.unexpected = unexpected;
    BOOST_TEST(out.unexpected == 0u);
    BOOST_TEST(out.stats.messages_handled == out.handled);
    BOOST_TEST(out.stats.messages_handled + out.stats.messages_dropped == out.accepted);
    BOOST_TEST(out.stats.actors_spawned == actors);
    BOOST_TEST(out.stats.actors_stopped == actors);
    BOOST_TEST(out.stats.handler_failures == 0u);
    std::cout << "  " << out.accepted << " accepted = " << out.stats.messages_handled << " handled + "
              << out.stats.messages_dropped << " dropped; backlog at stop() ~" << out.backlog_at_stop
              << "; handlers started after stop(): " << out.began_after_stop << std::endl;
    return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(stress, zctor_test::stress_fixture)

BOOST_AUTO_TEST_CASE(stop_while_saturated_drain)
{
    const auto out = saturate_then_stop(zctor::shutdown_policy::drain, std::chrono::minutes(10));
    // Only sends in progress across stop() may be dropped: at most one per sending thread.
    BOOST_TEST(out.stats.messages_dropped <= out.senders);
}

BOOST_AUTO_TEST_CASE(stop_while_saturated_drop)
{
    const auto out = saturate_then_stop(zctor::shutdown_policy::drop, std::chrono::minutes(10));
    // Once a worker has seen the engine stopping it starts no further handler, except the one
    // whose message it had just taken from a mailbox.
    BOOST_TEST(out.began_after_stop <= 2u);
}

BOOST_AUTO_TEST_CASE(stop_while_saturated_drain_timeout_zero)
{
    saturate_then_stop(zctor::shutdown_policy::drain, std::chrono::milliseconds(0));
}

BOOST_AUTO_TEST_SUITE_END()
