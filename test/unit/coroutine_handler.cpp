//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Coroutine handlers: a handler that returns boost::asio::awaitable<T> runs as a coroutine on the
// actor's strand, and the actor's next message waits until it has finished. Its result is the
// success, failure or reply; stopping the actor cancels it, and the actor's state and behaviour
// are destroyed only once it has unwound.
//
#define BOOST_TEST_MODULE zctor_coroutine_handler
#include <zctor/engine.hpp>
#include <zctor/error.hpp>
#include <zctor_test/checks.hpp>
#include <zctor_test/wait.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using zctor_test::failure_log;
using zctor_test::remote_checks;

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using boost::system::error_code;
using zctor::error;
using zctor::receives;
using zctor_test::wait_until;
using namespace std::chrono_literals;

// Long enough never to expire during a test: only a cancellation ends the wait.
constexpr auto forever = std::chrono::hours(1);
// How long an ask from a test waits at most (a bug fails the test instead of hanging it).
constexpr auto ask_timeout = std::chrono::steady_clock::duration(zctor_test::default_timeout);

zctor::engine_config workers(std::size_t n, zctor::shutdown_policy policy = zctor::shutdown_policy::drain)
{
    zctor::engine_config config;
    config.thread_count = n;
    config.shutdown = policy;
    return config;
}

// Suspends the calling coroutine on a timer of the actor's strand.
awaitable<void> pause(zctor::context& ctx, std::chrono::steady_clock::duration d = 1ms)
{
    asio::steady_timer timer(ctx.get_executor(), d);
    co_await timer.async_wait(use_awaitable);
}

struct step
{
    int n = 0;
};

struct mark
{
    int n = 0;
};

// Every entry into and exit from an actor's handlers, in the order they happened: entry to the
// handler of message n is event 2n, exit is 2n + 1, so sequential handling in order is exactly
// 0, 1, 2, 3, ... An entry while another handler is inside counts as an overlap.
struct sequence_log
{
    std::mutex mutex;
    std::vector<int> events;
    std::atomic<bool> inside{false};
    std::atomic<int> overlaps{0};
    std::atomic<int> off_strand{0};

    void enter(int n)
    {
        if (inside.exchange(true))
            ++overlaps;
        std::lock_guard lock(mutex);
        events.push_back(2 * n);
    }
    void leave(int n)
    {
        {
            std::lock_guard lock(mutex);
            events.push_back(2 * n + 1);
        }
        inside = false;
    }
    void check_strand(zctor::context& ctx)
    {
        if (!ctx.get_executor().running_in_this_thread())
            ++off_strand;
    }

    // On the test thread, after every handler has finished.
    void verify(int messages)
    {
        BOOST_TEST(overlaps == 0);
        BOOST_TEST(off_strand == 0);
        std::lock_guard lock(mutex);
        BOOST_REQUIRE(events.size() == static_cast<std::size_t>(2 * messages));
        for (int i = 0; i < 2 * messages; ++i)
            BOOST_TEST(events[i] == i);
    }
};

// A class actor whose handler suspends twice, on timers of its strand.
struct sequential_actor
{
    sequence_log* log;
    zctor_test::latch* done;

    awaitable<void> handle(zctor::context& ctx, step s)
    {
        log->enter(s.n);
        co_await pause(ctx);
        log->check_strand(ctx);
        co_await pause(ctx, 0ms);
        log->check_strand(ctx);
        log->leave(s.n);
        done->count_down();
    }
};

// A class actor with a coroutine handler and a plain one: the plain message waits too.
struct mixed_actor
{
    sequence_log* log;
    zctor_test::latch* done;

    awaitable<void> handle(zctor::context& ctx, step s)
    {
        log->enter(s.n);
        co_await pause(ctx);
        log->check_strand(ctx);
        log->leave(s.n);
        done->count_down();
    }
    void handle(zctor::context& ctx, mark m)
    {
        log->enter(m.n);
        log->check_strand(ctx);
        log->leave(m.n);
        done->count_down();
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(class_actor_coroutines_run_one_at_a_time_in_order)
{
    constexpr int messages = 40;
    constexpr int actors = 4;
    std::vector<std::unique_ptr<sequence_log>> logs;
    for (int i = 0; i < actors; ++i)
        logs.push_back(std::make_unique<sequence_log>());
    zctor_test::latch done(messages * actors);
    zctor::engine eng(workers(2));
    std::vector<zctor::actor_ref<sequential_actor>> refs;
    for (int i = 0; i < actors; ++i)
        refs.push_back(eng.spawn<sequential_actor>(logs[i].get(), &done));
    // Half queued before the engine runs, half while the first coroutines are suspended.
    for (int n = 0; n < messages / 2; ++n)
        for (auto& r : refs)
            r.send(step{n});
    eng.run();
    for (int n = messages / 2; n < messages; ++n)
        for (auto& r : refs)
            r.send(step{n});
    BOOST_REQUIRE(done.wait());
    eng.stop();
    eng.join();
    for (auto& log : logs)
        log->verify(messages);
    const auto s = eng.stats();
    BOOST_TEST(s.messages_handled == static_cast<std::uint64_t>(messages * actors));
    BOOST_TEST(s.handler_failures == 0u);
    BOOST_TEST(s.messages_dropped == 0u);
}

BOOST_AUTO_TEST_CASE(handler_coroutines_run_one_at_a_time_in_order)
{
    constexpr int messages = 40;
    sequence_log log;
    zctor_test::latch done(messages);
    zctor::engine eng(workers(2));
    auto ref = eng.spawn<step>([&](zctor::context& ctx, step s) -> awaitable<void> {
        log.enter(s.n);
        co_await pause(ctx);
        log.check_strand(ctx);
        log.leave(s.n);
        done.count_down();
    });
    eng.run();
    for (int n = 0; n < messages; ++n)
        ref.send(step{n});
    BOOST_REQUIRE(done.wait());
    eng.stop();
    eng.join();
    log.verify(messages);
    BOOST_TEST(eng.stats().messages_handled == static_cast<std::uint64_t>(messages));
}

BOOST_AUTO_TEST_CASE(a_plain_message_waits_for_the_coroutine_before_it)
{
    constexpr int messages = 40;
    sequence_log log;
    zctor_test::latch done(messages);
    zctor::engine eng(workers(1));
    auto ref = eng.spawn<mixed_actor>(&log, &done);
    eng.run();
    for (int n = 0; n < messages; ++n)
    {
        if (n % 2 == 0)
            ref.send(step{n});
        else
            ref.send(mark{n});
    }
    BOOST_REQUIRE(done.wait());
    eng.stop();
    eng.join();
    log.verify(messages);
}

namespace {

struct twice
{
    int n = 0;
    using reply_type = int;
};

struct ask_result
{
    int n = 0;
    int first = 0;  // asked before the coroutine's first suspension
    int second = 0; // asked after it resumed from a timer
    bool on_strand = false;
};

// Actor A's coroutine asks B twice per message, once before and once after a suspension.
// `coroutine_replier`: B answers with a coroutine of its own (awaitable<int>).
void coroutine_asks_another_actor(std::size_t threads, bool coroutine_replier)
{
    constexpr int messages = 20;
    std::mutex mutex;
    std::vector<ask_result> results; // under mutex
    std::atomic<int> errors{0};
    zctor_test::latch done(messages);
    zctor::engine eng(workers(threads));
    zctor::actor_ref<receives<twice>> b;
    if (coroutine_replier)
        b = eng.spawn<twice>([](zctor::context& ctx, twice t) -> awaitable<int> {
            co_await pause(ctx);
            co_return 2 * t.n;
        });
    else
        b = eng.spawn<twice>([](twice t) { return 2 * t.n; });
    auto a = eng.spawn<step>([&, b](zctor::context& ctx, step s) -> awaitable<void> {
        ask_result r;
        r.n = s.n;
        try
        {
            r.first = co_await b.async_ask(twice{s.n}, ask_timeout, use_awaitable);
            co_await pause(ctx);
            r.second = co_await b.async_ask(twice{s.n + 1000}, ask_timeout, use_awaitable);
        }
        catch (const boost::system::system_error&)
        {
            ++errors;
        }
        r.on_strand = ctx.get_executor().running_in_this_thread();
        {
            std::lock_guard lock(mutex);
            results.push_back(r);
        }
        done.count_down();
    });
    if (threads == 1)
        BOOST_REQUIRE(a.worker_index() == b.worker_index());
    else
        BOOST_REQUIRE(a.worker_index() != b.worker_index());
    eng.run();
    for (int n = 0; n < messages; ++n)
        a.send(step{n});
    BOOST_REQUIRE(done.wait());
    eng.stop();
    eng.join();

    BOOST_TEST(errors == 0);
    BOOST_REQUIRE(results.size() == static_cast<std::size_t>(messages));
    for (int n = 0; n < messages; ++n)
    {
        BOOST_TEST(results[n].n == n); // in order, one at a time
        BOOST_TEST(results[n].first == 2 * n);
        BOOST_TEST(results[n].second == 2 * (n + 1000));
        BOOST_TEST(results[n].on_strand);
    }
    const auto s = eng.stats();
    BOOST_TEST(s.messages_handled == static_cast<std::uint64_t>(3 * messages));
    BOOST_TEST(s.handler_failures == 0u);
    BOOST_TEST(s.replies_discarded == 0u);
}

} // namespace

BOOST_AUTO_TEST_CASE(coroutine_asks_an_actor_on_the_same_worker)
{
    coroutine_asks_another_actor(1, false);
    coroutine_asks_another_actor(1, true);
}

BOOST_AUTO_TEST_CASE(coroutine_asks_an_actor_on_another_worker)
{
    coroutine_asks_another_actor(2, false);
    coroutine_asks_another_actor(2, true);
}

namespace {

struct job
{
    int kind = 0;
};

// awaitable<bool>: false fails; throwing fails.
struct flaky_actor
{
    std::atomic<int>* succeeded;
    awaitable<bool> handle(zctor::context& ctx, int n)
    {
        co_await pause(ctx);
        if (n == 1)
            throw std::logic_error("flaky");
        if (n == 0)
            ++*succeeded;
        co_return n == 0;
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(coroutine_failures_are_counted_and_reported_exactly)
{
    failure_log log;
    zctor::engine_config config = workers(2);
    log.attach(config);
    std::atomic<int> void_ok{0}, bool_ok{0}, code_ok{0}, early_ok{0}, class_ok{0};
    zctor::engine eng(config);

    // awaitable<void>: fails only by throwing, before or after its first suspension.
    auto void_actor = eng.spawn<job>([&](zctor::context& ctx, job j) -> awaitable<void> {
        if (j.kind == 1)
            throw std::runtime_error("before suspending");
        co_await pause(ctx);
        if (j.kind == 2)
            throw std::out_of_range("after suspending");
        ++void_ok;
    });
    // awaitable<bool>: false fails.
    auto bool_actor = eng.spawn<bool>([&](zctor::context& ctx, bool ok) -> awaitable<bool> {
        co_await pause(ctx);
        if (ok)
            ++bool_ok;
        co_return ok;
    });
    // awaitable<error_code>: a non-zero code fails with that code.
    auto code_actor =
        eng.spawn<std::string>([&](zctor::context& ctx, std::string s) -> awaitable<error_code> {
            co_await pause(ctx);
            if (s == "io")
                co_return boost::system::errc::make_error_code(boost::system::errc::io_error);
            if (s == "timeout")
                co_return error::timed_out;
            if (s == "throw")
                throw std::invalid_argument("throw");
            ++code_ok;
            co_return error_code{};
        });
    // A plain function returning an awaitable, which throws before making the coroutine.
    auto early_actor = eng.spawn<long>([&](zctor::context& ctx, long n) -> awaitable<void> {
        if (n == 1)
            throw std::length_error("no coroutine made");
        ++early_ok;
        return pause(ctx);
    });
    auto class_actor = eng.spawn<flaky_actor>(&class_ok);

    for (int kind : {0, 1, 0, 2, 0})
        void_actor.send(job{kind});
    for (bool ok : {true, false, true, false})
        bool_actor.send(ok);
    for (const char* s : {"ok", "io", "ok", "timeout", "throw", "ok"})
        code_actor.send(std::string(s));
    for (long n : {0L, 1L, 0L})
        early_actor.send(n);
    for (int n : {0, 1, 2, 0})
        class_actor.send(n);
    constexpr std::uint64_t sent = 5 + 4 + 6 + 3 + 4;
    constexpr std::uint64_t failed = 2 + 2 + 3 + 1 + 2;
    eng.run();

    BOOST_REQUIRE(wait_until([&] {
        const auto s = eng.stats();
        return s.messages_handled == sent && s.handler_failures == failed && void_ok == 3 && bool_ok == 2 &&
               code_ok == 3 && early_ok == 2 && class_ok == 2;
    }));
    // The actors kept handling after their failures.
    BOOST_TEST(!void_actor.stopped());
    BOOST_TEST(!bool_actor.stopped());
    BOOST_TEST(!code_actor.stopped());
    BOOST_TEST(!early_actor.stopped());
    BOOST_TEST(!class_actor.stopped());
    eng.stop();
    eng.join();
    const auto s = eng.stats();
    BOOST_TEST(s.messages_handled == sent);
    BOOST_TEST(s.handler_failures == failed);
    BOOST_TEST(s.messages_dropped == 0u);
    BOOST_TEST(log.size() == failed); // reported once each

    // Each actor's failures, in the order of its messages.
    const auto vf = log.of(void_actor.id());
    BOOST_REQUIRE(vf.size() == 2u);
    BOOST_TEST((vf[0].error == error::handler_failed));
    BOOST_TEST(zctor_test::thrown_as<std::runtime_error>(vf[0].exception));
    BOOST_TEST((vf[1].error == error::handler_failed));
    BOOST_TEST(zctor_test::thrown_as<std::out_of_range>(vf[1].exception));

    const auto bf = log.of(bool_actor.id());
    BOOST_REQUIRE(bf.size() == 2u);
    for (const auto& f : bf)
    {
        BOOST_TEST((f.error == error::handler_failed));
        BOOST_TEST(!f.exception);
    }

    const auto cf = log.of(code_actor.id());
    BOOST_REQUIRE(cf.size() == 3u);
    BOOST_TEST((cf[0].error == boost::system::errc::io_error)); // the coroutine's own code
    BOOST_TEST(!cf[0].exception);
    BOOST_TEST((cf[1].error == error::timed_out));
    BOOST_TEST(!cf[1].exception);
    BOOST_TEST((cf[2].error == error::handler_failed));
    BOOST_TEST(zctor_test::thrown_as<std::invalid_argument>(cf[2].exception));

    const auto ef = log.of(early_actor.id());
    BOOST_REQUIRE(ef.size() == 1u);
    BOOST_TEST((ef[0].error == error::handler_failed));
    BOOST_TEST(zctor_test::thrown_as<std::length_error>(ef[0].exception));

    const auto kf = log.of(class_actor.id());
    BOOST_REQUIRE(kf.size() == 2u);
    BOOST_TEST((kf[0].error == error::handler_failed));
    BOOST_TEST(zctor_test::thrown_as<std::logic_error>(kf[0].exception));
    BOOST_TEST((kf[1].error == error::handler_failed));
    BOOST_TEST(!kf[1].exception);
}

namespace {

struct square
{
    int n = 0;
    using reply_type = int;
};

struct greet
{
    std::string name;
    using reply_type = std::string;
};

struct later
{
    int n = 0;
    using reply_type = int;
};

// Answers with the coroutine's result.
struct greeter
{
    std::string greeting;
    awaitable<std::string> handle(zctor::context& ctx, const greet& g)
    {
        co_await pause(ctx);
        co_return greeting + ", " + g.name; // the message is still valid after the suspension
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_request_is_answered_by_the_coroutine_result)
{
    failure_log log;
    zctor::engine_config config = workers(2);
    log.attach(config);
    zctor::engine eng(config);
    auto squarer = eng.spawn<square>([](zctor::context& ctx, square q) -> awaitable<int> {
        co_await pause(ctx);
        if (q.n < 0)
            throw std::domain_error("negative");
        co_return q.n* q.n;
    });
    auto greeting = eng.spawn<greeter>(std::string("hello"));
    eng.run();

    BOOST_TEST(squarer.ask(square{3}, ask_timeout) == 9);
    BOOST_TEST(squarer.ask(square{12}, ask_timeout) == 144);
    error_code ec;
    BOOST_TEST(squarer.ask(square{-1}, ask_timeout, ec) == 0);
    BOOST_TEST((ec == error::handler_failed));
    BOOST_TEST(squarer.ask(square{5}, ask_timeout, ec) == 25); // still running after the failure
    BOOST_TEST(!ec);
    BOOST_TEST(greeting.ask(greet{"zctor"}, ask_timeout) == "hello, zctor");
    BOOST_TEST(eng.ask(greet{"routed"}, ask_timeout, ec).empty()); // greeter declares no routes
    BOOST_TEST((ec == error::actor_not_found));

    eng.stop();
    eng.join();
    BOOST_TEST(eng.stats().handler_failures == 1u);
    BOOST_TEST(log.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_void_coroutine_answers_through_a_response_promise)
{
    failure_log log;
    zctor::engine_config config = workers(2);
    log.attach(config);
    zctor::engine eng(config);
    // 0: promise taken before suspending; 1: after; 2: never taken; 3: taken and failed;
    // 4: taken, then the coroutine throws with it.
    auto ref = eng.spawn<later>([](zctor::context& ctx, later l) -> awaitable<void> {
        if (l.n == 0)
        {
            auto promise = ctx.make_response_promise<int>();
            co_await pause(ctx);
            promise.deliver(100);
        }
        else if (l.n == 1)
        {
            co_await pause(ctx);
            auto promise = ctx.make_response_promise<int>();
            co_await pause(ctx);
            promise.deliver(101);
        }
        else if (l.n == 2)
        {
            co_await pause(ctx);
        }
        else if (l.n == 3)
        {
            auto promise = ctx.make_response_promise<int>();
            co_await pause(ctx);
            promise.fail(error::timed_out);
        }
        else
        {
            auto promise = ctx.make_response_promise<int>();
            co_await pause(ctx);
            throw std::runtime_error("with the promise");
        }
    });
    // awaitable<bool> and awaitable<error_code> for a request: failure completes the ask.
    auto by_flag = eng.spawn<square>([](zctor::context& ctx, square q) -> awaitable<bool> {
        auto promise = ctx.make_response_promise<int>();
        co_await pause(ctx);
        if (q.n == 0)
            co_return false;
        promise.deliver(q.n);
        co_return true;
    });
    auto by_code = eng.spawn<greet>([](zctor::context& ctx, greet g) -> awaitable<error_code> {
        co_await pause(ctx);
        if (g.name.empty())
            co_return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
        ctx.make_response_promise<std::string>().deliver(g.name + "!");
        co_return error_code{};
    });
    eng.run();

    error_code ec;
    BOOST_TEST(ref.ask(later{0}, ask_timeout, ec) == 100);
    BOOST_TEST(!ec);
    BOOST_TEST(ref.ask(later{1}, ask_timeout, ec) == 101);
    BOOST_TEST(!ec);
    ref.ask(later{2}, ask_timeout, ec);
    BOOST_TEST((ec == error::broken_promise));
    ref.ask(later{3}, ask_timeout, ec);
    BOOST_TEST((ec == error::timed_out));
    ref.ask(later{4}, ask_timeout, ec);
    BOOST_TEST((ec == error::broken_promise)); // the promise died with the coroutine's frame
    BOOST_TEST(by_flag.ask(square{7}, ask_timeout, ec) == 7);
    BOOST_TEST(!ec);
    by_flag.ask(square{0}, ask_timeout, ec);
    BOOST_TEST((ec == error::broken_promise)); // the taken promise was destroyed unanswered
    BOOST_TEST(by_code.ask(greet{"hi"}, ask_timeout, ec) == "hi!");
    BOOST_TEST(!ec);
    by_code.ask(greet{""}, ask_timeout, ec);
    BOOST_TEST((ec == boost::system::errc::invalid_argument));

    eng.stop();
    eng.join();
    BOOST_TEST(eng.stats().handler_failures == 3u); // the throw, false, the error code
    BOOST_TEST(log.size() == 3u);
}

namespace {

struct ping
{
    int n = 0;
    using reply_type = int;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_coroutine_asking_its_own_actor_gets_would_deadlock)
{
    std::mutex mutex;
    std::vector<error_code> codes; // under mutex
    std::atomic<int> handled_inner{0};
    zctor::engine eng(workers(2));
    auto ref = eng.spawn<ping>([&](zctor::context& ctx, ping p) -> awaitable<int> {
        if (p.n != 0)
        {
            ++handled_inner; // must never run: every self-ask is refused
            co_return -1;
        }
        auto self = ctx.self<receives<ping>>();
        auto record = [&](const error_code& ec) {
            std::lock_guard lock(mutex);
            codes.push_back(ec);
        };
        // Before the first suspension, with and without a timeout.
        auto [ec1, v1] = co_await self.async_ask(ping{1}, zctor::no_timeout, asio::as_tuple(use_awaitable));
        record(ec1);
        auto [ec2, v2] = co_await self.async_ask(ping{1}, forever, asio::as_tuple(use_awaitable));
        record(ec2);
        co_await pause(ctx);
        // After resuming from a timer, directly and routed by message type.
        auto [ec3, v3] = co_await self.async_ask(ping{1}, forever, asio::as_tuple(use_awaitable));
        record(ec3);
        auto [ec4, v4] =
            co_await ctx.get_engine().async_ask(ping{1}, zctor::no_timeout, asio::as_tuple(use_awaitable));
        record(ec4);
        // The blocking ask is refused on a worker too.
        error_code ec5;
        self.ask(ping{1}, forever, ec5);
        record(ec5);
        co_return v1 + v2 + v3 + v4 + 7;
    });
    eng.run();
    error_code ec;
    BOOST_TEST(ref.ask(ping{0}, ask_timeout, ec) == 7);
    BOOST_TEST(!ec);
    eng.stop();
    eng.join();
    BOOST_TEST(handled_inner == 0);
    BOOST_REQUIRE(codes.size() == 5u);
    for (const auto& c : codes)
        BOOST_TEST((c == error::would_deadlock));
    const auto s = eng.stats();
    BOOST_TEST(s.messages_handled == 1u);
    BOOST_TEST(s.messages_dropped == 0u);
}

BOOST_AUTO_TEST_CASE(an_ask_from_a_coroutine_completes_its_callback_on_the_actor_strand)
{
    // A completion handler without an executor of its own runs on the asking actor's strand,
    // whether the coroutine asked before its first suspension or after resuming.
    remote_checks checks;
    zctor_test::latch done(2);
    zctor::engine eng(workers(2));
    auto b = eng.spawn<twice>([](twice t) { return 2 * t.n; });
    auto a = eng.spawn<step>([&, b](zctor::context& ctx, step) -> awaitable<void> {
        auto on_reply = [&, strand = ctx.get_executor()](const char* when, int expected) {
            return [&, strand, when, expected](error_code ec, int v) {
                checks.expect(!ec && v == expected, std::string(when) + ": the reply");
                checks.expect(strand.running_in_this_thread(), std::string(when) + ": on the asker's strand");
                done.count_down();
            };
        };
        b.async_ask(twice{1}, ask_timeout, on_reply("before suspending", 2));
        co_await pause(ctx);
        b.async_ask(twice{2}, ask_timeout, on_reply("after resuming", 4));
    });
    BOOST_REQUIRE(a.worker_index() != b.worker_index());
    eng.run();
    a.send(step{});
    BOOST_REQUIRE(done.wait());
    eng.stop();
    eng.join();
    checks.verify(4);
}

BOOST_AUTO_TEST_CASE(a_blocking_ask_from_a_coroutine_of_an_embedded_engine_is_refused)
{
    // The application's threads run the engine: blocking one of them from a handler could
    // deadlock it, before the coroutine's first suspension as after it resumed. (Two threads,
    // so that a blocking ask that was wrongly accepted completes instead of hanging the test.)
    std::mutex mutex;
    std::vector<error_code> codes; // under mutex
    zctor_test::latch done(1);
    asio::io_context io;
    zctor::engine eng(io);
    auto b = eng.spawn<twice>([](twice t) { return 2 * t.n; });
    auto a = eng.spawn<step>([&, b](zctor::context& ctx, step) -> awaitable<void> {
        error_code ec;
        b.ask(twice{1}, ask_timeout, ec);
        {
            std::lock_guard lock(mutex);
            codes.push_back(ec);
        }
        co_await pause(ctx);
        b.ask(twice{2}, ask_timeout, ec);
        {
            std::lock_guard lock(mutex);
            codes.push_back(ec);
        }
        done.count_down();
    });
    std::thread t1([&] { io.run(); });
    std::thread t2([&] { io.run(); });
    a.send(step{});
    const bool finished = done.wait();
    eng.stop();
    t1.join();
    t2.join();
    BOOST_REQUIRE(finished);
    BOOST_REQUIRE(codes.size() == 2u);
    BOOST_TEST((codes[0] == error::would_deadlock));
    BOOST_TEST((codes[1] == error::would_deadlock));
}

namespace {

// What a coroutine handler saw when it was cancelled, recorded on its strand, checked on the
// test thread once the actor has stopped.
struct cancel_probe
{
    zctor_test::lifetime state;           // the actor's state (context::emplace_state)
    zctor_test::lifetime behaviour;       // the class actor's object, or the handler's captures
    zctor_test::latch suspended{1};       // the coroutine reached its long wait
    std::atomic<int> aborted{0};          // long waits that ended with operation_aborted
    std::atomic<int> other{0};            // long waits that ended otherwise
    std::atomic<bool> resumed{false};     // set past the cancellation point: must stay false
    std::atomic<int> unwound{0};          // coroutine frames destroyed
    std::atomic<int> alive_at_unwind{-1}; // state and behaviour objects alive when it unwound
    std::atomic<int> queued_handled{0};   // messages behind the coroutine that were handled
};

// Destroyed with the coroutine's frame: records what was still alive then.
struct unwind_witness
{
    cancel_probe* probe;
    explicit unwind_witness(cancel_probe* p) noexcept : probe(p) {}
    unwind_witness(const unwind_witness&) = delete;
    unwind_witness& operator=(const unwind_witness&) = delete;
    ~unwind_witness()
    {
        probe->alive_at_unwind = probe->state.alive() + probe->behaviour.alive();
        ++probe->unwound;
    }
};

// Takes state, then waits on a timer that never expires by itself.
awaitable<void> park(zctor::context& ctx, cancel_probe& p)
{
    ctx.emplace_state<zctor_test::counted>(p.state);
    unwind_witness witness{&p};
    asio::steady_timer timer(ctx.get_executor(), forever);
    p.suspended.count_down();
    try
    {
        co_await timer.async_wait(use_awaitable);
    }
    catch (const boost::system::system_error& e)
    {
        if (e.code() == asio::error::operation_aborted)
            ++p.aborted;
        else
            ++p.other;
        throw;
    }
    p.resumed = true;
}

struct go
{};

// The stop cases' class actor: its object is counted as the behaviour.
struct parked_actor
{
    zctor_test::counted behaviour;
    cancel_probe* probe;

    awaitable<void> handle(zctor::context& ctx, go)
    {
        co_await park(ctx, *probe);
        probe->resumed = true;
    }
    void handle(job) { ++probe->queued_handled; }
};

// After a cancelled coroutine's actor stopped: the wait was aborted, nothing ran past it, the frame
// unwound while the state and behaviour were alive, and each was destroyed exactly once.
void verify_cancelled(cancel_probe& p)
{
    BOOST_TEST(p.aborted == 1);
    BOOST_TEST(p.other == 0);
    BOOST_TEST(!p.resumed);
    BOOST_TEST(p.unwound == 1);
    BOOST_TEST(p.alive_at_unwind == 2);
    BOOST_TEST(p.state.constructed == 1);
    BOOST_TEST(p.state.destroyed == 1);
    BOOST_TEST(p.behaviour.constructed == 1);
    BOOST_TEST(p.behaviour.destroyed == 1);
}

bool released(cancel_probe& p) { return p.state.destroyed == 1 && p.behaviour.destroyed == 1; }

} // namespace

BOOST_AUTO_TEST_CASE(stopping_a_class_actor_cancels_its_suspended_coroutine)
{
    constexpr int queued = 10;
    cancel_probe probe;
    failure_log log;
    zctor::engine_config config = workers(2);
    log.attach(config);
    zctor::engine eng(config);
    auto ref = eng.spawn<parked_actor>(zctor_test::counted(probe.behaviour), &probe);
    ref.send(go{});
    for (int i = 0; i < queued; ++i)
        ref.send(job{i}); // behind the coroutine
    eng.run();
    BOOST_REQUIRE(probe.suspended.wait());
    BOOST_TEST(!ref.stopped());
    ref.stop();
    BOOST_REQUIRE(wait_until([&] { return released(probe) && eng.stats().actors_stopped == 1u; }));
    BOOST_TEST(ref.stopped());
    verify_cancelled(probe);
    BOOST_TEST(probe.queued_handled == 0);
    auto s = eng.stats();
    BOOST_TEST(s.messages_handled == 1u);
    BOOST_TEST(s.messages_dropped == static_cast<std::uint64_t>(queued));
    BOOST_TEST(s.handler_failures == 0u); // the unwinding is not a failure
    BOOST_TEST(log.size() == 0u);

    eng.stop();
    eng.join();
    verify_cancelled(probe); // nothing destroyed twice
    s = eng.stats();
    BOOST_TEST(s.messages_handled + s.messages_dropped == static_cast<std::uint64_t>(1 + queued));
}

BOOST_AUTO_TEST_CASE(stopping_a_handler_actor_cancels_its_suspended_coroutine)
{
    constexpr int queued = 10;
    cancel_probe probe;
    failure_log log;
    zctor::engine_config config = workers(1);
    log.attach(config);
    zctor::engine eng(config);
    // The lambda's captures are the behaviour: the coroutine's frame refers to them.
    auto ref = eng.spawn<int>([&probe, witness = zctor_test::counted(probe.behaviour)](
                                  zctor::context& ctx, int n) -> awaitable<void> {
        if (n != 0)
        {
            ++probe.queued_handled;
            co_return;
        }
        co_await park(ctx, probe);
        probe.resumed = witness.value() == 0; // touches the captures past the cancellation point
    });
    eng.run();
    ref.send(0);
    BOOST_REQUIRE(probe.suspended.wait());
    for (int i = 1; i <= queued; ++i)
        ref.send(i);
    ref.stop();
    BOOST_REQUIRE(wait_until([&] { return released(probe) && eng.stats().actors_stopped == 1u; }));
    verify_cancelled(probe);
    BOOST_TEST(probe.queued_handled == 0);
    const auto s = eng.stats();
    BOOST_TEST(s.messages_handled == 1u);
    BOOST_TEST(s.messages_dropped == static_cast<std::uint64_t>(queued));
    BOOST_TEST(s.handler_failures == 0u);
    BOOST_TEST(log.size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_cancelled_coroutine_that_returns_its_error_code_is_not_a_failure)
{
    cancel_probe probe;
    failure_log log;
    zctor::engine_config config = workers(2);
    log.attach(config);
    zctor::engine eng(config);
    // The usual shape of an error_code coroutine: it returns what its wait completed with.
    auto ref = eng.spawn<int>([&probe, witness = zctor_test::counted(probe.behaviour)](
                                  zctor::context& ctx, int) -> awaitable<error_code> {
        ctx.emplace_state<zctor_test::counted>(probe.state);
        unwind_witness w{&probe};
        asio::steady_timer timer(ctx.get_executor(), forever);
        probe.suspended.count_down();
        auto [ec] = co_await timer.async_wait(asio::as_tuple(use_awaitable));
        if (ec == asio::error::operation_aborted)
            ++probe.aborted;
        else
            probe.resumed = true;
        co_return ec;
    });
    eng.run();
    ref.send(0);
    BOOST_REQUIRE(probe.suspended.wait());
    ref.stop();
    BOOST_REQUIRE(wait_until([&] { return released(probe) && eng.stats().actors_stopped == 1u; }));
    verify_cancelled(probe);
    BOOST_TEST(eng.stats().handler_failures == 0u);
    BOOST_TEST(log.size() == 0u); // not reported either
}

BOOST_AUTO_TEST_CASE(stopping_an_actor_cancels_a_coroutine_waiting_for_an_ask)
{
    cancel_probe probe;
    std::atomic<int> asked{0};
    failure_log log;
    zctor::engine_config config = workers(1);
    log.attach(config);
    zctor::engine eng(config);
    // Takes the promise and keeps it in its state: never answers while it runs.
    auto silent = eng.spawn<square>([&](zctor::context& ctx, square) {
        ctx.set_state(std::make_shared<zctor::response_promise<int>>(ctx.make_response_promise<int>()));
        ++asked;
    });
    auto ref = eng.spawn<go>([&probe, silent, witness = zctor_test::counted(probe.behaviour)](
                                 zctor::context& ctx, go) -> awaitable<void> {
        ctx.emplace_state<zctor_test::counted>(probe.state);
        unwind_witness w{&probe};
        probe.suspended.count_down();
        try
        {
            co_await silent.async_ask(square{1}, zctor::no_timeout, use_awaitable);
            probe.resumed = true;
        }
        catch (const boost::system::system_error& e)
        {
            if (e.code() == asio::error::operation_aborted)
                ++probe.aborted;
            else
                ++probe.other;
            throw;
        }
    });
    eng.run();
    ref.send(go{});
    BOOST_REQUIRE(probe.suspended.wait());
    BOOST_REQUIRE(wait_until([&] { return asked == 1; }));
    ref.stop();
    BOOST_REQUIRE(wait_until([&] { return released(probe) && eng.stats().actors_stopped == 1u; }));
    verify_cancelled(probe);
    BOOST_TEST(eng.stats().handler_failures == 0u);
    BOOST_TEST(log.size() == 0u);
    eng.stop();
    eng.join();
    // The silent actor's promise died with its state: its late answer went nowhere.
    BOOST_TEST(eng.stats().replies_discarded == 0u);
}

BOOST_AUTO_TEST_CASE(stopping_from_the_strand_while_suspended_cancels_the_coroutine)
{
    // ctx.stop() called while the coroutine is suspended, by a completion on the actor's strand
    // that was started by the coroutine (as a watchdog would be).
    cancel_probe probe;
    failure_log log;
    zctor::engine_config config = workers(2);
    log.attach(config);
    zctor::engine eng(config);
    auto ref = eng.spawn<go>(
        [&probe, witness = zctor_test::counted(probe.behaviour)](zctor::context& ctx, go) -> awaitable<void> {
            auto watchdog = std::make_shared<asio::steady_timer>(ctx.get_executor(), 1ms);
            watchdog->async_wait([watchdog, &ctx](const error_code&) { ctx.stop(); });
            co_await park(ctx, probe);
            probe.resumed = true;
        });
    eng.run();
    ref.send(go{});
    BOOST_REQUIRE(probe.suspended.wait());
    BOOST_REQUIRE(wait_until([&] { return released(probe) && eng.stats().actors_stopped == 1u; }));
    verify_cancelled(probe);
    BOOST_TEST(eng.stats().handler_failures == 0u);
    BOOST_TEST(log.size() == 0u);
}

BOOST_AUTO_TEST_CASE(stopping_itself_then_suspending_cancels_the_coroutine)
{
    cancel_probe probe;
    failure_log log;
    zctor::engine_config config = workers(2);
    log.attach(config);
    zctor::engine eng(config);
    auto ref = eng.spawn<go>(
        [&probe, witness = zctor_test::counted(probe.behaviour)](zctor::context& ctx, go) -> awaitable<void> {
            ctx.stop();
            co_await park(ctx, probe);
            probe.resumed = true;
        });
    eng.run();
    ref.send(go{});
    BOOST_REQUIRE(probe.suspended.wait());
    BOOST_REQUIRE(wait_until([&] { return released(probe) && eng.stats().actors_stopped == 1u; }));
    verify_cancelled(probe);
    BOOST_TEST(eng.stats().handler_failures == 0u);
    BOOST_TEST(log.size() == 0u);
}

namespace {

// Stops the engine while a coroutine is suspended, with `queued` messages behind it.
void engine_stop_cancels(zctor::shutdown_policy policy)
{
    constexpr int queued = 10;
    cancel_probe probe;
    failure_log log;
    zctor::engine_config config = workers(2, policy);
    config.drain_timeout = 20ms; // the coroutine never finishes by itself
    log.attach(config);
    zctor::engine eng(config);
    auto ref = eng.spawn<parked_actor>(zctor_test::counted(probe.behaviour), &probe);
    ref.send(go{});
    for (int i = 0; i < queued; ++i)
        ref.send(job{i});
    eng.run();
    BOOST_REQUIRE(probe.suspended.wait());
    eng.stop();
    eng.join();
    // Once the engine has stopped, the actor's state and behaviour are gone, although the test
    // still holds a reference to it.
    verify_cancelled(probe);
    BOOST_TEST(probe.queued_handled == 0);
    const auto s = eng.stats();
    BOOST_TEST(s.messages_handled == 1u);
    BOOST_TEST(s.messages_dropped == static_cast<std::uint64_t>(queued));
    BOOST_TEST(s.handler_failures == 0u);
    BOOST_TEST(log.size() == 0u);
}

} // namespace

BOOST_AUTO_TEST_CASE(engine_stop_with_drop_cancels_a_suspended_coroutine)
{
    engine_stop_cancels(zctor::shutdown_policy::drop);
}

BOOST_AUTO_TEST_CASE(engine_stop_with_drain_cancels_a_suspended_coroutine_after_the_timeout)
{
    engine_stop_cancels(zctor::shutdown_policy::drain);
}

BOOST_AUTO_TEST_CASE(engine_destructor_with_a_suspended_coroutine)
{
    cancel_probe probe;
    {
        zctor::engine_config config = workers(1);
        config.drain_timeout = 20ms;
        zctor::engine eng(config);
        auto a = eng.spawn<parked_actor>(zctor_test::counted(probe.behaviour), &probe);
        a.send(go{});
        eng.run();
        BOOST_REQUIRE(probe.suspended.wait());
    } // must neither hang nor leak (the file runs under ASan)
    verify_cancelled(probe);
}

BOOST_AUTO_TEST_CASE(engine_destructor_with_a_suspended_handler_coroutine_and_a_live_reference)
{
    cancel_probe probe;
    zctor::actor_ref<receives<go>> outlives; // destroyed after the engine
    {
        zctor::engine eng(workers(2, zctor::shutdown_policy::drop));
        outlives = eng.spawn<go>([&probe, witness = zctor_test::counted(probe.behaviour)](
                                     zctor::context& ctx, go) -> awaitable<void> {
            co_await park(ctx, probe);
            probe.resumed = true;
        });
        outlives.send(go{});
        eng.run();
        BOOST_REQUIRE(probe.suspended.wait());
    }
    BOOST_TEST(outlives.stopped());
    verify_cancelled(probe);
}

BOOST_AUTO_TEST_CASE(drain_waits_for_a_suspended_coroutine_and_the_messages_behind_it)
{
    constexpr int queued = 10;
    std::atomic<bool> release{false};
    std::atomic<int> finished{0};
    std::atomic<int> queued_handled{0};
    zctor_test::latch suspended(1);
    zctor::engine eng(workers(2)); // drain, with the default (generous) timeout
    auto ref = eng.spawn<step>([&](zctor::context& ctx, step s) -> awaitable<void> {
        if (s.n != 0)
        {
            ++queued_handled;
            co_return;
        }
        suspended.count_down();
        while (!release)
            co_await pause(ctx);
        ++finished;
    });
    for (int n = 0; n <= queued; ++n)
        ref.send(step{n});
    eng.run();
    BOOST_REQUIRE(suspended.wait());
    eng.stop();
    release = true;
    eng.join();
    BOOST_TEST(finished == 1);
    BOOST_TEST(queued_handled == queued);
    const auto s = eng.stats();
    BOOST_TEST(s.messages_handled == static_cast<std::uint64_t>(queued + 1));
    BOOST_TEST(s.messages_dropped == 0u);
    BOOST_TEST(s.handler_failures == 0u);
}

namespace {

struct document
{
    std::string title;
    std::vector<int> pages;
};

// The message, the context and the actor's object are used across suspensions.
struct reader
{
    std::string name;
    remote_checks* checks;
    zctor_test::latch* done;

    awaitable<void> handle(zctor::context& ctx, const document& d)
    {
        const auto id = ctx.id();
        const auto* address = &d;
        co_await pause(ctx);
        checks->expect(&d == address && d.title == "title" && d.pages.size() == 100u,
                       "the message is intact");
        checks->expect(ctx.id() == id && ctx.get_executor().running_in_this_thread(),
                       "the context is intact");
        checks->expect(name == "reader", "the object is intact");
        auto& count = ctx.state<int>() != nullptr ? *ctx.state<int>() : ctx.emplace_state<int>(0);
        ++count;
        co_await pause(ctx);
        checks->expect(ctx.state<int>() == &count, "the state persists across suspensions");
        done->count_down();
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(message_context_and_object_stay_valid_until_the_coroutine_finishes)
{
    constexpr int messages = 5;
    remote_checks checks;
    zctor_test::latch done(messages);
    zctor::engine eng(workers(2));
    auto ref = eng.spawn<reader>(std::string("reader"), &checks, &done);
    eng.run();
    for (int i = 0; i < messages; ++i)
        ref.send(document{"title", std::vector<int>(100, i)});
    BOOST_REQUIRE(done.wait());
    eng.stop();
    eng.join();
    checks.verify(4 * messages);
}
