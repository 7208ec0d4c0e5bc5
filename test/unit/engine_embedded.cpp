//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// An engine embedded in io_contexts that the application owns and runs.
//
#define BOOST_TEST_MODULE zctor_engine_embedded
#include <zctor/engine.hpp>
#include <zctor_test/wait.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using boost::system::error_code;
using zctor::error;

namespace {

struct tick
{
    int n = 0;
};

} // namespace

BOOST_AUTO_TEST_CASE(actors_run_on_the_application_context_until_stopped)
{
    asio::io_context io;
    zctor::engine e(io);
    BOOST_TEST(e.worker_count() == 1u);
    error_code ec;
    e.run(ec);
    BOOST_TEST(ec == error::already_started); // embedded engines run from construction
    std::atomic<int> handled{0};
    bool on_io_thread = true;
    const auto io_thread = std::this_thread::get_id();
    e.spawn<tick>([&](zctor::context& ctx, tick t) {
        ++handled;
        on_io_thread = on_io_thread && std::this_thread::get_id() == io_thread;
        if (t.n == 2)
            ctx.get_engine().stop();
    });
    e.send(tick{0});
    e.send(tick{1});
    e.send(tick{2});
    io.run(); // returns once the engine has stopped and released its work guard
    BOOST_TEST(e.stopped());
    BOOST_TEST(handled == 3);
    BOOST_TEST(on_io_thread);
}

BOOST_AUTO_TEST_CASE(actors_are_spread_over_several_application_contexts)
{
    asio::io_context a, b;
    zctor::engine e({&a, &b});
    BOOST_TEST(e.worker_count() == 2u);
    std::thread ta([&] { a.run(); });
    std::thread tb([&] { b.run(); });
    std::atomic<int> right_context{0}, wrong_context{0};
    std::vector<asio::io_context*> contexts{&a, &b};
    for (int i = 0; i < 6; ++i)
    {
        auto ref = e.spawn<tick>([&](zctor::context& ctx, tick) {
            // The actor's strand runs on the context of its worker.
            if (ctx.get_executor().get_inner_executor() == contexts[ctx.worker_index()]->get_executor())
                ++right_context;
            else
                ++wrong_context;
        });
        BOOST_TEST(ref.worker_index() == std::size_t(i % 2));
        ref.send(tick{});
    }
    BOOST_TEST(zctor_test::wait_until([&] { return right_context + wrong_context == 6; }));
    BOOST_TEST(wrong_context == 0);
    e.stop();
    e.join(); // from a thread that does not run the contexts
    ta.join();
    tb.join();
    BOOST_TEST(e.stopped());
}

BOOST_AUTO_TEST_CASE(timer_on_the_actor_executor_completes_on_its_strand)
{
    asio::io_context io;
    zctor::engine e(io);
    std::atomic<bool> on_strand{false};
    std::atomic<bool> fired{false};
    auto timer = std::make_shared<std::unique_ptr<asio::steady_timer>>();
    e.spawn<tick>([&, timer](zctor::context& ctx, tick t) {
        if (t.n == 0)
        {
            *timer = std::make_unique<asio::steady_timer>(ctx.get_executor(), std::chrono::milliseconds(1));
            auto exec = ctx.get_executor();
            (*timer)->async_wait([&, exec, &eng = ctx.get_engine()](error_code) {
                on_strand = exec.running_in_this_thread();
                fired = true;
                eng.stop();
            });
        }
    });
    e.send(tick{0});
    io.run();
    BOOST_TEST(fired);
    BOOST_TEST(on_strand);
}

BOOST_AUTO_TEST_CASE(join_from_the_context_thread_fails_instead_of_deadlocking)
{
    asio::io_context io;
    zctor::engine e(io);
    error_code ec;
    asio::post(io, [&] {
        e.join(ec);
        e.stop();
    });
    io.run();
    BOOST_TEST(ec == error::thread_join_failed);
}

BOOST_AUTO_TEST_CASE(destroying_after_the_application_stopped_its_context_does_not_hang)
{
    std::atomic<int> destroyed{0};
    struct state
    {
        std::atomic<int>* d;
        ~state() { ++*d; }
    };
    asio::io_context io;
    {
        zctor::engine e(io);
        e.spawn<tick>([&](zctor::context& ctx, tick) {
            ctx.emplace_state<state>(&destroyed);
            io.stop(); // the application stops its context without stopping the engine
        });
        e.send(tick{});
        io.run();
        BOOST_TEST(destroyed == 0);
    } // the engine stops its actors itself: nobody runs the context any more
    BOOST_TEST(destroyed == 1);
}

BOOST_AUTO_TEST_CASE(invalid_context_lists_are_rejected)
{
    BOOST_CHECK_THROW(zctor::engine(std::vector<asio::io_context*>{}), boost::system::system_error);
    BOOST_CHECK_THROW(zctor::engine(std::vector<asio::io_context*>{nullptr}), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(destroying_while_nobody_runs_the_context_drains_through_the_destructor)
{
    asio::io_context io; // never run by the application
    std::atomic<int> handled{0};
    {
        zctor::engine e(io);
        e.spawn<tick>([&](tick) { ++handled; });
        e.send(tick{});
        e.send(tick{});
        e.send(tick{});
    } // must neither hang nor lose the accepted messages (drain is the default policy)
    BOOST_TEST(handled == 3);
}
