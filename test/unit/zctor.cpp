//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#define BOOST_TEST_MODULE zctor_zctor
// Test that the umbrella header is self-contained: it alone gives the whole public API.
#include <zctor.hpp>
// Other headers.
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <string>

namespace {

struct greeting
{
    std::string text;
};

// Runs `eng.start()` (which blocks until the engine stops) on another thread, and reports whether
// it returned within the timeout. If it did not, stops the engine so that the test ends anyway.
bool start_returns(zctor::engine& eng)
{
    auto done = std::async(std::launch::async, [&] { eng.start(); });
    if (done.wait_for(zctor_test::default_timeout) == std::future_status::ready)
    {
        done.get(); // rethrows what start() threw
        return true;
    }
    eng.stop();
    done.wait();
    return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(quick_start_round_trip)
{
    std::string received; // written by the handler, read after start() has returned
    int calls = 0;
    zctor::engine eng;
    auto ref = eng.spawn<greeting>([&](zctor::context& ctx, greeting g) {
        received = g.text;
        ++calls;
        ctx.get_engine().stop(); // stop from inside the handler
    });
    ref.send(greeting{"hello, actors"});

    BOOST_TEST(start_returns(eng));
    BOOST_TEST(received == "hello, actors");
    BOOST_TEST(calls == 1);
    BOOST_TEST(eng.stopped());
    BOOST_TEST(ref.stopped());
    const zctor::engine_stats stats = eng.stats();
    BOOST_TEST(stats.actors_spawned == 1u);
    BOOST_TEST(stats.actors_stopped == 1u);
    BOOST_TEST(stats.messages_handled == 1u);
    BOOST_TEST(stats.messages_dropped == 0u);
}

BOOST_AUTO_TEST_CASE(quick_start_send_by_type)
{
    // The book's way: the engine routes a message to the actor that handles its type.
    std::string received;
    zctor::engine eng;
    eng.spawn<greeting>([&](zctor::context& ctx, greeting g) {
        received = g.text;
        ctx.get_engine().stop();
    });
    eng.send(greeting{"routed"});

    BOOST_TEST(start_returns(eng));
    BOOST_TEST(received == "routed");
    BOOST_TEST(eng.stats().messages_handled == 1u);
}
