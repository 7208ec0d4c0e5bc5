//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#define BOOST_TEST_MODULE zctor_config
// Test that the header file is self-contained.
#include <zctor/config.hpp>
// Other headers, to check what the engine does with a configuration.
#include <zctor/engine.hpp>
#include <zctor/error.hpp>
#include <zctor_test/checks.hpp>
#include <zctor_test/wait.hpp>

#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

namespace {

using zctor_test::check_accepted;
using zctor_test::check_rejected;

using zctor::engine_config;
using zctor::error;
using zctor_test::wait_until;

struct ping
{};

} // namespace

BOOST_AUTO_TEST_CASE(default_configuration_is_valid)
{
    const engine_config config;
    check_accepted(config);
    BOOST_TEST(config.thread_count == 0u);
    BOOST_TEST(config.max_actors_per_worker == 0u);
    BOOST_TEST(config.batch_size > 0u);
    BOOST_TEST((config.shutdown == zctor::shutdown_policy::drain));
    BOOST_TEST(config.stack_size == 0u);
}

BOOST_AUTO_TEST_CASE(thread_count_range)
{
    engine_config config;
    config.thread_count = 0; // automatic
    check_accepted(config);
    config.thread_count = engine_config::max_thread_count;
    check_accepted(config);
    config.thread_count = engine_config::max_thread_count + 1;
    check_rejected(config, "thread_count");
}

BOOST_AUTO_TEST_CASE(batch_size_range)
{
    engine_config config;
    config.batch_size = 1;
    check_accepted(config);
    config.batch_size = engine_config::max_batch_size;
    check_accepted(config);
    config.batch_size = 0;
    check_rejected(config, "batch_size");
    config.batch_size = engine_config::max_batch_size + 1;
    check_rejected(config, "batch_size");
}

BOOST_AUTO_TEST_CASE(drain_timeout_range)
{
    engine_config config;
    config.drain_timeout = std::chrono::milliseconds(0);
    check_accepted(config);
    config.drain_timeout = std::chrono::milliseconds(-1);
    check_rejected(config, "drain_timeout");
}

BOOST_AUTO_TEST_CASE(idle_spin_range)
{
    engine_config config;
    config.idle_spin = std::chrono::microseconds(0); // sleep at once
    check_accepted(config);
    config.idle_spin = engine_config::max_idle_spin;
    check_accepted(config);
    config.idle_spin = engine_config::max_idle_spin + std::chrono::microseconds(1);
    check_rejected(config, "idle_spin");
    config.idle_spin = std::chrono::microseconds(-1);
    check_rejected(config, "idle_spin");
}

BOOST_AUTO_TEST_CASE(an_engine_that_never_spins_still_delivers)
{
    engine_config config;
    config.thread_count = 2;
    config.idle_spin = std::chrono::microseconds(0);
    zctor::engine e(config);
    std::atomic<int> handled{0};
    struct hop
    {
        int left;
    };
    std::vector<zctor::actor_ref<zctor::receives<hop>>> pair(2);
    for (int i = 0; i < 2; ++i)
        pair[i] = e.spawn<hop>([&, i](hop h) {
            ++handled;
            if (h.left > 0)
                pair[1 - i].send(hop{h.left - 1});
        });
    e.run();
    pair[0].send(hop{1000}); // every hop wakes a sleeping worker
    BOOST_TEST(zctor_test::wait_until([&] { return handled == 1001; }));
    e.stop();
    e.join();
    BOOST_TEST(handled == 1001);
}

BOOST_AUTO_TEST_CASE(stack_size_range)
{
    engine_config config;
    config.stack_size = 0; // system default
    check_accepted(config);
    config.stack_size = engine_config::min_stack_size;
    check_accepted(config);
    config.stack_size = engine_config::min_stack_size - 1;
    check_rejected(config, "stack_size");
    config.stack_size = 1;
    check_rejected(config, "stack_size");
}

BOOST_AUTO_TEST_CASE(shutdown_policy_must_be_known)
{
    engine_config config;
    config.shutdown = zctor::shutdown_policy::drop;
    check_accepted(config);
    config.shutdown = static_cast<zctor::shutdown_policy>(42);
    check_rejected(config, "shutdown");
}

BOOST_AUTO_TEST_CASE(thread_count_zero_uses_the_hardware_threads)
{
    const std::size_t expected = std::max(1u, std::thread::hardware_concurrency());
    zctor::engine eng(engine_config{});
    BOOST_TEST(eng.worker_count() == expected);
}

BOOST_AUTO_TEST_CASE(explicit_thread_count_is_honoured)
{
    for (std::size_t n : {1u, 3u})
    {
        engine_config config;
        config.thread_count = n;
        // Round-robin placement puts one actor on each worker, and each worker runs its actor.
        zctor_test::latch ran(static_cast<std::ptrdiff_t>(n));
        std::vector<std::size_t> seen(n, 0);
        zctor::engine eng(config);
        BOOST_TEST(eng.worker_count() == n);
        std::vector<zctor::actor_ref<zctor::receives<ping>>> refs;
        for (std::size_t i = 0; i < n; ++i)
        {
            refs.push_back(eng.spawn<ping>([&](zctor::context& ctx, ping) {
                ++seen[ctx.worker_index()]; // each actor is on its own worker and strand
                ran.count_down();
            }));
        }
        for (auto& r : refs)
            r.send(ping{});
        eng.run();
        BOOST_TEST(ran.wait());
        eng.stop();
        eng.join();
        BOOST_TEST(seen == std::vector<std::size_t>(n, 1), "each worker must run exactly one actor");
    }
}

BOOST_AUTO_TEST_CASE(max_actors_per_worker_limits_spawning)
{
    engine_config config;
    config.thread_count = 2;
    config.max_actors_per_worker = 2;
    zctor::engine eng(config);
    eng.run();

    auto noop = [](ping) {};
    std::vector<zctor::actor_ref<zctor::receives<ping>>> refs;
    for (int i = 0; i < 4; ++i)
        refs.push_back(eng.spawn<ping>(noop));
    BOOST_TEST(eng.stats().actors_spawned == 4u);

    // Both workers are full: both overloads refuse.
    try
    {
        eng.spawn<ping>(noop);
        BOOST_ERROR("spawn beyond workers x max_actors_per_worker succeeded");
    }
    catch (const boost::system::system_error& e)
    {
        BOOST_TEST((e.code() == error::thread_pool_full));
    }
    boost::system::error_code ec;
    auto refused = eng.spawn<ping>(ec, noop);
    BOOST_TEST((ec == error::thread_pool_full));
    BOOST_TEST(!refused);
    BOOST_TEST(eng.stats().actors_spawned == 4u);

    // Once an actor has stopped, its place is free again.
    refs[1].stop();
    BOOST_REQUIRE(wait_until([&] { return eng.stats().actors_stopped == 1u; }));
    auto again = eng.spawn<ping>(ec, noop);
    BOOST_TEST(!ec);
    BOOST_TEST(static_cast<bool>(again));
    BOOST_TEST(again.worker_index() == refs[1].worker_index()); // the only worker with room

    // And the pool is full again.
    eng.spawn<ping>(ec, noop);
    BOOST_TEST((ec == error::thread_pool_full));
}

BOOST_AUTO_TEST_CASE(huge_stack_size_fails_thread_creation)
{
    engine_config config;
    config.thread_count = 2;
    config.stack_size = std::size_t(1) << 50; // a petabyte: no system maps that
    check_accepted(config);

    {
        boost::system::error_code ec;
        zctor::engine eng(config);
        eng.run(ec);
        BOOST_TEST((ec == error::thread_creation_failed));
        BOOST_TEST(eng.stopped());
        BOOST_TEST(!eng.accepting());
        eng.run(ec);
        BOOST_TEST((ec == error::engine_stopped));
        eng.join(ec); // returns at once: nothing runs
        BOOST_TEST(!ec);
    } // the destructor must not hang either

    {
        // An actor spawned before run() is stopped and its message counted as dropped.
        zctor_test::lifetime life;
        zctor::engine eng(config);
        auto ref = eng.spawn<zctor_test::counted>([](zctor_test::counted) {});
        ref.send(zctor_test::counted(life));
        try
        {
            eng.run();
            BOOST_ERROR("run() succeeded without threads");
        }
        catch (const boost::system::system_error& e)
        {
            BOOST_TEST((e.code() == error::thread_creation_failed));
        }
        BOOST_TEST(eng.stopped());
        BOOST_TEST(ref.stopped());
        const auto stats = eng.stats();
        BOOST_TEST(stats.actors_stopped == 1u);
        BOOST_TEST(stats.messages_handled == 0u);
        BOOST_TEST(stats.messages_dropped == 1u);
        BOOST_TEST(life.destroyed == 1);
        BOOST_TEST(life.alive() == 0);
    }
}
