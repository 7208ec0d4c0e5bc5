//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#define BOOST_TEST_MODULE zctor_oneshot
// Test that the header file is self-contained.
#include <zctor/oneshot.hpp>
// Other headers.
#include <zctor/engine.hpp>
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
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

// Boost.Test prints the values a failed check compares; optionals print as their value or "nullopt".
template <class T>
struct boost::test_tools::tt_detail::print_log_value<std::optional<T>>
{
    void operator()(std::ostream& os, const std::optional<T>& v)
    {
        if (v)
            os << *v;
        else
            os << "nullopt";
    }
};

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using zctor::error;
using namespace std::chrono_literals;

struct note
{};

zctor::engine_config one_worker()
{
    zctor::engine_config c;
    c.thread_count = 1;
    return c;
}

/// The code a call threw as boost::system::system_error, or a default error_code if it threw
/// nothing (or something else, which then fails the comparison anyway).
template <class F>
error_code code_thrown_by(F&& f)
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

/// What a completion handler saw, for checks on the test thread.
template <class T>
struct outcome
{
    error_code ec;
    T value{};
    int calls = 0;
};

/// A callback that records into an outcome. Run on an io_context the test thread runs, so
/// the outcome needs no lock.
template <class T>
auto record(outcome<T>& o)
{
    return [&o](error_code ec, T v) {
        o.ec = ec;
        o.value = std::move(v);
        ++o.calls;
    };
}

/// Which of the four states the channel reports, as a string, so that a failure shows them all.
template <class C>
std::string states(const C& c)
{
    std::string s;
    s += c.is_empty() ? "E" : "-";
    s += c.is_ready() ? "R" : "-";
    s += c.is_consumed() ? "C" : "-";
    s += c.is_closed() ? "X" : "-";
    return s;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// The book's behaviour

BOOST_AUTO_TEST_CASE(send_succeeds_once)
{
    zctor::oneshot_channel<int> ch;
    BOOST_TEST(ch.send(1));
    BOOST_TEST(!ch.send(2));
    BOOST_TEST(ch.receive() == 1);
    BOOST_TEST(!ch.send(3)); // nor after the value was taken
}

BOOST_AUTO_TEST_CASE(state_transitions)
{
    {
        zctor::oneshot_channel<int> ch;
        BOOST_TEST(states(ch) == "E---");
        ch.send(7);
        BOOST_TEST(states(ch) == "-R--");
        ch.close(); // no effect after a send
        BOOST_TEST(states(ch) == "-R--");
        BOOST_TEST(ch.receive() == 7);
        BOOST_TEST(states(ch) == "--C-");
        ch.close();
        BOOST_TEST(states(ch) == "--C-");
    }
    {
        zctor::oneshot_channel<int> ch;
        ch.close();
        BOOST_TEST(states(ch) == "---X");
        BOOST_TEST(!ch.send(1));
        BOOST_TEST(states(ch) == "---X");
        ch.close(); // harmless
        BOOST_TEST(states(ch) == "---X");
    }
    {
        // A failed receive changes nothing.
        zctor::oneshot_channel<int> ch;
        error_code ec;
        BOOST_TEST(!ch.receive_for(0ms, ec));
        BOOST_TEST(ec == error::timed_out);
        BOOST_TEST(!ch.try_receive());
        BOOST_TEST(states(ch) == "E---");
    }
}

BOOST_AUTO_TEST_CASE(handle_states_follow_the_channel)
{
    auto [tx, rx] = zctor::make_oneshot<int>();
    BOOST_TEST(states(tx) == "E---");
    BOOST_TEST(states(rx) == "E---");
    tx.send(1);
    BOOST_TEST(states(tx) == "-R--");
    BOOST_TEST(states(rx) == "-R--");
    BOOST_TEST(rx.receive() == 1);
    BOOST_TEST(states(tx) == "--C-");
    BOOST_TEST(states(rx) == "--C-");

    auto [tx2, rx2] = zctor::make_oneshot<int>();
    tx2.close();
    BOOST_TEST(states(tx2) == "---X");
    BOOST_TEST(states(rx2) == "---X");
}

BOOST_AUTO_TEST_CASE(try_receive_never_blocks_and_consumes)
{
    zctor::oneshot_channel<std::string> ch;
    BOOST_TEST(!ch.try_receive().has_value());
    ch.send("hello");
    auto v = ch.try_receive();
    BOOST_TEST(v.has_value());
    BOOST_TEST(*v == "hello");
    BOOST_TEST(ch.is_consumed());
    BOOST_TEST(!ch.try_receive().has_value());

    zctor::oneshot_channel<int> closed;
    closed.close();
    BOOST_TEST(!closed.try_receive().has_value());
}

BOOST_AUTO_TEST_CASE(receive_after_the_value_was_taken_reports_already_received)
{
    zctor::oneshot_channel<int> ch;
    ch.send(1);
    BOOST_TEST(ch.receive() == 1);
    BOOST_TEST(code_thrown_by([&] { ch.receive(); }) == error::already_received);
    error_code ec;
    BOOST_TEST(!ch.receive(ec));
    BOOST_TEST(ec == error::already_received);
    BOOST_TEST(!ch.receive_for(1h, ec));
    BOOST_TEST(ec == error::already_received);
}

BOOST_AUTO_TEST_CASE(move_only_values)
{
    zctor::oneshot_channel<std::unique_ptr<int>> ch;
    BOOST_TEST(ch.send(std::make_unique<int>(5)));
    auto p = ch.receive();
    BOOST_TEST(*p == 5);

    auto [tx, rx] = zctor::make_oneshot<std::unique_ptr<int>>();
    auto f = rx.async_receive(asio::use_future);
    tx.send(std::make_unique<int>(6));
    BOOST_TEST((f.wait_for(zctor_test::default_timeout) == std::future_status::ready));
    BOOST_TEST(*f.get() == 6);
}

// ---------------------------------------------------------------------------------------------
// Blocking receives across threads

BOOST_AUTO_TEST_CASE(blocking_receive_races_send)
{
    // Each value is received exactly once and destroyed exactly once, whichever of send and
    // receive gets to the channel first.
    zctor_test::lifetime life;
    constexpr int iterations = 2000;
    std::vector<int> received(iterations, -1);
    std::vector<error_code> errors(iterations);
    for (int i = 0; i < iterations; ++i)
    {
        zctor::oneshot_channel<zctor_test::counted> ch;
        std::thread receiver([&, i] {
            error_code ec;
            auto v = ch.receive_for(zctor_test::default_timeout, ec);
            errors[i] = ec;
            if (v)
                received[i] = v->value();
        });
        BOOST_TEST_REQUIRE(ch.send(zctor_test::counted(life, i)));
        receiver.join();
    }
    for (int i = 0; i < iterations; ++i)
    {
        BOOST_TEST_REQUIRE(!errors[i], "iteration " << i << ": " << errors[i].message());
        BOOST_TEST_REQUIRE(received[i] == i);
    }
    BOOST_TEST(life.constructed == iterations);
    BOOST_TEST(life.alive() == 0);
}

BOOST_AUTO_TEST_CASE(receive_waits_for_a_send_from_another_thread)
{
    auto [tx, rx] = zctor::make_oneshot<int>();
    std::thread sender([tx = std::move(tx)]() mutable { tx.send(42); });
    BOOST_TEST(rx.receive_for(zctor_test::default_timeout) == 42);
    sender.join();
}

BOOST_AUTO_TEST_CASE(two_blocking_receivers_exactly_one_wins)
{
    constexpr int iterations = 500;
    for (int i = 0; i < iterations; ++i)
    {
        zctor::oneshot_channel<int> ch;
        std::optional<int> got[2];
        error_code ec[2];
        auto receive = [&](int k) { got[k] = ch.receive_for(zctor_test::default_timeout, ec[k]); };
        std::thread a(receive, 0);
        std::thread b(receive, 1);
        BOOST_TEST_REQUIRE(ch.send(i));
        a.join();
        b.join();
        const int winner = got[0] ? 0 : 1;
        BOOST_TEST_REQUIRE(got[winner].has_value());
        BOOST_TEST_REQUIRE(*got[winner] == i);
        BOOST_TEST_REQUIRE(!ec[winner]);
        BOOST_TEST_REQUIRE(!got[1 - winner].has_value());
        BOOST_TEST_REQUIRE(ec[1 - winner] == error::already_received);
    }
}

BOOST_AUTO_TEST_CASE(receive_for_times_out)
{
    zctor::oneshot_channel<int> ch;
    error_code ec;
    BOOST_TEST(!ch.receive_for(5ms, ec).has_value());
    BOOST_TEST(ec == error::timed_out);
    BOOST_TEST(code_thrown_by([&] { ch.receive_for(5ms); }) == error::timed_out);

    // A timeout leaves the channel usable; a huge timeout does not overflow.
    ch.send(3);
    BOOST_TEST(ch.receive_for(std::chrono::hours::max(), ec) == 3);
    BOOST_TEST(!ec);
}

BOOST_AUTO_TEST_CASE(close_fails_blocking_receives_with_broken_promise)
{
    zctor::oneshot_channel<int> ch;
    error_code ec;
    std::thread receiver([&] { ch.receive_for(zctor_test::default_timeout, ec); });
    ch.close();
    receiver.join();
    BOOST_TEST(ec == error::broken_promise);
    BOOST_TEST(code_thrown_by([&] { ch.receive(); }) == error::broken_promise);
}

BOOST_AUTO_TEST_CASE(dropping_the_sender_breaks_the_promise)
{
    {
        auto [tx, rx] = zctor::make_oneshot<int>();
        error_code ec;
        std::thread receiver(
            [&, r = std::move(rx)]() mutable { r.receive_for(zctor_test::default_timeout, ec); });
        {
            auto dropped = std::move(tx);
        }
        receiver.join();
        BOOST_TEST(ec == error::broken_promise);
    }
    {
        auto [tx, rx] = zctor::make_oneshot<int>();
        {
            auto dropped = std::move(tx);
        }
        BOOST_TEST(!tx.valid());
        BOOST_TEST(rx.is_closed());
        BOOST_TEST(code_thrown_by([&r = rx] { r.receive(); }) == error::broken_promise);
    }
    {
        // Dropping a sender after its send closes nothing.
        auto [tx, rx] = zctor::make_oneshot<int>();
        tx.send(1);
        {
            auto dropped = std::move(tx);
        }
        BOOST_TEST(rx.receive() == 1);
    }
}

BOOST_AUTO_TEST_CASE(assigning_over_a_sender_closes_its_channel)
{
    auto [tx1, rx1] = zctor::make_oneshot<int>();
    auto [tx2, rx2] = zctor::make_oneshot<int>();
    tx1 = std::move(tx2);
    BOOST_TEST(rx1.is_closed());
    BOOST_TEST(tx1.send(2));
    BOOST_TEST(rx2.receive() == 2);
}

BOOST_AUTO_TEST_CASE(dropping_the_receiver_makes_send_fail)
{
    auto [tx, rx] = zctor::make_oneshot<int>();
    {
        auto dropped = std::move(rx);
    }
    BOOST_TEST(!rx.valid());
    BOOST_TEST(!tx.send(1));
    BOOST_TEST(tx.is_empty());

    // Assigning over a receiver drops its channel too.
    auto [tx1, rx1] = zctor::make_oneshot<int>();
    auto [tx2, rx2] = zctor::make_oneshot<int>();
    rx1 = std::move(rx2);
    BOOST_TEST(!tx1.send(1));
    BOOST_TEST(tx2.send(2));
    BOOST_TEST(rx1.receive() == 2);
}

BOOST_AUTO_TEST_CASE(blocking_receive_in_an_actor_reports_would_deadlock)
{
    struct seen
    {
        error_code receive_ec;
        error_code thrown_ec;
        error_code receive_for_ec;
        std::optional<int> ready_value;
        error_code ready_ec;
    } s;
    zctor::oneshot_channel<int> empty;
    zctor::oneshot_channel<int> ready;
    ready.send(9);
    zctor_test::latch done(1);
    {
        zctor::engine e(one_worker());
        e.spawn<note>([&](note) {
            // Reported back: Boost.Test assertions run on the test thread only.
            empty.receive(s.receive_ec);
            s.thrown_ec = code_thrown_by([&] { empty.receive(); });
            empty.receive_for(1h, s.receive_for_ec);
            s.ready_value = ready.receive(s.ready_ec); // a value already there is returned
            done.count_down();
        });
        e.run();
        e.send(note{});
        BOOST_TEST_REQUIRE(done.wait());
    }
    BOOST_TEST(s.receive_ec == error::would_deadlock);
    BOOST_TEST(s.thrown_ec == error::would_deadlock);
    BOOST_TEST(s.receive_for_ec == error::would_deadlock);
    BOOST_TEST(!s.ready_ec);
    BOOST_TEST(s.ready_value == 9);
    BOOST_TEST(empty.is_empty()); // the failed receives consumed nothing
}

// ---------------------------------------------------------------------------------------------
// async_receive

BOOST_AUTO_TEST_CASE(async_receive_with_a_callback)
{
    // A plain callback without executor completes on the system executor.
    zctor::oneshot_channel<int> ch;
    zctor_test::latch done(1);
    error_code ec = asio::error::fault;
    int value = 0;
    ch.async_receive([&](error_code e, int v) {
        ec = e;
        value = v;
        done.count_down();
    });
    BOOST_TEST(ch.is_empty());
    BOOST_TEST(ch.send(11));
    BOOST_TEST_REQUIRE(done.wait());
    BOOST_TEST(!ec);
    BOOST_TEST(value == 11);
    BOOST_TEST(ch.is_consumed());
}

BOOST_AUTO_TEST_CASE(async_receive_never_completes_inside_the_call)
{
    asio::io_context ioc;
    zctor::oneshot_channel<int> ch;
    outcome<int> ready, pending;

    ch.send(1);
    ch.async_receive(asio::bind_executor(ioc, record(ready))); // the value is there already
    BOOST_TEST(ready.calls == 0);
    ioc.run();
    BOOST_TEST(ready.calls == 1);
    BOOST_TEST(!ready.ec);
    BOOST_TEST(ready.value == 1);

    // Nor inside the send that completes it.
    ioc.restart();
    zctor::oneshot_channel<int> ch2;
    ch2.async_receive(asio::bind_executor(ioc, record(pending)));
    ch2.send(2);
    BOOST_TEST(pending.calls == 0);
    ioc.run();
    BOOST_TEST(pending.calls == 1);
    BOOST_TEST(pending.value == 2);
}

BOOST_AUTO_TEST_CASE(async_receive_keeps_its_executor_busy)
{
    // While the receive waits, run() does not return for lack of work.
    asio::io_context ioc;
    zctor::oneshot_channel<int> ch;
    outcome<int> o;
    ch.async_receive(asio::bind_executor(ioc, record(o)));
    std::thread runner([&] { ioc.run(); });
    // run() returns only after the completion, which needs the send.
    BOOST_TEST(!zctor_test::wait_until([&] { return ioc.stopped(); }, 20ms));
    ch.send(4);
    runner.join();
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(o.value == 4);
}

BOOST_AUTO_TEST_CASE(async_receive_with_use_future)
{
    zctor::oneshot_channel<std::string> ch;
    auto f = ch.async_receive(asio::use_future);
    ch.send("future");
    BOOST_TEST_REQUIRE((f.wait_for(zctor_test::default_timeout) == std::future_status::ready));
    BOOST_TEST(f.get() == "future");

    zctor::oneshot_channel<std::string> closed;
    auto g = closed.async_receive(asio::use_future);
    closed.close();
    BOOST_TEST_REQUIRE((g.wait_for(zctor_test::default_timeout) == std::future_status::ready));
    BOOST_TEST(code_thrown_by([&] { g.get(); }) == error::broken_promise);
}

BOOST_AUTO_TEST_CASE(async_receive_with_use_awaitable)
{
    asio::io_context ioc;
    auto [tx, rx] = zctor::make_oneshot<int>();
    std::optional<int> got;
    error_code thrown;
    asio::co_spawn(
        ioc,
        [&, &r = rx]() -> asio::awaitable<void> {
            got = co_await r.async_receive(asio::use_awaitable);
            // An error is thrown into the coroutine.
            try
            {
                co_await r.async_receive(asio::use_awaitable);
            }
            catch (const boost::system::system_error& e)
            {
                thrown = e.code();
            }
        },
        asio::detached);
    std::thread runner([&] { ioc.run(); });
    tx.send(21);
    runner.join();
    BOOST_TEST(got == 21);
    BOOST_TEST(thrown == error::already_received);
}

BOOST_AUTO_TEST_CASE(async_receive_with_deferred)
{
    zctor::oneshot_channel<int> ch;
    ch.send(8);
    auto op = ch.async_receive(asio::deferred);
    BOOST_TEST(ch.is_ready()); // nothing happens until the deferred operation is launched

    asio::io_context ioc;
    outcome<int> o;
    std::move(op)(asio::bind_executor(ioc, record(o)));
    ioc.run();
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(!o.ec);
    BOOST_TEST(o.value == 8);
    BOOST_TEST(ch.is_consumed());
}

BOOST_AUTO_TEST_CASE(deferred_is_the_default_token)
{
    asio::io_context ioc;
    zctor::oneshot_channel<int> ch;
    std::optional<int> got;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { got = co_await ch.async_receive(); }, asio::detached);
    ch.send(13);
    ioc.run();
    BOOST_TEST(got == 13);
}

BOOST_AUTO_TEST_CASE(deferred_launched_after_the_channel_is_gone_is_aborted)
{
    asio::io_context ioc;
    outcome<int> o;
    {
        auto [tx, rx] = zctor::make_oneshot<int>();
        auto op = rx.async_receive(asio::deferred);
        {
            auto dropped = std::move(rx);
        }
        std::move(op)(asio::bind_executor(ioc, record(o)));
    }
    ioc.run();
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(o.ec == asio::error::operation_aborted);
}

BOOST_AUTO_TEST_CASE(async_receive_with_as_tuple)
{
    asio::io_context ioc;
    zctor::oneshot_channel<int> ch;
    zctor::oneshot_channel<int> closed;
    std::tuple<error_code, int> value_result{asio::error::fault, -1};
    std::tuple<error_code, int> error_result{asio::error::fault, -1};
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            value_result = co_await ch.async_receive(asio::as_tuple(asio::use_awaitable));
            error_result = co_await closed.async_receive(asio::as_tuple(asio::use_awaitable));
        },
        asio::detached);
    ch.send(17);
    closed.close();
    ioc.run();
    BOOST_TEST(!std::get<0>(value_result));
    BOOST_TEST(std::get<1>(value_result) == 17);
    BOOST_TEST(std::get<0>(error_result) == error::broken_promise);
    BOOST_TEST(std::get<1>(error_result) == 0); // T{} with an error
}

BOOST_AUTO_TEST_CASE(async_receivers_first_registered_wins)
{
    asio::io_context ioc;
    zctor::oneshot_channel<int> ch;
    outcome<int> o[3];
    for (auto& each : o)
        ch.async_receive(asio::bind_executor(ioc, record(each)));
    ch.send(5);
    ioc.run();
    BOOST_TEST(o[0].calls == 1);
    BOOST_TEST(!o[0].ec);
    BOOST_TEST(o[0].value == 5);
    for (int k : {1, 2})
    {
        BOOST_TEST(o[k].calls == 1);
        BOOST_TEST(o[k].ec == error::already_received);
        BOOST_TEST(o[k].value == 0);
    }
    // Later receives, blocking or not, find it taken too.
    outcome<int> late;
    ch.async_receive(asio::bind_executor(ioc, record(late)));
    ioc.restart();
    ioc.run();
    BOOST_TEST(late.ec == error::already_received);
}

BOOST_AUTO_TEST_CASE(async_and_blocking_receivers_race)
{
    // One async and one blocking receiver against a send from a third thread: exactly one gets it.
    constexpr int iterations = 300;
    for (int i = 0; i < iterations; ++i)
    {
        zctor::oneshot_channel<int> ch;
        zctor_test::latch async_done(1);
        error_code async_ec, blocking_ec;
        int async_value = -1;
        std::optional<int> blocking_value;
        ch.async_receive([&](error_code ec, int v) {
            async_ec = ec;
            async_value = v;
            async_done.count_down();
        });
        std::thread blocking(
            [&] { blocking_value = ch.receive_for(zctor_test::default_timeout, blocking_ec); });
        std::thread sender([&] { ch.send(i); });
        sender.join();
        blocking.join();
        BOOST_TEST_REQUIRE(async_done.wait());
        const bool async_won = !async_ec;
        BOOST_TEST_REQUIRE(async_won != blocking_value.has_value());
        if (async_won)
        {
            BOOST_TEST_REQUIRE(async_value == i);
            BOOST_TEST_REQUIRE(blocking_ec == error::already_received);
        }
        else
        {
            BOOST_TEST_REQUIRE(*blocking_value == i);
            BOOST_TEST_REQUIRE(async_ec == error::already_received);
        }
    }
}

BOOST_AUTO_TEST_CASE(async_receive_races_send_from_another_thread)
{
    zctor_test::lifetime life;
    constexpr int iterations = 2000;
    std::vector<int> received(iterations, -1);
    std::atomic<int> errors{0};
    zctor_test::latch done(iterations);
    for (int i = 0; i < iterations; ++i)
    {
        auto [tx, rx] = zctor::make_oneshot<std::optional<zctor_test::counted>>();
        std::thread sender([&life, i, t = std::move(tx)]() mutable { t.send(zctor_test::counted(life, i)); });
        rx.async_receive([&, i](error_code ec, std::optional<zctor_test::counted> v) {
            if (ec || !v)
                ++errors;
            else
                received[i] = v->value();
            done.count_down();
        });
        sender.join();
    }
    BOOST_TEST_REQUIRE(done.wait());
    BOOST_TEST(errors == 0);
    for (int i = 0; i < iterations; ++i)
        BOOST_TEST_REQUIRE(received[i] == i);
    // The last owner of each value is the handler's argument, destroyed after it counted down.
    BOOST_TEST(zctor_test::wait_until([&] { return life.alive() == 0; }));
    BOOST_TEST(life.constructed == iterations);
}

BOOST_AUTO_TEST_CASE(async_receive_fails_when_the_sender_gives_up)
{
    asio::io_context ioc;
    outcome<int> dropped, closed, after;
    auto [tx, rx] = zctor::make_oneshot<int>();
    rx.async_receive(asio::bind_executor(ioc, record(dropped)));
    {
        auto gone = std::move(tx);
    }
    rx.async_receive(asio::bind_executor(ioc, record(after)));

    zctor::oneshot_channel<int> ch;
    ch.async_receive(asio::bind_executor(ioc, record(closed)));
    ch.close();

    ioc.run();
    BOOST_TEST(dropped.ec == error::broken_promise);
    BOOST_TEST(after.ec == error::broken_promise);
    BOOST_TEST(closed.ec == error::broken_promise);
}

BOOST_AUTO_TEST_CASE(pending_async_receive_is_aborted_when_the_receiving_side_goes)
{
    asio::io_context ioc;
    outcome<int> by_handle, by_channel;
    auto [tx, rx] = zctor::make_oneshot<int>();
    rx.async_receive(asio::bind_executor(ioc, record(by_handle)));
    {
        auto gone = std::move(rx);
    }
    BOOST_TEST(!tx.send(1));
    {
        zctor::oneshot_channel<int> ch;
        ch.async_receive(asio::bind_executor(ioc, record(by_channel)));
    }
    ioc.run();
    BOOST_TEST(by_handle.ec == asio::error::operation_aborted);
    BOOST_TEST(by_channel.ec == asio::error::operation_aborted);
}

BOOST_AUTO_TEST_CASE(per_operation_cancellation)
{
    asio::io_context ioc;
    asio::cancellation_signal signal;
    zctor::oneshot_channel<int> ch;
    outcome<int> o;
    ch.async_receive(asio::bind_cancellation_slot(signal.slot(), asio::bind_executor(ioc, record(o))));
    BOOST_TEST(signal.slot().has_handler());
    // Emitted from the handler's executor, as Asio requires.
    asio::post(ioc, [&] { signal.emit(asio::cancellation_type::terminal); });
    ioc.run();
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(o.ec == asio::error::operation_aborted);
    BOOST_TEST(o.value == 0);
    BOOST_TEST(!signal.slot().has_handler()); // cleared before the handler ran
    BOOST_TEST(ch.is_empty());                // nothing consumed

    // The value sent afterwards is still there for the next receive.
    BOOST_TEST(ch.send(23));
    BOOST_TEST(ch.try_receive() == 23);
}

BOOST_AUTO_TEST_CASE(cancellation_after_the_value_was_handed_over_changes_nothing)
{
    asio::io_context ioc;
    asio::cancellation_signal signal;
    zctor::oneshot_channel<int> ch;
    outcome<int> o;
    ch.async_receive(asio::bind_cancellation_slot(signal.slot(), asio::bind_executor(ioc, record(o))));
    ch.send(31); // the completion is queued on ioc, which is not running
    signal.emit(asio::cancellation_type::terminal);
    ioc.run();
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(!o.ec);
    BOOST_TEST(o.value == 31);
    BOOST_TEST(!signal.slot().has_handler());
}

BOOST_AUTO_TEST_CASE(cancellation_of_one_receive_leaves_the_others)
{
    asio::io_context ioc;
    asio::cancellation_signal signal;
    zctor::oneshot_channel<int> ch;
    outcome<int> cancelled, kept;
    ch.async_receive(
        asio::bind_cancellation_slot(signal.slot(), asio::bind_executor(ioc, record(cancelled))));
    ch.async_receive(asio::bind_executor(ioc, record(kept)));
    asio::post(ioc, [&] {
        signal.emit(asio::cancellation_type::partial);
        ch.send(3);
    });
    ioc.run();
    BOOST_TEST(cancelled.ec == asio::error::operation_aborted);
    BOOST_TEST(!kept.ec);
    BOOST_TEST(kept.value == 3);
}

BOOST_AUTO_TEST_CASE(cancel_aborts_every_pending_receive)
{
    asio::io_context ioc;
    auto [tx, rx] = zctor::make_oneshot<int>();
    outcome<int> o[2];
    for (auto& each : o)
        rx.async_receive(asio::bind_executor(ioc, record(each)));
    rx.cancel();
    ioc.run();
    for (auto& each : o)
        BOOST_TEST(each.ec == asio::error::operation_aborted);
    BOOST_TEST(tx.send(1));
    BOOST_TEST(rx.receive() == 1);
}

BOOST_AUTO_TEST_CASE(callback_started_in_an_actor_completes_on_its_strand)
{
    zctor::oneshot_channel<int> ch;
    zctor_test::latch started(1);
    zctor_test::latch done(1);
    std::atomic<bool> on_strand{false};
    error_code ec = asio::error::fault;
    int value = 0;
    zctor::engine e(one_worker());
    e.spawn<note>([&](zctor::context& ctx, note) {
        ch.async_receive([&, ex = ctx.get_executor()](error_code got_ec, int v) {
            on_strand = ex.running_in_this_thread();
            ec = got_ec;
            value = v;
            done.count_down();
        });
        started.count_down();
    });
    e.run();
    e.send(note{});
    BOOST_TEST_REQUIRE(started.wait());
    ch.send(37);
    BOOST_TEST_REQUIRE(done.wait());
    BOOST_TEST(on_strand);
    BOOST_TEST(!ec);
    BOOST_TEST(value == 37);
}

BOOST_AUTO_TEST_CASE(callback_started_in_an_actor_may_outlive_its_engine)
{
    // The engine is gone before the value comes: the completion, bound for the actor's strand,
    // must neither run nor touch freed memory (the sanitizer builds check that); its handler is
    // destroyed, not leaked.
    auto [tx, rx] = zctor::make_oneshot<int>();
    auto token = std::make_shared<int>(0);
    std::atomic<int> calls{0};
    zctor_test::latch started(1);
    {
        zctor::engine e(one_worker());
        e.spawn<note>([&, &r = rx](note) {
            r.async_receive([&calls, token](error_code, int) { ++calls; });
            started.count_down();
        });
        e.run();
        e.send(note{});
        BOOST_TEST_REQUIRE(started.wait());
    }
    BOOST_TEST(token.use_count() == 2); // the pending handler holds it
    BOOST_TEST(tx.send(1));
    BOOST_TEST(calls == 0);
    BOOST_TEST(token.use_count() == 1);
}
