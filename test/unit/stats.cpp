//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// engine_stats: each counter has the exact value for a scripted workload once the engine has
// stopped.
//
#define BOOST_TEST_MODULE zctor_stats
#include <zctor/engine.hpp>
#include <zctor/stats.hpp>
#include <zctor_test/wait.hpp>

#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <stdexcept>

namespace {

struct work
{
    int n = 0;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_default_stats_is_all_zero)
{
    const zctor::engine_stats s;
    BOOST_TEST(s.actors_spawned == 0u);
    BOOST_TEST(s.actors_stopped == 0u);
    BOOST_TEST(s.messages_handled == 0u);
    BOOST_TEST(s.handler_failures == 0u);
    BOOST_TEST(s.messages_dropped == 0u);
    BOOST_TEST(s.event_loop_failures == 0u);
}

BOOST_AUTO_TEST_CASE(every_counter_is_exact_for_a_scripted_workload)
{
    zctor::engine_config c;
    c.thread_count = 2;
    zctor::engine e(c);
    zctor_test::latch blocked(1), release(1);
    std::atomic<int> timeouts{0};
    // 10 messages: every third fails (3, 6, 9 by returning false, none by throwing).
    auto counter = e.spawn<work>([](work w) { return w.n % 3 != 0 || w.n == 0; });
    // Throws on odd messages: 5 of 10 fail.
    auto thrower = e.spawn<work>([](work w) {
        if (w.n % 2 == 1)
            throw std::runtime_error("odd");
    });
    // Blocks on its first message; its 4 others are dropped when it is stopped.
    auto blocker = e.spawn<work>([&](work w) {
        if (w.n == 0)
        {
            blocked.count_down();
            if (!release.wait())
                ++timeouts; // Boost.Test assertions are not thread-safe: checked below
        }
    });
    for (int i = 0; i < 10; ++i)
    {
        counter.send(work{i});
        thrower.send(work{i});
    }
    for (int i = 0; i < 5; ++i)
        blocker.send(work{i});
    e.run();
    BOOST_REQUIRE(blocked.wait());
    blocker.stop();
    release.count_down();
    BOOST_REQUIRE(zctor_test::wait_until([&] { return blocker.stopped(); }));
    boost::asio::post(e.get_executor(1), [] { throw std::logic_error("outside any handler"); });
    BOOST_REQUIRE(zctor_test::wait_until([&] { return e.stats().event_loop_failures == 1; }));
    BOOST_REQUIRE(zctor_test::wait_until([&] { return e.stats().messages_handled == 21; }));
    e.stop();
    e.join();
    const auto s = e.stats();
    BOOST_TEST(timeouts == 0);
    BOOST_TEST(s.actors_spawned == 3u);
    BOOST_TEST(s.actors_stopped == 3u);
    BOOST_TEST(s.messages_handled == 21u); // 10 + 10 + the blocker's first
    BOOST_TEST(s.handler_failures == 8u);  // 3 returned false, 5 threw
    BOOST_TEST(s.messages_dropped == 4u);  // the blocker's queue
    BOOST_TEST(s.event_loop_failures == 1u);
}
