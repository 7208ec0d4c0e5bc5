//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#define BOOST_TEST_MODULE zctor_response_promise
// Test that the header file is self-contained.
#include <zctor/response_promise.hpp>
// Other headers, to take promises in handlers and ask for their replies.
#include <zctor/engine.hpp>
#include <zctor/error.hpp>
#include <zctor_test/checks.hpp>
#include <zctor_test/wait.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace asio = boost::asio;

namespace {

using zctor_test::remote_checks;
using zctor_test::workers;

using boost::system::error_code;
using zctor::error;
using zctor::receives;
using namespace std::chrono_literals;

// A request whose responder keeps the promise.
struct hold
{
    using reply_type = int;
};

// A plain message: not a request.
struct note
{};

static_assert(!std::is_copy_constructible_v<zctor::response_promise<int>>);
static_assert(std::is_nothrow_move_constructible_v<zctor::response_promise<int>>);
static_assert(std::is_nothrow_move_assignable_v<zctor::response_promise<int>>);

// The completion of one ask, recorded wherever it runs, asserted on the test thread.
class outcome
{
public:
    auto handler()
    {
        return [this](error_code ec, int value) {
            {
                std::lock_guard lock(mutex_);
                ++calls_;
                ec_ = ec;
                value_ = value;
            }
            done_.count_down();
        };
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
    int value()
    {
        std::lock_guard lock(mutex_);
        return value_;
    }

private:
    std::mutex mutex_;
    int calls_ = 0;
    error_code ec_;
    int value_ = 0;
    zctor_test::latch done_{1};
};

// Promises taken by the keeper actor, handed to the test thread. Answer or clear them before
// the engine is destroyed.
class promise_box
{
public:
    explicit promise_box(std::ptrdiff_t expected = 1) : arrived_(expected) {}

    void put(zctor::response_promise<int> p)
    {
        {
            std::lock_guard lock(mutex_);
            promises_.push_back(std::move(p));
        }
        arrived_.count_down();
    }

    [[nodiscard]] bool wait() { return arrived_.wait(); }

    zctor::response_promise<int> take(std::size_t i = 0)
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
    std::vector<zctor::response_promise<int>> promises_;
    zctor_test::latch arrived_;
};

// An actor that answers nothing itself: it hands each request's promise to `box`.
auto spawn_keeper(zctor::engine& e, promise_box& box)
{
    return e.spawn<hold>([&box](zctor::context& ctx, hold) { box.put(ctx.make_response_promise<int>()); });
}

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

} // namespace

BOOST_AUTO_TEST_CASE(deliver_completes_the_ask_and_returns_true)
{
    promise_box box;
    outcome got;
    zctor::engine e(workers(2));
    auto keeper = spawn_keeper(e, box);
    e.run();
    keeper.async_ask(hold{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(box.wait());
    BOOST_TEST(box.take().deliver(42));
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.calls() == 1);
    BOOST_TEST(!got.ec());
    BOOST_TEST(got.value() == 42);
    BOOST_TEST(e.stats().replies_discarded == 0u);
}

BOOST_AUTO_TEST_CASE(second_deliver_returns_false)
{
    promise_box box;
    outcome got;
    zctor::engine e(workers(2));
    auto keeper = spawn_keeper(e, box);
    e.run();
    keeper.async_ask(hold{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(box.wait());
    auto p = box.take();
    BOOST_TEST(p.deliver(1));
    BOOST_TEST(!p.deliver(2));
    BOOST_TEST(!p.fail(error::timed_out));
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.calls() == 1);
    BOOST_TEST(got.value() == 1);
    BOOST_TEST(e.stats().replies_discarded == 0u); // a used promise is empty: nothing was late
}

BOOST_AUTO_TEST_CASE(default_constructed_promise_is_empty)
{
    zctor::response_promise<int> p;
    BOOST_TEST(!p.pending());
    BOOST_TEST(!p.deliver(1));
    BOOST_TEST(!p.fail(error::handler_failed));
}

BOOST_AUTO_TEST_CASE(request_sent_rather_than_asked_gives_an_empty_promise)
{
    remote_checks checks;
    zctor_test::latch done(1);
    zctor::engine e(workers(2));
    auto ref = e.spawn<hold>([&](zctor::context& ctx, hold) {
        auto p = ctx.make_response_promise<int>();
        checks.expect(!p.pending(), "not pending");
        checks.expect(!p.deliver(1), "deliver returns false");
        done.count_down();
    });
    e.run();
    ref.send(hold{});
    BOOST_REQUIRE(done.wait());
    e.stop();
    e.join();
    checks.verify(2);
    BOOST_TEST(e.stats().messages_handled == 1u);
    BOOST_TEST(e.stats().handler_failures == 0u);
    BOOST_TEST(e.stats().replies_discarded == 0u); // nobody asked: the reply is not "late"
}

BOOST_AUTO_TEST_CASE(deliver_after_the_asker_gave_up_returns_false_and_is_counted)
{
    promise_box box(2);
    outcome timed_out;
    outcome cancelled;
    asio::cancellation_signal signal;
    zctor::engine e(workers(2));
    auto keeper = spawn_keeper(e, box);
    e.run();
    keeper.async_ask(hold{}, 1ms, timed_out.handler());
    keeper.async_ask(hold{}, zctor::no_timeout,
                     asio::bind_cancellation_slot(signal.slot(), cancelled.handler()));
    BOOST_REQUIRE(box.wait());
    BOOST_REQUIRE(timed_out.wait());
    signal.emit(asio::cancellation_type::terminal);
    BOOST_REQUIRE(cancelled.wait());
    BOOST_TEST(!box.take(0).deliver(1));
    BOOST_TEST(!box.take(1).deliver(2));
    e.stop();
    e.join();
    BOOST_TEST(timed_out.ec() == error::timed_out);
    BOOST_TEST(cancelled.ec() == asio::error::operation_aborted);
    BOOST_TEST(timed_out.calls() == 1);
    BOOST_TEST(cancelled.calls() == 1);
    BOOST_TEST(e.stats().replies_discarded == 2u);
}

BOOST_AUTO_TEST_CASE(fail_completes_the_ask_with_the_given_code)
{
    const error_code denied = make_error_code(boost::system::errc::permission_denied);
    promise_box box;
    outcome got;
    zctor::engine e(workers(2));
    auto keeper = spawn_keeper(e, box);
    e.run();
    keeper.async_ask(hold{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(box.wait());
    auto p = box.take();
    BOOST_TEST(p.fail(denied));
    BOOST_TEST(!p.pending());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == denied);
    BOOST_TEST(got.value() == 0);
    BOOST_TEST(e.stats().handler_failures == 0u); // the responder's choice, not a failed handler
}

BOOST_AUTO_TEST_CASE(fail_with_success_completes_with_handler_failed)
{
    promise_box box;
    outcome got;
    zctor::engine e(workers(2));
    auto keeper = spawn_keeper(e, box);
    e.run();
    keeper.async_ask(hold{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(box.wait());
    BOOST_TEST(box.take().fail(error_code{}));
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == error::handler_failed);
}

BOOST_AUTO_TEST_CASE(fail_after_the_asker_gave_up_returns_false_and_is_not_a_discarded_reply)
{
    promise_box box;
    outcome got;
    zctor::engine e(workers(2));
    auto keeper = spawn_keeper(e, box);
    e.run();
    keeper.async_ask(hold{}, 1ms, got.handler());
    BOOST_REQUIRE(box.wait());
    BOOST_REQUIRE(got.wait());
    BOOST_TEST(!box.take().fail(error::handler_failed));
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == error::timed_out);
    BOOST_TEST(e.stats().replies_discarded == 0u);
}

BOOST_AUTO_TEST_CASE(pending_until_answered_or_given_up)
{
    promise_box box(2);
    outcome answered;
    outcome cancelled;
    asio::cancellation_signal signal;
    zctor::engine e(workers(2));
    auto keeper = spawn_keeper(e, box);
    e.run();
    keeper.async_ask(hold{}, zctor::no_timeout, answered.handler());
    keeper.async_ask(hold{}, zctor::no_timeout,
                     asio::bind_cancellation_slot(signal.slot(), cancelled.handler()));
    BOOST_REQUIRE(box.wait());
    auto first = box.take(0);
    auto second = box.take(1);
    BOOST_TEST(first.pending());
    BOOST_TEST(second.pending());
    BOOST_TEST(first.deliver(1));
    BOOST_TEST(!first.pending());
    signal.emit(asio::cancellation_type::terminal);
    BOOST_REQUIRE(cancelled.wait());
    BOOST_TEST(!second.pending()); // the asker no longer waits, though nobody answered
    BOOST_REQUIRE(answered.wait());
    second = {};
    e.stop();
    e.join();
    BOOST_TEST(answered.value() == 1);
    BOOST_TEST(cancelled.ec() == asio::error::operation_aborted);
}

BOOST_AUTO_TEST_CASE(moving_transfers_the_request)
{
    promise_box box(2);
    outcome moved;
    outcome overwritten;
    zctor::engine e(workers(2));
    auto keeper = spawn_keeper(e, box);
    e.run();
    // One sender, one actor: the promises arrive in the order of the asks.
    keeper.async_ask(hold{}, zctor::no_timeout, moved.handler());
    keeper.async_ask(hold{}, zctor::no_timeout, overwritten.handler());
    BOOST_REQUIRE(box.wait());
    auto source = box.take(0);
    auto target = box.take(1);
    // Move construction: the source is left empty.
    zctor::response_promise<int> constructed(std::move(source));
    BOOST_TEST(!source.pending());
    BOOST_TEST(!source.deliver(0));
    BOOST_TEST(constructed.pending());
    // Move assignment: the target's own request is dropped unanswered, so its asker learns.
    target = std::move(constructed);
    BOOST_TEST(!constructed.pending());
    BOOST_REQUIRE(overwritten.wait());
    BOOST_TEST(target.pending());
    BOOST_TEST(target.deliver(8));
    BOOST_REQUIRE(moved.wait());
    e.stop();
    e.join();
    BOOST_TEST(moved.value() == 8);
    BOOST_TEST(moved.calls() == 1);
    BOOST_TEST(overwritten.ec() == error::broken_promise);
    BOOST_TEST(overwritten.calls() == 1);
}

BOOST_AUTO_TEST_CASE(destroying_an_unanswered_promise_breaks_it)
{
    promise_box box;
    outcome got;
    zctor::engine e(workers(2));
    auto keeper = spawn_keeper(e, box);
    e.run();
    keeper.async_ask(hold{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(box.wait());
    {
        auto p = box.take();
    }
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(got.ec() == error::broken_promise);
    BOOST_TEST(e.stats().replies_discarded == 0u);
}

BOOST_AUTO_TEST_CASE(deliver_from_another_thread)
{
    promise_box box;
    outcome got;
    std::atomic<bool> delivered{false};
    zctor::engine e(workers(2));
    auto keeper = spawn_keeper(e, box);
    e.run();
    keeper.async_ask(hold{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(box.wait());
    std::thread t([&, p = box.take()]() mutable { delivered = p.deliver(5); });
    t.join();
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(delivered);
    BOOST_TEST(got.value() == 5);
}

BOOST_AUTO_TEST_CASE(promise_handed_to_another_actor_answers_from_there)
{
    struct answer
    {
        zctor::response_promise<int> promise;
        int value = 0;
    };
    outcome got;
    std::atomic<bool> delivered{false};
    zctor::engine e(workers(2));
    auto answerer = e.spawn<answer>([&](answer a) { delivered = a.promise.deliver(a.value * 3); });
    auto front = e.spawn<hold>([&](zctor::context& ctx, hold) {
        answerer.send(answer{ctx.make_response_promise<int>(), 7});
    });
    e.run();
    front.async_ask(hold{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(!got.ec());
    BOOST_TEST(got.value() == 21);
    BOOST_TEST(delivered);
    BOOST_TEST(e.stats().messages_handled == 2u);
}

BOOST_AUTO_TEST_CASE(coroutine_handler_answers_through_its_promise)
{
    outcome got;
    zctor::engine e(workers(2));
    auto ref = e.spawn<hold>([](zctor::context& ctx, hold) -> asio::awaitable<void> {
        auto p = ctx.make_response_promise<int>();
        asio::steady_timer timer(ctx.get_executor(), 1ms);
        co_await timer.async_wait(asio::use_awaitable);
        p.deliver(11);
    });
    e.run();
    ref.async_ask(hold{}, zctor::no_timeout, got.handler());
    BOOST_REQUIRE(got.wait());
    e.stop();
    e.join();
    BOOST_TEST(!got.ec());
    BOOST_TEST(got.value() == 11);
}

BOOST_AUTO_TEST_CASE(make_response_promise_refuses_what_it_cannot_answer)
{
    struct reply_by_value
    {
        using reply_type = int;
    };
    std::mutex mutex;
    std::vector<std::pair<std::string, error_code>> got; // guarded by mutex
    auto record = [&](const std::string& what, error_code ec) {
        std::lock_guard lock(mutex);
        got.emplace_back(what, ec);
    };
    outcome wrong_type;
    outcome by_value;
    zctor_test::latch noted(1);
    zctor::engine e(workers(2));
    auto not_a_request = e.spawn<note>([&](zctor::context& ctx, note) {
        record("not a request", thrown_code([&] { ctx.make_response_promise<int>(); }));
        noted.count_down();
    });
    auto keeper = e.spawn<hold>([&](zctor::context& ctx, hold) {
        record("wrong reply type", thrown_code([&] { ctx.make_response_promise<std::string>(); }));
        // The refused attempt took nothing: the right one still answers.
        auto p = ctx.make_response_promise<int>();
        record("taken twice", thrown_code([&] { ctx.make_response_promise<int>(); }));
        p.deliver(1);
    });
    auto returns = e.spawn<reply_by_value>([&](zctor::context& ctx, reply_by_value) {
        record("replies by value", thrown_code([&] { ctx.make_response_promise<int>(); }));
        return 2;
    });
    e.run();
    not_a_request.send(note{});
    keeper.async_ask(hold{}, zctor::no_timeout, wrong_type.handler());
    returns.async_ask(reply_by_value{}, zctor::no_timeout, by_value.handler());
    BOOST_REQUIRE(noted.wait());
    BOOST_REQUIRE(wrong_type.wait());
    BOOST_REQUIRE(by_value.wait());
    e.stop();
    e.join();
    BOOST_TEST(wrong_type.value() == 1);
    BOOST_TEST(!wrong_type.ec());
    BOOST_TEST(by_value.value() == 2);
    BOOST_TEST(!by_value.ec());
    std::lock_guard lock(mutex);
    BOOST_REQUIRE(got.size() == 4u);
    for (auto& [what, ec] : got)
        BOOST_TEST(ec == error::invalid_message, what << ": " << ec.message());
    BOOST_TEST(e.stats().handler_failures == 0u);
}

BOOST_AUTO_TEST_CASE(promise_may_outlive_the_engine)
{
    // A promise handed out of the engine: answering it once the engine is gone is harmless.
    promise_box box;
    outcome got;
    asio::cancellation_signal signal;
    std::optional<zctor::response_promise<int>> kept;
    {
        zctor::engine e(workers(2));
        auto keeper = spawn_keeper(e, box);
        e.run();
        keeper.async_ask(hold{}, zctor::no_timeout,
                         asio::bind_cancellation_slot(signal.slot(), got.handler()));
        BOOST_REQUIRE(box.wait());
        kept.emplace(box.take());
        signal.emit(asio::cancellation_type::terminal);
        BOOST_REQUIRE(got.wait());
    }
    BOOST_TEST(!kept->pending());
    BOOST_TEST(!kept->deliver(1));
    kept.reset();
    BOOST_TEST(got.ec() == asio::error::operation_aborted);
    BOOST_TEST(got.calls() == 1);
}
