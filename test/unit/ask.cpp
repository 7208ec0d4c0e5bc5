//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#define BOOST_TEST_MODULE zctor_ask
// Test that the header file is self-contained.
#include <zctor/ask.hpp>
// Other headers, to ask actors: actor_ref::async_ask/ask and engine::async_ask/ask.
#include <zctor/engine.hpp>
#include <zctor/error.hpp>
#include <zctor/response_promise.hpp>
#include <zctor_test/checks.hpp>
#include <zctor_test/wait.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace asio = boost::asio;

namespace {

using zctor_test::remote_checks;
using zctor_test::workers;

using boost::system::error_code;
using zctor::error;
using zctor::receives;
using zctor_test::wait_until;
using namespace std::chrono_literals;

// --- Messages ---------------------------------------------------------------------------------

// A request: the reply is an int.
struct get
{
    int value = 0;
    using reply_type = int;
};

// A request its responder keeps the promise of (so the ask waits until the test answers it).
struct hold
{
    using reply_type = int;
};

// A request nobody is routed for.
struct lonely
{
    using reply_type = int;
};

// A request whose reply is a bool: false is a value, not a failure.
struct yes_no
{
    using reply_type = bool;
};

// Plain messages that start something in a handler.
struct start
{
    int value = 0;
};
struct marker
{};

// A request whose reply type is not in the message: a variant, answered as one message type.
struct ping
{
    int value = 0;
};
struct pong
{
    int value = 0;
};
using ping_or_pong = std::variant<ping, pong>;

// A type whose construction throws: emplacing it leaves a variant valueless (it is not
// trivially copyable, so the library may not build it aside first).
struct explodes
{
    explicit explodes(int) { throw std::runtime_error("explodes"); }
    explodes(const explodes&) = default;
    ~explodes() {}
    std::string text;
};
using fragile = std::variant<ping, explodes>;

} // namespace

template <>
struct zctor::reply_of<ping_or_pong>
{
    using type = int;
};
template <>
struct zctor::reply_of<fragile>
{
    using type = int;
};

namespace {

static_assert(zctor::request<get> && zctor::request<ping_or_pong> && !zctor::request<start>);
static_assert(std::is_same_v<zctor::reply_type_t<yes_no>, bool>);

// --- Helpers ----------------------------------------------------------------------------------

// The completion of one ask, recorded wherever it runs, asserted on the test thread.
template <class R>
class outcome
{
public:
    // A completion handler that records the result; `where()` is evaluated where it runs.
    template <class Where>
    auto handler(Where where)
    {
        return [this, where](error_code ec, R value) { record(ec, std::move(value), where()); };
    }
    auto handler()
    {
        return handler([] { return true; });
    }

    void record(error_code ec, R value, bool where_ok = true)
    {
        {
            std::lock_guard lock(mutex_);
            ++calls_;
            ec_ = ec;
            value_ = std::move(value);
            where_ok_ = where_ok;
        }
        done_.count_down();
    }

    [[nodiscard]] bool wait() { return done_.wait(); }

    int calls()
    {
        std::lock_guard lock(mutex_);
        return calls_;
    }
    error_code ec()
    {
        std::lock_guard lock(mutex_);
        return ec_;
    }
    R value()
    {
        std::lock_guard lock(mutex_);
        return value_;
    }
    bool where_ok()
    {
        std::lock_guard lock(mutex_);
        return where_ok_;
    }

private:
    std::mutex mutex_;
    int calls_ = 0;
    error_code ec_;
    R value_{};
    bool where_ok_ = false;
    zctor_test::latch done_{1};
};

// Promises taken by responders that never answer on their own, handed to the test thread.
// Clear it (or answer every promise) before the engine is destroyed.
template <class R>
class promise_box
{
public:
    explicit promise_box(std::ptrdiff_t expected = 1) : arrived_(expected) {}

    void put(zctor::response_promise<R> p)
    {
        {
            std::lock_guard lock(mutex_);
            promises_.push_back(std::move(p));
        }
        arrived_.count_down();
    }

    // Waits for the expected number of promises.
    [[nodiscard]] bool wait() { return arrived_.wait(); }

    zctor::response_promise<R> take(std::size_t i = 0)
    {
        std::lock_guard lock(mutex_);
        return std::move(promises_.at(i));
    }

    void clear()
    {
        std::lock_guard lock(mutex_);
        promises_.clear();
    }

private:
    std::mutex mutex_;
    std::vector<zctor::response_promise<R>> promises_;
    zctor_test::latch arrived_;
};

// The error code of what `f` throws; success if it throws nothing.
template <class F>
error_code thrown_code(F&& f)
{
    try
    {
        f();
    }
    catch (const boost::system::system_error& e)
    {
        return e.code();
    }
    return {};
}

// Set on the test thread around an initiating call: a completion that sees it true ran inside it.
thread_local bool inside_initiation = false;

// An io_context run by its own thread until the test ends.
class io_thread
{
public:
    io_thread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
    ~io_thread()
    {
        guard_.reset();
        io_.stop();
        thread_.join();
    }
    asio::io_context::executor_type get_executor() { return io_.get_executor(); }

private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    std::thread thread_;
};

// A class actor: replies by return value, with and without a context.
struct add
{
    int a = 0;
    int b = 0;
    using reply_type = int;
};
struct name_of
{
    using reply_type = std::string;
};

class calculator
{
public:
    using messages = receives<add, name_of>;
    int handle(add r) { return r.a + r.b; }
    std::string handle(zctor::context&, name_of) { return "calculator"; }
};

} // namespace

// === Completion tokens ========================================================================

BOOST_AUTO_TEST_CASE(reply_returned_by_the_handler_completes_a_callback)
{
    outcome<int> got;
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    e.run();
    doubler.async_ask(get{21}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.calls() == 1);
    BOOST_TEST(!got.ec());
    BOOST_TEST(got.value() == 42);
    BOOST_TEST(e.stats().messages_handled == 1u);
    BOOST_TEST(e.stats().replies_discarded == 0u);
}

BOOST_AUTO_TEST_CASE(use_future_yields_the_reply_or_throws_the_error)
{
    promise_box<int> box;
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    auto keeper =
        e.spawn<hold>([&](zctor::context& ctx, hold) { box.put(ctx.make_response_promise<int>()); });
    e.run();
    auto reply = doubler.async_ask(get{5}, zctor::no_timeout, asio::use_future);
    BOOST_REQUIRE(reply.wait_for(zctor_test::default_timeout) == std::future_status::ready);
    BOOST_TEST(reply.get() == 10);

    // Failed by this thread, so the exception is made, thrown and freed here: ThreadSanitizer
    // cannot see libstdc++'s own exception_ptr counting, and a failure completed on another
    // thread (a fail-fast one goes through the system executor) would be a false report.
    auto failed = keeper.async_ask(hold{}, zctor::no_timeout, asio::use_future);
    BOOST_REQUIRE(box.wait());
    BOOST_TEST(box.take().fail(error::handler_failed));
    BOOST_REQUIRE(failed.wait_for(zctor_test::default_timeout) == std::future_status::ready);
    BOOST_TEST(thrown_code([&] { failed.get(); }) == error::handler_failed);
    e.stop();
    e.join();
    BOOST_TEST(e.stats().messages_handled == 2u);
}

BOOST_AUTO_TEST_CASE(deferred_ask_is_sent_only_when_started)
{
    // The default token: async_ask returns an operation that sends nothing until it is started.
    struct recorder
    {
        std::atomic<int>* asked;
        std::atomic<int>* asked_at_marker;
        zctor_test::latch* marked;
        int handle(get g)
        {
            ++*asked;
            return g.value;
        }
        void handle(marker)
        {
            *asked_at_marker = asked->load();
            marked->count_down();
        }
    };
    std::atomic<int> asked{0};
    std::atomic<int> asked_at_marker{-1};
    zctor_test::latch marked(1);
    outcome<int> got;
    zctor::engine e(workers(2));
    auto ref = e.spawn<recorder>(&asked, &asked_at_marker, &marked);
    e.run();
    auto op = ref.async_ask(get{7}, zctor::no_timeout);
    // Messages from one sender are handled in order: had the ask been sent, it would come first.
    ref.send(marker{});
    BOOST_REQUIRE(marked.wait());
    BOOST_TEST(asked_at_marker == 0);
    std::move(op)(got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(!got.ec());
    BOOST_TEST(got.value() == 7);
    BOOST_TEST(asked == 1);
    BOOST_TEST(e.stats().messages_handled == 2u);
}

BOOST_AUTO_TEST_CASE(as_tuple_passes_the_error_and_reply_as_one_tuple)
{
    std::mutex mutex;
    std::vector<std::tuple<error_code, int>> got; // guarded by mutex
    zctor_test::latch done(2);
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    zctor::actor_ref<receives<get>> empty;
    e.run();
    auto record = [&](std::tuple<error_code, int> t) {
        {
            std::lock_guard lock(mutex);
            got.push_back(t);
        }
        done.count_down();
    };
    doubler.async_ask(get{3}, zctor::no_timeout, asio::as_tuple(record));
    empty.async_ask(get{4}, zctor::no_timeout, asio::as_tuple(record));
    BOOST_REQUIRE(done.wait());
    e.stop();
    e.join();
    std::lock_guard lock(mutex);
    BOOST_REQUIRE(got.size() == 2u);
    std::sort(got.begin(), got.end(), [](auto& a, auto& b) { return std::get<1>(a) > std::get<1>(b); });
    BOOST_TEST(!std::get<0>(got[0]));
    BOOST_TEST(std::get<1>(got[0]) == 6);
    BOOST_TEST(std::get<0>(got[1]) == error::actor_not_found);
    BOOST_TEST(std::get<1>(got[1]) == 0);
    BOOST_TEST(e.stats().messages_handled == 1u);
}

BOOST_AUTO_TEST_CASE(use_awaitable_from_a_coroutine_on_an_io_context)
{
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    zctor::actor_ref<receives<get>> empty;
    e.run();
    asio::io_context io;
    // All written by the coroutine, on this thread (io.run_for below).
    int reply = 0;
    bool resumed_on_io = false;
    error_code thrown;
    error_code tuple_ec;
    bool finished = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            reply = co_await doubler.async_ask(get{8}, zctor::no_timeout, asio::use_awaitable);
            resumed_on_io = io.get_executor().running_in_this_thread();
            try
            {
                co_await empty.async_ask(get{1}, zctor::no_timeout, asio::use_awaitable);
            }
            catch (const boost::system::system_error& ex)
            {
                thrown = ex.code();
            }
            auto [ec, value] =
                co_await empty.async_ask(get{1}, zctor::no_timeout, asio::as_tuple(asio::use_awaitable));
            tuple_ec = ec;
            (void)value;
            finished = true;
        },
        asio::detached);
    io.run_for(zctor_test::default_timeout);
    e.stop();
    e.join();
    BOOST_REQUIRE(finished);
    BOOST_TEST(reply == 16);
    BOOST_TEST(resumed_on_io);
    BOOST_TEST(thrown == error::actor_not_found);
    BOOST_TEST(tuple_ec == error::actor_not_found);
    BOOST_TEST(e.stats().messages_handled == 1u);
}

BOOST_AUTO_TEST_CASE(use_awaitable_from_a_coroutine_on_an_actor_strand)
{
    remote_checks checks;
    zctor_test::latch done(1);
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    auto asker = e.spawn<start>([&](zctor::context& ctx, start s) {
        asio::co_spawn(
            ctx.get_executor(),
            [&, s, ex = ctx.get_executor()]() -> asio::awaitable<void> {
                const int reply =
                    co_await doubler.async_ask(get{s.value}, zctor::no_timeout, asio::use_awaitable);
                checks.expect(reply == 2 * s.value, "the reply");
                checks.expect(ex.running_in_this_thread(), "resumed on the actor's strand");
                done.count_down();
            },
            asio::detached);
    });
    e.run();
    asker.send(start{4});
    BOOST_REQUIRE(done.wait());
    e.stop();
    e.join();
    checks.verify(2);
    BOOST_TEST(e.stats().messages_handled == 2u);
}

BOOST_AUTO_TEST_CASE(coroutine_handler_replies_with_what_it_co_returns)
{
    struct relay
    {
        int value = 0;
        using reply_type = int;
    };
    outcome<int> got;
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    auto relayer = e.spawn<relay>([&](relay r) -> asio::awaitable<int> {
        const int doubled = co_await doubler.async_ask(get{r.value}, zctor::no_timeout, asio::use_awaitable);
        co_return doubled + 1;
    });
    e.run();
    relayer.async_ask(relay{5}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(!got.ec());
    BOOST_TEST(got.value() == 11);
    BOOST_TEST(e.stats().messages_handled == 2u);
}

// === How a handler's result becomes the reply =================================================

BOOST_AUTO_TEST_CASE(handler_returning_false_fails_the_ask_with_handler_failed)
{
    outcome<int> got;
    zctor::engine e(workers(2));
    auto refuses = e.spawn<get>([](get) { return false; });
    e.run();
    refuses.async_ask(get{1}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == error::handler_failed);
    BOOST_TEST(got.value() == 0);
    BOOST_TEST(e.stats().handler_failures == 1u);
}

BOOST_AUTO_TEST_CASE(handler_returning_an_error_code_fails_the_ask_with_that_code)
{
    const error_code denied = make_error_code(boost::system::errc::permission_denied);
    outcome<int> got;
    zctor::engine e(workers(2));
    auto refuses = e.spawn<get>([&](get) { return denied; });
    e.run();
    refuses.async_ask(get{1}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == denied);
    BOOST_TEST(e.stats().handler_failures == 1u);
}

BOOST_AUTO_TEST_CASE(handler_that_throws_fails_the_ask_with_handler_failed)
{
    outcome<int> got;
    zctor::engine e(workers(2));
    auto throws = e.spawn<get>([](get) -> int { throw std::runtime_error("no reply"); });
    e.run();
    throws.async_ask(get{1}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == error::handler_failed);
    BOOST_TEST(e.stats().handler_failures == 1u);
}

BOOST_AUTO_TEST_CASE(handler_returning_void_without_taking_the_promise_breaks_it)
{
    outcome<int> got;
    zctor::engine e(workers(2));
    auto silent = e.spawn<get>([](get) {});
    e.run();
    silent.async_ask(get{1}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == error::broken_promise);
    BOOST_TEST(e.stats().handler_failures == 0u); // void is success: only the reply is missing
    BOOST_TEST(e.stats().messages_handled == 1u);
}

BOOST_AUTO_TEST_CASE(bool_reply_false_is_a_value_not_a_failure)
{
    outcome<bool> got;
    zctor::engine e(workers(2));
    auto says_no = e.spawn<yes_no>([](yes_no) { return false; });
    e.run();
    says_no.async_ask(yes_no{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(!got.ec());
    BOOST_TEST(got.value() == false);
    BOOST_TEST(e.stats().handler_failures == 0u);
}

// === Fail-fast errors =========================================================================

BOOST_AUTO_TEST_CASE(empty_ref_fails_with_actor_not_found)
{
    outcome<int> got;
    zctor::actor_ref<receives<get>> empty;
    inside_initiation = true;
    empty.async_ask(get{1}, zctor::no_timeout, got.handler([] { return !inside_initiation; }));
    inside_initiation = false;
    BOOST_REQUIRE(got.wait());
    BOOST_TEST(got.ec() == error::actor_not_found);
    BOOST_TEST(got.where_ok()); // not completed inside the call
}

BOOST_AUTO_TEST_CASE(engine_ask_without_a_routed_actor_fails_with_actor_not_found)
{
    outcome<int> got;
    zctor::engine e(workers(2));
    e.spawn<get>([](get g) { return g.value; }); // routed for get, not for lonely
    e.run();
    e.async_ask(lonely{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == error::actor_not_found);
    BOOST_TEST(e.stats().messages_handled == 0u);
}

BOOST_AUTO_TEST_CASE(ask_to_a_stopped_actor_fails_with_actor_stopped)
{
    outcome<int> got;
    std::atomic<int> handled{0};
    zctor::engine e(workers(2));
    auto ref = e.spawn<get>([&](get g) {
        ++handled;
        return g.value;
    });
    e.run();
    ref.stop();
    BOOST_REQUIRE(wait_until([&] { return ref.stopped(); }));
    ref.async_ask(get{1}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == error::actor_stopped);
    BOOST_TEST(handled == 0);
}

BOOST_AUTO_TEST_CASE(request_dropped_by_a_stopping_actor_breaks_the_promise)
{
    struct stops_first
    {
        std::atomic<int>* asked;
        void handle(zctor::context& ctx, marker) { ctx.stop(); }
        int handle(get g)
        {
            ++*asked;
            return g.value;
        }
    };
    std::atomic<int> asked{0};
    outcome<int> got;
    zctor::engine e(workers(2));
    auto ref = e.spawn<stops_first>(&asked);
    // Queued before the engine runs: the marker stops the actor with the request behind it.
    ref.send(marker{});
    ref.async_ask(get{1}, zctor::no_timeout, got.handler());
    e.run();
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == error::broken_promise);
    BOOST_TEST(asked == 0);
    BOOST_TEST(e.stats().messages_handled == 1u);
    BOOST_TEST(e.stats().messages_dropped == 1u);
}

BOOST_AUTO_TEST_CASE(promise_dropped_by_a_stopping_actor_breaks_it)
{
    outcome<int> got;
    zctor_test::latch held(1);
    zctor::engine e(workers(2));
    // The responder keeps the promise in its state: stopping the actor destroys it unanswered.
    auto ref = e.spawn<hold>([&](zctor::context& ctx, hold) {
        ctx.set_state(std::make_shared<zctor::response_promise<int>>(ctx.make_response_promise<int>()));
        held.count_down();
    });
    e.run();
    ref.async_ask(hold{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(held.wait());
    ref.stop();
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == error::broken_promise);
}

BOOST_AUTO_TEST_CASE(ask_after_the_engine_stopped_fails_with_engine_stopped)
{
    outcome<int> by_ref;
    outcome<int> by_type;
    zctor::engine e(workers(2));
    auto ref = e.spawn<get>([](get g) { return g.value; });
    e.run();
    e.stop();
    e.join();
    ref.async_ask(get{1}, zctor::no_timeout, by_ref.handler());
    e.async_ask(get{1}, zctor::no_timeout, by_type.handler());
    BOOST_REQUIRE(by_ref.wait());
    BOOST_REQUIRE(by_type.wait());
    BOOST_TEST(by_ref.ec() == error::engine_stopped);
    BOOST_TEST(by_type.ec() == error::engine_stopped);
    error_code ec;
    ref.ask(get{1}, zctor::no_timeout, ec);
    BOOST_TEST(ec == error::engine_stopped);
    BOOST_TEST(e.stats().messages_handled == 0u);
}

BOOST_AUTO_TEST_CASE(coroutine_handler_asking_its_own_actor_fails_with_would_deadlock)
{
    std::mutex mutex;
    std::vector<error_code> got; // guarded by mutex
    outcome<int> outer;
    zctor::engine e(workers(2));
    auto ref = e.spawn<get>([&](zctor::context& ctx, get g) -> asio::awaitable<int> {
        if (g.value != 0)
            co_return g.value;
        auto self = ctx.self<receives<get>>();
        auto [by_ref, v1] =
            co_await self.async_ask(get{1}, zctor::no_timeout, asio::as_tuple(asio::use_awaitable));
        auto [by_type, v2] = co_await ctx.get_engine().async_ask(get{2}, zctor::no_timeout,
                                                                 asio::as_tuple(asio::use_awaitable));
        std::lock_guard lock(mutex);
        got = {by_ref, by_type};
        co_return v1 + v2 + 100;
    });
    e.run();
    ref.async_ask(get{0}, zctor::no_timeout, outer.handler());
    BOOST_REQUIRE(outer.wait());
    e.stop();
    e.join();
    BOOST_TEST(!outer.ec());
    BOOST_TEST(outer.value() == 100);
    std::lock_guard lock(mutex);
    BOOST_REQUIRE(got.size() == 2u);
    BOOST_TEST(got[0] == error::would_deadlock);
    BOOST_TEST(got[1] == error::would_deadlock);
    BOOST_TEST(e.stats().messages_handled == 1u); // the self-asks were never queued
}

BOOST_AUTO_TEST_CASE(callback_ask_of_its_own_actor_from_a_handler_works)
{
    // Unlike a suspended coroutine, a plain handler returns before its own request is handled.
    struct asks_itself
    {
        remote_checks* checks;
        zctor_test::latch* done;
        void handle(zctor::context& ctx, start s)
        {
            ctx.self<asks_itself>().async_ask(
                get{s.value}, zctor::no_timeout, [this, ex = ctx.get_executor()](error_code ec, int v) {
                    checks->expect(!ec, "success");
                    checks->expect(v == 3, "the reply");
                    checks->expect(ex.running_in_this_thread(), "on the strand");
                    done->count_down();
                });
        }
        int handle(get g) { return g.value; }
    };
    remote_checks checks;
    zctor_test::latch done(1);
    zctor::engine e(workers(2));
    auto ref = e.spawn<asks_itself>(&checks, &done);
    e.run();
    ref.send(start{3});
    BOOST_REQUIRE(done.wait());
    e.stop();
    e.join();
    checks.verify(3);
    BOOST_TEST(e.stats().messages_handled == 2u);
}

BOOST_AUTO_TEST_CASE(valueless_variant_request_fails_with_invalid_message)
{
    std::atomic<int> handled{0};
    outcome<int> got;
    zctor::engine e(workers(2));
    auto ref = e.spawn<fragile>([&](const fragile& f) {
        ++handled;
        return static_cast<int>(f.index());
    });
    e.run();
    fragile broken = ping{};
    try
    {
        broken.emplace<explodes>(0);
    }
    catch (const std::runtime_error&)
    {}
    BOOST_REQUIRE(broken.valueless_by_exception());
    error_code sent;
    ref.send(broken, sent); // what a send says about the same message
    ref.async_ask(broken, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(sent == error::invalid_message);
    BOOST_TEST(got.ec() == error::invalid_message);
    BOOST_TEST(handled == 0);
}

// === Timeout and cancellation =================================================================

BOOST_AUTO_TEST_CASE(ask_from_outside_times_out_when_no_reply_comes)
{
    promise_box<int> box;
    outcome<int> got;
    zctor::engine e(workers(2));
    auto keeper =
        e.spawn<hold>([&](zctor::context& ctx, hold) { box.put(ctx.make_response_promise<int>()); });
    e.run();
    keeper.async_ask(hold{}, 1ms, got.handler());
    BOOST_REQUIRE(got.wait());
    BOOST_TEST(got.ec() == error::timed_out);
    BOOST_TEST(got.value() == 0);
    BOOST_REQUIRE(box.wait());
    box.clear();
    e.stop();
    e.join();
    BOOST_TEST(got.calls() == 1);
}

BOOST_AUTO_TEST_CASE(ask_from_a_handler_times_out_when_no_reply_comes)
{
    promise_box<int> box;
    remote_checks checks;
    zctor_test::latch done(1);
    zctor::engine e(workers(2));
    auto keeper =
        e.spawn<hold>([&](zctor::context& ctx, hold) { box.put(ctx.make_response_promise<int>()); });
    auto asker = e.spawn<start>([&](zctor::context& ctx, start) {
        keeper.async_ask(hold{}, 1ms, [&, ex = ctx.get_executor()](error_code ec, int v) {
            checks.expect(ec == error::timed_out, "timed_out");
            checks.expect(v == 0, "default reply");
            checks.expect(ex.running_in_this_thread(), "on the asker's strand");
            done.count_down();
        });
    });
    e.run();
    asker.send(start{});
    BOOST_REQUIRE(done.wait());
    BOOST_REQUIRE(box.wait());
    box.clear();
    e.stop();
    e.join();
    checks.verify(3);
}

BOOST_AUTO_TEST_CASE(timeout_fires_while_the_target_is_busy)
{
    // The asker must not depend on the target's strand to learn that it gave up.
    zctor_test::latch release(1);
    outcome<int> got;
    zctor::engine e(workers(2));
    auto busy = e.spawn<get>([&](get g) {
        (void)release.wait();
        return g.value;
    });
    e.run();
    busy.async_ask(get{1}, 1ms, got.handler());
    const bool completed = got.wait();
    release.count_down();
    BOOST_TEST(completed);
    BOOST_TEST(got.ec() == error::timed_out);
    e.stop();
    e.join();
    BOOST_TEST(e.stats().replies_discarded == 1u); // the reply that came after
}

BOOST_AUTO_TEST_CASE(no_timeout_waits_for_the_reply)
{
    promise_box<int> box;
    outcome<int> got;
    zctor::engine e(workers(2));
    auto keeper =
        e.spawn<hold>([&](zctor::context& ctx, hold) { box.put(ctx.make_response_promise<int>()); });
    e.run();
    keeper.async_ask(hold{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(box.wait());
    BOOST_TEST(got.calls() == 0);
    BOOST_TEST(box.take().deliver(9));
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(!got.ec());
    BOOST_TEST(got.value() == 9);
}

BOOST_AUTO_TEST_CASE(reply_after_the_timeout_is_discarded_and_counted)
{
    promise_box<int> box;
    outcome<int> got;
    zctor::engine e(workers(2));
    auto keeper =
        e.spawn<hold>([&](zctor::context& ctx, hold) { box.put(ctx.make_response_promise<int>()); });
    e.run();
    keeper.async_ask(hold{}, 1ms, got.handler());
    BOOST_REQUIRE(got.wait());
    BOOST_REQUIRE(box.wait());
    BOOST_TEST(!box.take().deliver(5));
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == error::timed_out);
    BOOST_TEST(got.calls() == 1);
    BOOST_TEST(e.stats().replies_discarded == 1u);
}

BOOST_AUTO_TEST_CASE(cancellation_aborts_the_ask_and_the_late_reply_is_counted)
{
    const asio::cancellation_type types[] = {
        asio::cancellation_type::terminal, asio::cancellation_type::partial, asio::cancellation_type::total};
    promise_box<int> box(3);
    outcome<int> got[3];
    asio::cancellation_signal signals[3];
    zctor::engine e(workers(2));
    auto keeper =
        e.spawn<hold>([&](zctor::context& ctx, hold) { box.put(ctx.make_response_promise<int>()); });
    e.run();
    for (int i = 0; i < 3; ++i)
        keeper.async_ask(hold{}, zctor::no_timeout,
                         asio::bind_cancellation_slot(signals[i].slot(), got[i].handler()));
    BOOST_REQUIRE(box.wait()); // every request is being held: the asks are pending
    for (int i = 0; i < 3; ++i)
    {
        BOOST_TEST(got[i].calls() == 0);
        signals[i].emit(types[i]);
        BOOST_REQUIRE(got[i].wait());
        BOOST_TEST(got[i].ec() == asio::error::operation_aborted);
    }
    for (std::size_t i = 0; i < 3; ++i)
        BOOST_TEST(!box.take(i).deliver(1));
    e.stop();
    e.join();
    for (auto& g : got)
        BOOST_TEST(g.calls() == 1);
    BOOST_TEST(e.stats().replies_discarded == 3u);
}

BOOST_AUTO_TEST_CASE(cancellation_after_completion_changes_nothing)
{
    outcome<int> got;
    asio::cancellation_signal signal;
    io_thread io;
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    e.run();
    // Completes on `io`, where the signal is then emitted: the slot is used from one thread.
    doubler.async_ask(
        get{2}, zctor::no_timeout,
        asio::bind_executor(io.get_executor(), asio::bind_cancellation_slot(signal.slot(), got.handler())));
    BOOST_REQUIRE(got.wait());
    zctor_test::latch emitted(1);
    asio::post(io.get_executor(), [&] {
        signal.emit(asio::cancellation_type::terminal);
        emitted.count_down();
    });
    BOOST_REQUIRE(emitted.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.calls() == 1);
    BOOST_TEST(!got.ec());
    BOOST_TEST(got.value() == 4);
}

// === Where the completion runs ================================================================

BOOST_AUTO_TEST_CASE(completion_runs_on_the_handlers_associated_executor)
{
    io_thread io;
    outcome<int> from_outside;
    outcome<int> from_handler;
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    auto ex = io.get_executor();
    auto on_io = [ex] { return ex.running_in_this_thread(); };
    auto asker = e.spawn<start>([&](start) {
        doubler.async_ask(get{2}, zctor::no_timeout, asio::bind_executor(ex, from_handler.handler(on_io)));
    });
    e.run();
    doubler.async_ask(get{1}, zctor::no_timeout, asio::bind_executor(ex, from_outside.handler(on_io)));
    asker.send(start{});
    BOOST_REQUIRE(from_outside.wait());
    BOOST_REQUIRE(from_handler.wait());
    e.stop();
    e.join();
    BOOST_TEST(from_outside.value() == 2);
    BOOST_TEST(from_outside.where_ok());
    BOOST_TEST(from_handler.value() == 4);
    BOOST_TEST(from_handler.where_ok());
}

BOOST_AUTO_TEST_CASE(completion_runs_on_the_asking_actors_strand)
{
    // Replies, failures from the responder, timeouts and fail-fast errors alike.
    promise_box<int> box;
    std::mutex mutex;
    std::vector<std::pair<error_code, bool>> got; // (error, on the asker's strand), guarded by mutex
    zctor_test::latch done(4);
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    auto keeper =
        e.spawn<hold>([&](zctor::context& ctx, hold) { box.put(ctx.make_response_promise<int>()); });
    zctor::actor_ref<receives<get>> empty;
    auto asker = e.spawn<start>([&](zctor::context& ctx, start) {
        auto record = [&, ex = ctx.get_executor()](error_code ec, int) {
            {
                std::lock_guard lock(mutex);
                got.emplace_back(ec, ex.running_in_this_thread());
            }
            done.count_down();
        };
        doubler.async_ask(get{1}, zctor::no_timeout, record);
        keeper.async_ask(hold{}, 1ms, record);
        empty.async_ask(get{1}, zctor::no_timeout, record);
        ctx.get_engine().async_ask(lonely{}, zctor::no_timeout, record);
    });
    e.run();
    asker.send(start{});
    BOOST_REQUIRE(done.wait());
    BOOST_REQUIRE(box.wait());
    box.clear();
    e.stop();
    e.join();
    std::lock_guard lock(mutex);
    BOOST_REQUIRE(got.size() == 4u);
    std::vector<error_code> codes;
    for (auto& [ec, on_strand] : got)
    {
        BOOST_TEST(on_strand, "completion with '" << ec.message() << "' ran off the asker's strand");
        codes.push_back(ec);
    }
    BOOST_TEST((std::count(codes.begin(), codes.end(), error_code{}) == 1));
    BOOST_TEST((std::count(codes.begin(), codes.end(), error_code(error::timed_out)) == 1));
    BOOST_TEST((std::count(codes.begin(), codes.end(), error_code(error::actor_not_found)) == 2));
}

BOOST_AUTO_TEST_CASE(completion_runs_on_the_completing_thread_when_asked_from_outside)
{
    promise_box<int> box;
    outcome<int> got;
    std::atomic<std::thread::id> completed_on{};
    zctor::engine e(workers(2));
    auto keeper =
        e.spawn<hold>([&](zctor::context& ctx, hold) { box.put(ctx.make_response_promise<int>()); });
    e.run();
    keeper.async_ask(hold{}, zctor::no_timeout, got.handler([&] {
        completed_on = std::this_thread::get_id();
        return true;
    }));
    BOOST_REQUIRE(box.wait());
    std::thread::id deliverer;
    std::thread t([&] { box.take().deliver(3); });
    deliverer = t.get_id();
    t.join();
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.value() == 3);
    BOOST_TEST((completed_on.load() == deliverer));
}

BOOST_AUTO_TEST_CASE(completion_never_runs_inside_the_initiating_call)
{
    // From a handler: the completion runs on the asker's strand, so after the handler returns.
    remote_checks checks;
    zctor_test::latch in_handler(2);
    zctor::engine e(workers(2));
    zctor::actor_ref<receives<get>> empty;
    auto asker = e.spawn<start>([&](zctor::context& ctx, start) {
        auto returned = std::make_shared<bool>(false);
        auto check = [&, returned](error_code ec, int) {
            checks.expect(*returned, "completed after async_ask returned");
            checks.expect(ec == error::actor_not_found, "actor_not_found");
            in_handler.count_down();
        };
        empty.async_ask(get{1}, zctor::no_timeout, check);
        ctx.get_engine().async_ask(lonely{}, zctor::no_timeout, check);
        *returned = true;
    });
    // From outside, with replies racing the initiation: none may complete inside the call.
    constexpr int asks = 200;
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    std::atomic<int> inside{0};
    std::atomic<int> wrong{0};
    zctor_test::latch outside(asks);
    e.run();
    asker.send(start{});
    for (int i = 0; i < asks; ++i)
    {
        inside_initiation = true;
        doubler.async_ask(get{i}, zctor::no_timeout, [&, i](error_code ec, int v) {
            if (inside_initiation)
                ++inside;
            if (ec || v != 2 * i)
                ++wrong;
            outside.count_down();
        });
        inside_initiation = false;
    }
    BOOST_REQUIRE(in_handler.wait());
    BOOST_REQUIRE(outside.wait());
    e.stop();
    e.join();
    checks.verify(4);
    BOOST_TEST(inside == 0);
    BOOST_TEST(wrong == 0);
    BOOST_TEST(e.stats().messages_handled == 1u + asks);
}

BOOST_AUTO_TEST_CASE(ask_from_a_completion_completes_on_the_asking_actors_strand)
{
    // A chain of asks, each started in the completion of the previous one.
    remote_checks checks;
    zctor_test::latch done(1);
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    auto asker = e.spawn<start>([&](zctor::context& ctx, start) {
        doubler.async_ask(get{1}, zctor::no_timeout, [&, ex = ctx.get_executor()](error_code, int first) {
            checks.expect(ex.running_in_this_thread(), "first completion on the strand");
            doubler.async_ask(get{first}, zctor::no_timeout, [&, ex](error_code, int second) {
                checks.expect(second == 4, "second reply");
                checks.expect(ex.running_in_this_thread(), "second completion on the strand");
                done.count_down();
            });
        });
    });
    e.run();
    asker.send(start{});
    BOOST_REQUIRE(done.wait());
    e.stop();
    e.join();
    checks.verify(3);
    BOOST_TEST(e.stats().messages_handled == 3u);
}

// === Blocking ask =============================================================================

BOOST_AUTO_TEST_CASE(sync_ask_returns_the_reply_or_throws_system_error)
{
    promise_box<int> box;
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    auto keeper =
        e.spawn<hold>([&](zctor::context& ctx, hold) { box.put(ctx.make_response_promise<int>()); });
    zctor::actor_ref<receives<get>> empty;
    e.run();
    BOOST_TEST(doubler.ask(get{3}, zctor::no_timeout) == 6);
    BOOST_TEST(e.ask(get{4}, zctor::no_timeout) == 8);
    BOOST_TEST(thrown_code([&] { empty.ask(get{1}, zctor::no_timeout); }) == error::actor_not_found);
    BOOST_TEST(thrown_code([&] { e.ask(lonely{}, zctor::no_timeout); }) == error::actor_not_found);
    BOOST_TEST(thrown_code([&] { keeper.ask(hold{}, 1ms); }) == error::timed_out);
    box.clear();
    e.stop();
    e.join();
    BOOST_TEST(e.stats().messages_handled == 3u);
}

BOOST_AUTO_TEST_CASE(sync_ask_with_error_code_sets_it_and_returns_a_default_reply)
{
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    zctor::actor_ref<receives<get>> empty;
    e.run();
    error_code ec = error::timed_out; // cleared on success
    BOOST_TEST(doubler.ask(get{5}, zctor::no_timeout, ec) == 10);
    BOOST_TEST(!ec);
    ec = error::timed_out;
    BOOST_TEST(e.ask(get{6}, zctor::no_timeout, ec) == 12);
    BOOST_TEST(!ec);
    BOOST_TEST(empty.ask(get{1}, zctor::no_timeout, ec) == 0);
    BOOST_TEST(ec == error::actor_not_found);
    BOOST_TEST(e.ask(lonely{}, zctor::no_timeout, ec) == 0);
    BOOST_TEST(ec == error::actor_not_found);
    e.stop();
    e.join();
    BOOST_TEST(e.stats().messages_handled == 2u);
}

BOOST_AUTO_TEST_CASE(sync_ask_from_a_handler_fails_with_would_deadlock)
{
    std::mutex mutex;
    std::vector<error_code> got; // guarded by mutex
    std::atomic<int> asked{0};
    zctor_test::latch done(1);
    zctor::engine e(workers(2));
    auto doubler = e.spawn<get>([&](get g) {
        ++asked;
        return g.value * 2;
    });
    auto asker = e.spawn<start>([&](zctor::context& ctx, start) {
        std::vector<error_code> codes(4);
        doubler.ask(get{1}, zctor::no_timeout, codes[0]);
        codes[1] = thrown_code([&] { doubler.ask(get{1}, zctor::no_timeout); });
        ctx.get_engine().ask(get{1}, zctor::no_timeout, codes[2]);
        codes[3] = thrown_code([&] { ctx.get_engine().ask(get{1}, zctor::no_timeout); });
        std::lock_guard lock(mutex);
        got = std::move(codes);
        done.count_down();
    });
    e.run();
    asker.send(start{});
    BOOST_REQUIRE(done.wait());
    e.stop();
    e.join();
    std::lock_guard lock(mutex);
    BOOST_REQUIRE(got.size() == 4u);
    for (auto& ec : got)
        BOOST_TEST(ec == error::would_deadlock);
    BOOST_TEST(asked == 0);
    BOOST_TEST(e.stats().messages_handled == 1u);
}

// === Same worker ==============================================================================

BOOST_AUTO_TEST_CASE(ask_of_an_actor_on_the_same_worker_with_a_callback)
{
    remote_checks checks;
    zctor_test::latch done(1);
    zctor::engine e(workers(1));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    auto asker = e.spawn<start>([&](zctor::context& ctx, start s) {
        doubler.async_ask(get{s.value}, zctor::no_timeout,
                          [&, ex = ctx.get_executor()](error_code ec, int v) {
                              checks.expect(!ec, "success");
                              checks.expect(v == 14, "the reply");
                              checks.expect(ex.running_in_this_thread(), "on the asker's strand");
                              done.count_down();
                          });
    });
    BOOST_REQUIRE(asker.worker_index() == doubler.worker_index());
    e.run();
    asker.send(start{7});
    BOOST_REQUIRE(done.wait());
    e.stop();
    e.join();
    checks.verify(3);
    BOOST_TEST(e.stats().messages_handled == 2u);
}

BOOST_AUTO_TEST_CASE(ask_of_an_actor_on_the_same_worker_from_a_coroutine_handler)
{
    struct relay
    {
        int value = 0;
        using reply_type = int;
    };
    outcome<int> got;
    zctor::engine e(workers(1));
    auto doubler = e.spawn<get>([](get g) { return g.value * 2; });
    auto relayer = e.spawn<relay>([&](relay r) -> asio::awaitable<int> {
        co_return co_await doubler.async_ask(get{r.value}, zctor::no_timeout, asio::use_awaitable);
    });
    BOOST_REQUIRE(relayer.worker_index() == doubler.worker_index());
    e.run();
    relayer.async_ask(relay{9}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(!got.ec());
    BOOST_TEST(got.value() == 18);
    BOOST_TEST(e.stats().messages_handled == 2u);
}

// === Kinds of actors and references ===========================================================

BOOST_AUTO_TEST_CASE(ask_a_class_actor_by_ref_by_view_and_by_type)
{
    zctor::engine e(workers(2));
    auto calc = e.spawn<calculator>();
    zctor::actor_ref<receives<add>> view = calc;
    e.run();
    BOOST_TEST(calc.ask(add{1, 2}, zctor::no_timeout) == 3);
    BOOST_TEST(calc.ask(name_of{}, zctor::no_timeout) == "calculator");
    BOOST_TEST(view.ask(add{3, 4}, zctor::no_timeout) == 7);
    BOOST_TEST(e.ask(add{5, 6}, zctor::no_timeout) == 11);
    BOOST_TEST(e.ask(name_of{}, zctor::no_timeout) == "calculator");
    e.stop();
    e.join();
    BOOST_TEST(e.stats().messages_handled == 5u);
}

BOOST_AUTO_TEST_CASE(ask_a_handler_actor_through_its_view)
{
    zctor::engine e(workers(2));
    zctor::actor_ref<receives<get>> doubler = e.spawn<get>([](get g) { return g.value * 2; });
    e.run();
    BOOST_TEST(doubler.ask(get{10}, zctor::no_timeout) == 20);
    e.stop();
    e.join();
    BOOST_TEST(e.stats().messages_handled == 1u);
}

BOOST_AUTO_TEST_CASE(ask_a_variant_actor_with_each_alternative)
{
    zctor::engine e(workers(2));
    auto ref = e.spawn<ping_or_pong>([](ping_or_pong m) {
        return std::visit([](auto x) { return std::is_same_v<decltype(x), ping> ? x.value : -x.value; }, m);
    });
    static_assert(std::is_same_v<decltype(ref), zctor::actor_ref<receives<ping_or_pong>>>);
    e.run();
    BOOST_TEST(ref.ask(ping{3}, zctor::no_timeout) == 3);
    BOOST_TEST(ref.ask(pong{4}, zctor::no_timeout) == -4);
    BOOST_TEST(ref.ask(ping_or_pong{pong{5}}, zctor::no_timeout) == -5);
    BOOST_TEST(e.ask<ping_or_pong>(ping{6}, zctor::no_timeout) == 6);
    e.stop();
    e.join();
    BOOST_TEST(e.stats().messages_handled == 4u);
}

BOOST_AUTO_TEST_CASE(engine_ask_goes_round_robin_among_routed_actors)
{
    zctor::engine e(workers(2));
    e.spawn<get>([](get) { return 1; });
    e.spawn<get>([](get) { return 2; });
    e.run();
    std::vector<int> replies;
    for (int i = 0; i < 4; ++i)
        replies.push_back(e.ask(get{}, zctor::no_timeout));
    e.stop();
    e.join();
    std::sort(replies.begin(), replies.end());
    BOOST_TEST(replies == std::vector<int>({1, 1, 2, 2}), boost::test_tools::per_element());
    BOOST_TEST(e.stats().messages_handled == 4u);
}

BOOST_AUTO_TEST_CASE(stopping_an_actor_whose_coroutine_awaits_an_ask_breaks_its_askers_promise)
{
    // Stopping cancels the suspended coroutine, which cancels the ask it awaits; its own asker
    // then learns that no reply will come.
    struct relay
    {
        using reply_type = int;
    };
    promise_box<int> box;
    outcome<int> got;
    zctor_test::latch started(1);
    zctor::engine e(workers(2));
    auto keeper =
        e.spawn<hold>([&](zctor::context& ctx, hold) { box.put(ctx.make_response_promise<int>()); });
    auto relayer = e.spawn<relay>([&](relay) -> asio::awaitable<int> {
        started.count_down();
        co_return co_await keeper.async_ask(hold{}, zctor::no_timeout, asio::use_awaitable);
    });
    e.run();
    relayer.async_ask(relay{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(started.wait());
    BOOST_REQUIRE(box.wait()); // the coroutine waits for the keeper's reply
    relayer.stop();
    BOOST_REQUIRE(got.wait());
    BOOST_TEST(got.ec() == error::broken_promise);
    BOOST_TEST(!box.take().deliver(1)); // the relay's ask was cancelled: nobody waits
    e.stop();
    e.join();
    BOOST_TEST(e.stats().replies_discarded == 1u);
    BOOST_TEST(e.stats().handler_failures == 0u); // unwinding on stop is not a failure
}

BOOST_AUTO_TEST_CASE(completion_of_an_ask_by_an_actor_that_stopped_is_never_called)
{
    // The request goes to the asker itself and is dropped when it stops, after its object (which
    // the callback uses through `this`) is destroyed: the callback must be destroyed uncalled.
    struct asks_then_stops
    {
        std::atomic<int>* calls;
        zctor_test::lifetime* callbacks;
        std::vector<int> seen;
        void handle(zctor::context& ctx, start)
        {
            ctx.self<asks_then_stops>().async_ask(
                get{1}, zctor::no_timeout,
                [this, token = zctor_test::counted(*callbacks)](error_code ec, int) {
                    seen.push_back(ec.value());
                    ++*calls;
                });
            ctx.stop();
        }
        int handle(get g) { return g.value; }
    };
    std::atomic<int> calls{0};
    zctor_test::lifetime callbacks;
    zctor::engine e(workers(2));
    auto ref = e.spawn<asks_then_stops>(&calls, &callbacks, std::vector<int>{});
    e.run();
    ref.send(start{});
    BOOST_REQUIRE(
        wait_until([&] { return ref.stopped() && callbacks.constructed > 0 && callbacks.alive() == 0; }));
    e.stop();
    e.join();
    BOOST_TEST(calls == 0);
    BOOST_TEST(callbacks.constructed.load() >= 1);
    BOOST_TEST(callbacks.alive() == 0); // destroyed, not leaked
    BOOST_TEST(e.stats().messages_handled == 1u);
    BOOST_TEST(e.stats().messages_dropped == 1u);
}

BOOST_AUTO_TEST_CASE(timed_asks_from_an_actor_leave_no_timer_behind_once_completed)
{
    // An answered ask's timer is cancelled, not left to its deadline: with every ask done and the
    // engine stopped, the application's io_context runs out of work and its run() returns. Three
    // ways an ask from an actor completes: a plain callback (cancelled on the asker's strand after
    // the callback), a callback with its own executor (cancel posted to the asker's strand), and a
    // callback destroyed uncalled because its actor stopped (c7bedac; cancelled all the same).
    struct asker_actor
    {
        zctor::actor_ref<zctor::receives<get>> server;
        std::atomic<int>* replies;
        void handle(zctor::context& ctx, start)
        {
            server.async_ask(get{1}, 1h, [this](error_code ec, int v) {
                if (!ec && v == 1)
                    ++*replies;
            });
            server.async_ask(get{2}, 1h,
                             asio::bind_executor(ctx.get_executor(), [this](error_code ec, int v) {
                                 if (!ec && v == 2)
                                     ++*replies;
                             }));
        }
    };
    struct stopper
    {
        std::atomic<int>* calls;
        zctor_test::lifetime* callbacks;
        void handle(zctor::context& ctx, start)
        {
            ctx.self<stopper>().async_ask(
                get{3}, 1h, [this, token = zctor_test::counted(*callbacks)](error_code, int) { ++*calls; });
            ctx.stop(); // drops the request: the ask completes with the asker stopped
        }
        int handle(get g) { return g.value; }
    };
    std::atomic<int> replies{0};
    std::atomic<int> calls{0};
    zctor_test::lifetime callbacks;
    std::atomic<bool> ran_out{false};
    asio::io_context io;
    zctor::engine e(io);
    auto server = e.spawn<get>([](get g) { return g.value; });
    auto asker = e.spawn<asker_actor>(server, &replies);
    auto stops = e.spawn<stopper>(&calls, &callbacks);
    std::thread runner([&] {
        io.run();
        ran_out = true;
    });
    asker.send(start{});
    stops.send(start{});
    const bool answered = wait_until([&] { return replies == 2; });
    const bool dropped =
        wait_until([&] { return stops.stopped() && callbacks.constructed > 0 && callbacks.alive() == 0; });
    e.stop();
    const bool returned = wait_until([&] { return ran_out.load(); });
    if (!returned)
        io.stop(); // a timer was left behind: end the test instead of waiting for its deadline
    runner.join();
    BOOST_TEST(answered);
    BOOST_TEST(dropped);
    BOOST_TEST(returned);
    BOOST_TEST(calls == 0);
    BOOST_TEST(e.stats().messages_dropped == 1u);
}
