//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#define BOOST_TEST_MODULE zctor_timer
// Test that the header file is self-contained.
#include <zctor/timer.hpp>
// Other headers, to run the actors the timers send to.
#include <zctor/engine.hpp>
#include <zctor/error.hpp>
#include <zctor/oneshot.hpp>
#include <zctor_test/checks.hpp>
#include <zctor_test/wait.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

// No test sleeps in place of synchronisation, and none asserts how long anything took: delays
// are only small so that the tests are quick. A timer of one hour is one that cannot fire
// during the test.

namespace {

using zctor_test::remote_checks;
using zctor_test::workers;

using namespace std::chrono_literals;
using boost::system::error_code;
using zctor::error;
using zctor::receives;
using zctor_test::wait_until;

constexpr auto never = std::chrono::hours(1);

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

struct tick
{
    int n = 0;
};

struct marker
{};

struct start
{};

// A message whose copies are all counted, to prove that a timer's value is freed.
struct counted_tick
{
    zctor_test::counted value;
};

// What a `recorder` saw, read by the test.
struct record
{
    std::atomic<int> ticks{0};
    std::atomic<int> markers{0};
    std::atomic<int> ticks_at_last_marker{-1};
    std::uint64_t id = 0; // the recorder's id, set before any message
    remote_checks checks;
};

// Counts ticks, and on each marker how many ticks came before it; checks that every message
// runs on the recorder's own strand.
class recorder
{
public:
    explicit recorder(record& r) noexcept : r_(r) {}

    void handle(zctor::context& ctx, tick) { seen(ctx); }
    void handle(zctor::context& ctx, const counted_tick&) { seen(ctx); }
    void handle(zctor::context& ctx, marker)
    {
        check(ctx);
        r_.ticks_at_last_marker = r_.ticks.load();
        ++r_.markers;
    }

private:
    void seen(zctor::context& ctx)
    {
        check(ctx);
        ++r_.ticks;
    }
    void check(zctor::context& ctx)
    {
        r_.checks.expect(ctx.get_executor().running_in_this_thread(), "runs on the actor's strand");
        r_.checks.expect(ctx.id() == r_.id, "runs on the target actor");
    }

    record& r_;
};

zctor::actor_ref<recorder> spawn_recorder(zctor::engine& e, record& r)
{
    auto ref = e.spawn<recorder>(r);
    r.id = ref.id();
    return ref;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// timer_handle

BOOST_AUTO_TEST_CASE(default_handle_is_inert)
{
    zctor::timer_handle h;
    BOOST_TEST(!h);
    BOOST_TEST(!h.active());
    BOOST_TEST(!h.cancel());
    zctor::timer_handle copy = h;
    BOOST_TEST(!copy.cancel());
    BOOST_TEST(!copy.active());
}

BOOST_AUTO_TEST_CASE(copies_share_the_timer)
{
    record r;
    zctor::engine e(workers(2));
    auto ref = spawn_recorder(e, r);
    e.run();
    zctor::timer_handle h = zctor::send_every(ref, 1ms, tick{});
    zctor::timer_handle copy = h;
    BOOST_TEST(static_cast<bool>(copy));
    BOOST_TEST(h.active());
    BOOST_TEST(copy.active());
    BOOST_TEST(copy.cancel());
    BOOST_TEST(!h.active());
    BOOST_TEST(!copy.active());
    BOOST_TEST(!h.cancel());
    BOOST_TEST(!copy.cancel());
}

BOOST_AUTO_TEST_CASE(destroying_a_handle_does_not_cancel)
{
    record r;
    zctor::engine e(workers(2));
    auto ref = spawn_recorder(e, r);
    e.run();
    {
        zctor::timer_handle dropped = zctor::send_every(ref, 1ms, tick{});
        (void)zctor::send_after(ref, 1ms, marker{});
    }
    BOOST_TEST(wait_until([&] { return r.markers == 1 && r.ticks >= 3; }));
    // The periodic timer nobody holds stops with its actor (and is freed: see the ASan runs).
    ref.stop();
    BOOST_TEST(wait_until([&] { return ref.stopped(); }));
    e.stop();
    e.join();
    r.checks.verify_at_least(2 * 4);
}

// ---------------------------------------------------------------------------------------------
// send_after

BOOST_AUTO_TEST_CASE(send_after_delivers_once_on_the_targets_strand)
{
    record r;
    zctor::engine e(workers(2));
    auto ref = spawn_recorder(e, r);
    // A bystander on the other worker, so that a wrong strand or actor would be noticed.
    record other;
    auto bystander = spawn_recorder(e, other);
    BOOST_TEST(bystander.worker_index() != ref.worker_index());
    e.run();
    zctor::timer_handle h = zctor::send_after(ref, 1ms, tick{});
    BOOST_TEST(static_cast<bool>(h));
    BOOST_TEST(wait_until([&] { return r.ticks == 1; }));
    // Handled: the one-shot timer is over.
    BOOST_TEST(!h.active());
    BOOST_TEST(!h.cancel());
    e.stop();
    e.join();
    BOOST_TEST(r.ticks == 1); // exactly once, now that every message is accounted for
    BOOST_TEST(other.ticks == 0);
    BOOST_TEST(e.stats().messages_handled == 1u);
    r.checks.verify_at_least(2);
}

BOOST_AUTO_TEST_CASE(send_after_with_zero_delay_delivers)
{
    record r;
    zctor::engine e(workers(1));
    auto ref = spawn_recorder(e, r);
    e.run();
    error_code ec = error::actor_stopped; // cleared on success
    zctor::timer_handle h = zctor::send_after(ref, 0ms, tick{}, ec);
    BOOST_TEST(!ec);
    BOOST_TEST(static_cast<bool>(h));
    BOOST_TEST(wait_until([&] { return r.ticks == 1; }));
    e.stop();
    e.join();
    BOOST_TEST(r.ticks == 1);
}

BOOST_AUTO_TEST_CASE(send_after_takes_a_move_only_message)
{
    std::atomic<int> got{0};
    zctor::engine e(workers(1));
    auto ref = e.spawn<std::unique_ptr<int>>([&](std::unique_ptr<int> p) { got = p ? *p : -1; });
    e.run();
    zctor::timer_handle h = zctor::send_after(ref, 1ms, std::make_unique<int>(7));
    BOOST_TEST(wait_until([&] { return got == 7; }));
    e.stop();
    e.join();
    BOOST_TEST(!h.active());
}

BOOST_AUTO_TEST_CASE(lvalue_messages_are_copied)
{
    record r;
    zctor::engine e(workers(1));
    auto ref = spawn_recorder(e, r);
    e.run();
    const tick t{3};
    zctor::timer_handle once = zctor::send_after(ref, 1ms, t);
    zctor::timer_handle every = zctor::send_every(ref, 1ms, t);
    BOOST_TEST(wait_until([&] { return r.ticks >= 3; }));
    BOOST_TEST(every.cancel());
    e.stop();
    e.join();
    BOOST_TEST(!once.active());
    BOOST_TEST(t.n == 3);
}

BOOST_AUTO_TEST_CASE(timer_through_a_view_of_a_class_actor)
{
    record r;
    zctor::engine e(workers(2));
    zctor::actor_ref<receives<tick, marker>> view = spawn_recorder(e, r);
    e.run();
    zctor::timer_handle every = zctor::send_every(view, 1ms, tick{});
    (void)zctor::send_after(view, 1ms, marker{});
    BOOST_TEST(wait_until([&] { return r.ticks >= 3 && r.markers == 1; }));
    BOOST_TEST(every.cancel());
    e.stop();
    e.join();
    r.checks.verify_at_least(2 * 4);
}

BOOST_AUTO_TEST_CASE(longest_delay_and_interval_never_fire_and_cancel)
{
    record r;
    zctor::engine e(workers(1));
    auto ref = spawn_recorder(e, r);
    e.run();
    constexpr auto longest = std::chrono::steady_clock::duration::max();
    error_code ec;
    zctor::timer_handle once = zctor::send_after(ref, longest, tick{}, ec);
    BOOST_TEST(!ec);
    zctor::timer_handle every = zctor::send_every(ref, longest, tick{}, ec);
    BOOST_TEST(!ec);
    ref.send(marker{});
    BOOST_REQUIRE(wait_until([&] { return r.markers == 1; }));
    BOOST_TEST(once.active());
    BOOST_TEST(every.active());
    BOOST_TEST(once.cancel());
    BOOST_TEST(every.cancel());
    e.stop();
    e.join();
    BOOST_TEST(r.ticks == 0);
}

BOOST_AUTO_TEST_CASE(cancel_from_outside_before_firing)
{
    zctor_test::lifetime life;
    record r;
    zctor::engine e(workers(2));
    auto ref = spawn_recorder(e, r);
    e.run();
    zctor::timer_handle h = zctor::send_after(ref, never, counted_tick{zctor_test::counted(life)});
    BOOST_TEST(h.active());
    BOOST_TEST(h.cancel());
    BOOST_TEST(!h.active());
    BOOST_TEST(!h.cancel());
    // The cancelled timer does not wait for its hour to free its message.
    h = zctor::timer_handle();
    BOOST_TEST(wait_until([&] { return life.alive() == 0; }));
    ref.send(marker{});
    BOOST_TEST(wait_until([&] { return r.markers == 1; }));
    e.stop();
    e.join();
    BOOST_TEST(r.ticks == 0);
    BOOST_TEST(life.constructed == life.destroyed);
}

namespace {

// The actor the "already fired" tests use: a coroutine handler (`hold`) keeps the mailbox waiting
// while leaving the strand free, so a timer can fire and queue its message behind the messages
// already waiting, none of which runs until the test releases the coroutine.
struct hold
{};
struct cancel_it
{};

struct fired_state
{
    zctor::oneshot_channel<int> release;
    zctor_test::latch held{1};
    zctor_test::latch marked{1};
    std::optional<zctor::context::executor_type> strand; // written before `held`
    zctor::timer_handle timer;                           // written before `release`
    std::atomic<int> fires{0};                           // probes copied or moved on the actor's strand
    std::atomic<int> cancel_result{-1};
    int cancel_at_probe = 0; // the probe whose handler cancels the timer (0: none)
    std::atomic<int> probes{0};
    std::atomic<int> handler_calls{0};
};

// The message the timers send to `holder`. While the mailbox is held, the only copy or move of a
// probe on the actor's strand is a timer firing: building the mailbox node it then pushes.
struct probe
{
    explicit probe(fired_state& s) noexcept : s_(&s) {}
    probe(probe&& o) noexcept : s_(o.s_) { seen(); }
    probe(const probe& o) noexcept : s_(o.s_) { seen(); }
    probe& operator=(const probe&) = delete;

    void seen() noexcept
    {
        if (s_->strand && s_->strand->running_in_this_thread())
            ++s_->fires;
    }

    fired_state* s_;
};

class holder
{
public:
    explicit holder(fired_state& s) noexcept : s_(s) {}

    boost::asio::awaitable<void> handle(zctor::context& ctx, hold)
    {
        ++s_.handler_calls;
        s_.strand.emplace(ctx.get_executor());
        s_.held.count_down();
        co_await s_.release.async_receive(boost::asio::use_awaitable);
    }
    void handle(cancel_it)
    {
        ++s_.handler_calls;
        s_.cancel_result = s_.timer.cancel() ? 1 : 0;
    }
    void handle(probe)
    {
        ++s_.handler_calls;
        if (++s_.probes == s_.cancel_at_probe)
            s_.cancel_result = s_.timer.cancel() ? 1 : 0;
    }
    void handle(marker)
    {
        ++s_.handler_calls;
        s_.marked.count_down();
    }

private:
    fired_state& s_;
};

// A strand must not outlive its io_context, which goes with the engine: declared after the
// engine, this stops it (so no probe reads the copy any more) and drops the copy first, however
// the test ends.
struct strand_guard
{
    zctor::engine& e;
    fired_state& s;
    ~strand_guard()
    {
        error_code ignored;
        e.stop();
        e.join(ignored);
        s.strand.reset();
    }
};

// Returns once the timer `s.timer`, started by `start` sending a probe to the held actor, has
// fired `fires` times and its messages wait in the mailbox.
template <class Start>
bool fire_while_held(fired_state& s, int fires, Start start)
{
    s.timer = start(probe(s));
    if (!wait_until([&] { return s.fires >= fires; }))
        return false;
    // The push follows the copy in the same handler on the strand: whatever is posted to the
    // strand now runs after it.
    auto pushed = std::make_shared<zctor_test::latch>(1);
    boost::asio::post(*s.strand, [pushed] { pushed->count_down(); });
    return pushed->wait();
}

} // namespace

BOOST_AUTO_TEST_CASE(cancel_on_the_strand_after_firing_drops_the_waiting_message)
{
    fired_state s;
    zctor::engine e(workers(2));
    strand_guard guard{e, s};
    auto ref = e.spawn<holder>(s);
    e.run();
    ref.send(hold{});
    BOOST_REQUIRE(s.held.wait());
    // Queued before the timer's message, so it runs first, on the actor's strand.
    ref.send(cancel_it{});
    BOOST_REQUIRE(fire_while_held(s, 1, [&](probe p) { return zctor::send_after(ref, 1ms, std::move(p)); }));
    BOOST_TEST(s.timer.active()); // fired, not handled yet
    ref.send(marker{});           // queued after the timer's message
    BOOST_REQUIRE(s.release.send(1));
    BOOST_REQUIRE(s.marked.wait());
    BOOST_TEST(s.cancel_result == 1); // it was active: its message was still waiting
    BOOST_TEST(s.probes == 0);
    BOOST_TEST(!s.timer.active());
    BOOST_TEST(!s.timer.cancel());
    e.stop();
    e.join();
    BOOST_TEST(s.probes == 0);
    BOOST_TEST(s.handler_calls == 3); // hold, cancel_it, marker
    // The skipped message is not counted as handled.
    BOOST_TEST(e.stats().messages_handled == 3u);
    BOOST_TEST(e.stats().handler_failures == 0u);
}

BOOST_AUTO_TEST_CASE(cancel_from_outside_after_firing_drops_the_waiting_message)
{
    fired_state s;
    zctor::engine e(workers(2));
    strand_guard guard{e, s};
    auto ref = e.spawn<holder>(s);
    e.run();
    ref.send(hold{});
    BOOST_REQUIRE(s.held.wait());
    BOOST_REQUIRE(fire_while_held(s, 1, [&](probe p) { return zctor::send_after(ref, 1ms, std::move(p)); }));
    BOOST_TEST(s.timer.active());
    BOOST_TEST(s.timer.cancel());
    BOOST_TEST(!s.timer.active());
    BOOST_TEST(!s.timer.cancel());
    ref.send(marker{});
    BOOST_REQUIRE(s.release.send(1));
    BOOST_REQUIRE(s.marked.wait());
    e.stop();
    e.join();
    BOOST_TEST(s.probes == 0);
    BOOST_TEST(s.handler_calls == 2); // hold, marker
    BOOST_TEST(e.stats().messages_handled == 2u);
}

BOOST_AUTO_TEST_CASE(send_every_cancelled_by_its_first_tick_drops_the_waiting_ticks)
{
    fired_state s;
    s.cancel_at_probe = 1;
    zctor::engine e(workers(2));
    strand_guard guard{e, s};
    auto ref = e.spawn<holder>(s);
    e.run();
    ref.send(hold{});
    BOOST_REQUIRE(s.held.wait());
    // Three ticks wait in the mailbox; the first one's handler cancels the timer.
    BOOST_REQUIRE(fire_while_held(s, 3, [&](probe p) { return zctor::send_every(ref, 1ms, std::move(p)); }));
    ref.send(marker{});
    BOOST_REQUIRE(s.release.send(1));
    BOOST_REQUIRE(s.marked.wait());
    BOOST_TEST(s.cancel_result == 1);
    BOOST_TEST(s.probes == 1);
    BOOST_TEST(!s.timer.active());
    e.stop();
    e.join();
    BOOST_TEST(s.probes == 1);
    BOOST_TEST(s.handler_calls == 3); // hold, the first tick, marker
    BOOST_TEST(e.stats().messages_handled == 3u);
}

// ---------------------------------------------------------------------------------------------
// send_every

namespace {

// Starts a periodic timer to itself and cancels it from inside the handler of tick `k`; then
// sends itself a marker through a second timer.
struct periodic_state
{
    int k = 0;
    int ticks = 0; // strand only; read by the test after `done`
    int ticks_at_marker = -1;
    bool cancel_result = false;
    bool active_after_cancel = true;
    zctor::timer_handle timer;
    zctor_test::latch done{1};
    remote_checks checks;
};

class self_canceller
{
public:
    explicit self_canceller(periodic_state& s) noexcept : s_(s) {}

    void handle(zctor::context& ctx, start)
    {
        s_.timer = zctor::send_every(ctx.self<self_canceller>(), 1ms, tick{});
    }
    void handle(zctor::context& ctx, tick)
    {
        s_.checks.expect(ctx.get_executor().running_in_this_thread(), "tick on the actor's strand");
        s_.checks.expect(s_.ticks < s_.k, "no tick after cancel() returned on the strand");
        if (++s_.ticks == s_.k)
        {
            s_.cancel_result = s_.timer.cancel();
            s_.active_after_cancel = s_.timer.active();
            // Later than several more ticks would have come.
            zctor::send_after(ctx.self<self_canceller>(), 10ms, marker{});
        }
    }
    void handle(marker)
    {
        s_.ticks_at_marker = s_.ticks;
        s_.done.count_down();
    }

private:
    periodic_state& s_;
};

} // namespace

BOOST_AUTO_TEST_CASE(send_every_cancelled_in_its_handler_ticks_exactly_k_times)
{
    periodic_state s;
    s.k = 5;
    zctor::engine e(workers(2));
    auto ref = e.spawn<self_canceller>(s);
    e.run();
    ref.send(start{});
    BOOST_REQUIRE(s.done.wait());
    BOOST_TEST(s.ticks_at_marker == s.k);
    BOOST_TEST(s.cancel_result);
    BOOST_TEST(!s.active_after_cancel);
    e.stop();
    e.join();
    BOOST_TEST(s.ticks == s.k);
    BOOST_TEST(e.stats().messages_handled == static_cast<std::uint64_t>(s.k + 2)); // + start, marker
    BOOST_TEST(!s.timer.active());
    BOOST_TEST(!s.timer.cancel());
    s.checks.verify_at_least(2 * s.k);
}

BOOST_AUTO_TEST_CASE(send_every_cancelled_from_outside_stops_ticking)
{
    record r;
    zctor::engine e(workers(2));
    auto ref = spawn_recorder(e, r);
    e.run();
    zctor::timer_handle h = zctor::send_every(ref, 1ms, tick{});
    BOOST_TEST(h.active());
    BOOST_REQUIRE(wait_until([&] { return r.ticks >= 3; }));
    BOOST_TEST(h.cancel());
    const int at_cancel = r.ticks;
    BOOST_TEST(!h.active());
    BOOST_TEST(!h.cancel());
    ref.send(marker{});
    BOOST_REQUIRE(wait_until([&] { return r.markers == 1; }));
    // At most the one tick whose handler had started when cancel() returned.
    const int after = r.ticks_at_last_marker;
    BOOST_TEST(after <= at_cancel + 1);
    // Many intervals later, still no tick.
    (void)zctor::send_after(ref, 20ms, marker{});
    BOOST_REQUIRE(wait_until([&] { return r.markers == 2; }));
    BOOST_TEST(r.ticks_at_last_marker == after);
    e.stop();
    e.join();
    BOOST_TEST(r.ticks == after);
    r.checks.verify_at_least(2 * 3);
}

namespace {

struct query
{
    using reply_type = int;
    int n = 0;
};

} // namespace

BOOST_AUTO_TEST_CASE(send_every_of_a_request_discards_the_reply)
{
    std::atomic<int> failures{0};
    std::atomic<int> handled{0};
    auto config = workers(2);
    config.on_failure = [&](const zctor::failure&) { ++failures; };
    zctor::engine e(config);
    auto ref = e.spawn<query>([&](query q) {
        ++handled;
        return q.n * 2;
    });
    e.run();
    zctor::timer_handle h = zctor::send_every(ref, 1ms, query{21});
    BOOST_TEST(wait_until([&] { return handled >= 3; }));
    BOOST_TEST(h.cancel());
    e.stop();
    e.join();
    BOOST_TEST(failures == 0);
    BOOST_TEST(e.stats().handler_failures == 0u);
    BOOST_TEST(e.stats().messages_handled == static_cast<std::uint64_t>(handled.load()));
}

// ---------------------------------------------------------------------------------------------
// Timers stop with their actor and their engine, and free everything

BOOST_AUTO_TEST_CASE(timers_stop_when_their_actor_stops)
{
    zctor_test::lifetime life;
    record r;
    {
        zctor::engine e(workers(2));
        auto ref = spawn_recorder(e, r);
        e.run();
        zctor::timer_handle every = zctor::send_every(ref, 1ms, counted_tick{zctor_test::counted(life)});
        zctor::timer_handle after = zctor::send_after(ref, never, counted_tick{zctor_test::counted(life)});
        BOOST_REQUIRE(wait_until([&] { return r.ticks >= 2; }));
        ref.stop();
        BOOST_TEST(wait_until([&] { return !every.active() && !after.active(); }));
        BOOST_TEST(ref.stopped());
        BOOST_TEST(!every.cancel());
        BOOST_TEST(!after.cancel());
        const int at_stop = r.ticks;
        // The engine still runs, so a timer that kept going would keep its values alive; the
        // handles are all that still refers to the timers.
        every = zctor::timer_handle();
        after = zctor::timer_handle();
        BOOST_TEST(wait_until([&] { return life.alive() == 0; }));
        BOOST_TEST(r.ticks == at_stop);
    }
    BOOST_TEST(life.constructed == life.destroyed);
    r.checks.verify_at_least(2 * 2);
}

BOOST_AUTO_TEST_CASE(timers_stop_when_their_engine_stops)
{
    zctor_test::lifetime life;
    record r;
    zctor::engine e(workers(2));
    auto ref = spawn_recorder(e, r);
    e.run();
    zctor::timer_handle every = zctor::send_every(ref, 1ms, counted_tick{zctor_test::counted(life)});
    zctor::timer_handle after = zctor::send_after(ref, never, counted_tick{zctor_test::counted(life)});
    BOOST_REQUIRE(wait_until([&] { return r.ticks >= 2; }));
    e.stop();
    e.join();
    BOOST_TEST(!every.active());
    BOOST_TEST(!after.active());
    BOOST_TEST(!every.cancel());
    BOOST_TEST(!after.cancel());
    every = zctor::timer_handle();
    after = zctor::timer_handle();
    BOOST_TEST(life.alive() == 0);
}

BOOST_AUTO_TEST_CASE(engine_destroyed_with_live_timers_and_held_handles)
{
    zctor_test::lifetime life;
    zctor_test::lifetime behavior;
    zctor::timer_handle every;
    zctor::timer_handle after;
    {
        zctor::engine e(workers(2));
        auto ref = e.spawn<counted_tick>([c = zctor_test::counted(behavior)](const counted_tick&) {});
        e.run();
        every = zctor::send_every(ref, never, counted_tick{zctor_test::counted(life)});
        after = zctor::send_after(ref, never, counted_tick{zctor_test::counted(life)});
        BOOST_TEST(every.active());
        BOOST_TEST(after.active());
    }
    BOOST_TEST(behavior.alive() == 0);
    BOOST_TEST(!every.active());
    BOOST_TEST(!after.active());
    BOOST_TEST(!every.cancel());
    BOOST_TEST(!after.cancel());
    // The handles keep the timers (and their values) until they go.
    every = zctor::timer_handle();
    after = zctor::timer_handle();
    BOOST_TEST(life.alive() == 0);
    BOOST_TEST(life.constructed == life.destroyed);
}

BOOST_AUTO_TEST_CASE(timers_started_before_run_fire_once_it_runs)
{
    record r;
    zctor::engine e(workers(2));
    auto ref = spawn_recorder(e, r);
    zctor::timer_handle once = zctor::send_after(ref, 1ms, marker{});
    zctor::timer_handle every = zctor::send_every(ref, 1ms, tick{});
    BOOST_TEST(once.active());
    BOOST_TEST(every.active());
    e.run();
    BOOST_TEST(wait_until([&] { return r.markers == 1 && r.ticks >= 3; }));
    BOOST_TEST(every.cancel());
    e.stop();
    e.join();
    BOOST_TEST(r.markers == 1);
    BOOST_TEST(!once.active());
}

BOOST_AUTO_TEST_CASE(timers_of_an_embedded_engine)
{
    zctor_test::lifetime life;
    record r;
    zctor::timer_handle every;
    zctor::timer_handle after;
    {
        boost::asio::io_context io;
        std::thread runner;
        {
            zctor::engine e(io);
            auto ref = spawn_recorder(e, r);
            runner = std::thread([&] { io.run(); });
            every = zctor::send_every(ref, 1ms, counted_tick{zctor_test::counted(life)});
            after = zctor::send_after(ref, never, counted_tick{zctor_test::counted(life)});
            BOOST_TEST(wait_until([&] { return r.ticks >= 3; }));
        }              // stops the engine with both timers live
        runner.join(); // the engine has released its work guard
        BOOST_TEST(!every.active());
        BOOST_TEST(!after.active());
        BOOST_TEST(!every.cancel());
        // A timer refers to the application's io_context, like an actor_ref: drop it first.
        every = zctor::timer_handle();
        after = zctor::timer_handle();
    }
    BOOST_TEST(life.alive() == 0);
    r.checks.verify_at_least(2 * 3);
}

BOOST_AUTO_TEST_CASE(timer_of_an_engine_stopped_before_running_is_inactive)
{
    zctor_test::lifetime life;
    {
        std::atomic<int> handled{0};
        zctor::engine e(workers(1));
        auto ref = e.spawn<counted_tick>([&](const counted_tick&) { ++handled; });
        zctor::timer_handle after = zctor::send_after(ref, 1ms, counted_tick{zctor_test::counted(life)});
        zctor::timer_handle every = zctor::send_every(ref, 1ms, counted_tick{zctor_test::counted(life)});
        BOOST_TEST(after.active());
        e.stop(); // never run: the actors stop here and now
        BOOST_TEST(e.stopped());
        BOOST_TEST(ref.stopped());
        BOOST_TEST(!after.active());
        BOOST_TEST(!every.active());
        BOOST_TEST(!after.cancel());
        BOOST_TEST(!every.cancel());
        BOOST_TEST(handled == 0);
    }
    BOOST_TEST(life.alive() == 0);
}

// ---------------------------------------------------------------------------------------------
// Errors, in both forms

BOOST_AUTO_TEST_CASE(empty_reference_is_actor_not_found)
{
    zctor::actor_ref<recorder> none;
    error_code ec;
    zctor::timer_handle h = zctor::send_after(none, 1ms, tick{}, ec);
    BOOST_TEST(ec == error::actor_not_found);
    BOOST_TEST(!h);
    BOOST_TEST(!h.cancel());
    h = zctor::send_every(none, 1ms, tick{}, ec);
    BOOST_TEST(ec == error::actor_not_found);
    BOOST_TEST(!h);
    BOOST_TEST(thrown_code([&] { (void)zctor::send_after(none, 1ms, tick{}); }) == error::actor_not_found);
    BOOST_TEST(thrown_code([&] { (void)zctor::send_every(none, 1ms, tick{}); }) == error::actor_not_found);

    zctor::actor_ref<receives<tick>> no_handler;
    (void)zctor::send_after(no_handler, 1ms, tick{}, ec);
    BOOST_TEST(ec == error::actor_not_found);
    (void)zctor::send_every(no_handler, 1ms, tick{}, ec);
    BOOST_TEST(ec == error::actor_not_found);
    BOOST_TEST(thrown_code([&] { (void)zctor::send_after(no_handler, 1ms, tick{}); }) ==
               error::actor_not_found);
    BOOST_TEST(thrown_code([&] { (void)zctor::send_every(no_handler, 1ms, tick{}); }) ==
               error::actor_not_found);
}

BOOST_AUTO_TEST_CASE(stopped_actor_is_actor_stopped)
{
    record r;
    zctor::engine e(workers(1));
    auto ref = spawn_recorder(e, r);
    e.run();
    ref.stop();
    BOOST_REQUIRE(wait_until([&] { return ref.stopped(); }));
    error_code ec;
    zctor::timer_handle h = zctor::send_after(ref, 1ms, tick{}, ec);
    BOOST_TEST(ec == error::actor_stopped);
    BOOST_TEST(!h);
    h = zctor::send_every(ref, 1ms, tick{}, ec);
    BOOST_TEST(ec == error::actor_stopped);
    BOOST_TEST(!h);
    BOOST_TEST(thrown_code([&] { (void)zctor::send_after(ref, 1ms, tick{}); }) == error::actor_stopped);
    BOOST_TEST(thrown_code([&] { (void)zctor::send_every(ref, 1ms, tick{}); }) == error::actor_stopped);
}

BOOST_AUTO_TEST_CASE(stopped_engine_is_engine_stopped)
{
    record r;
    zctor::engine e(workers(1));
    auto ref = spawn_recorder(e, r);
    e.run();
    e.stop();
    e.join();
    error_code ec;
    zctor::timer_handle h = zctor::send_after(ref, 1ms, tick{}, ec);
    BOOST_TEST(ec == error::engine_stopped);
    BOOST_TEST(!h);
    h = zctor::send_every(ref, 1ms, tick{}, ec);
    BOOST_TEST(ec == error::engine_stopped);
    BOOST_TEST(!h);
    BOOST_TEST(thrown_code([&] { (void)zctor::send_after(ref, 1ms, tick{}); }) == error::engine_stopped);
    BOOST_TEST(thrown_code([&] { (void)zctor::send_every(ref, 1ms, tick{}); }) == error::engine_stopped);
    BOOST_TEST(r.ticks == 0);
}

namespace {

struct ping
{};
struct pong
{};
// Throws when made from an int: the way to a valueless variant. The user-provided copy keeps
// libstdc++ from building it aside first (which would leave the variant never valueless).
struct fragile
{
    fragile() = default;
    fragile(const fragile&) {}
    explicit fragile(int) { throw std::runtime_error("fragile"); }
};
using fragile_variant = std::variant<ping, fragile>;

fragile_variant valueless()
{
    fragile_variant v;
    try
    {
        v.emplace<fragile>(1);
    }
    catch (const std::runtime_error&)
    {}
    return v;
}

} // namespace

BOOST_AUTO_TEST_CASE(valueless_variant_is_invalid_message)
{
    std::atomic<int> handled{0};
    zctor::engine e(workers(1));
    auto ref = e.spawn<fragile_variant>([&](const fragile_variant&) { ++handled; });
    e.run();
    fragile_variant v = valueless();
    BOOST_REQUIRE(v.valueless_by_exception());
    error_code ec;
    zctor::timer_handle h = zctor::send_after(ref, 1ms, v, ec);
    BOOST_TEST(ec == error::invalid_message);
    BOOST_TEST(!h);
    h = zctor::send_every(ref, 1ms, v, ec);
    BOOST_TEST(ec == error::invalid_message);
    BOOST_TEST(!h);
    BOOST_TEST(thrown_code([&] { (void)zctor::send_after(ref, 1ms, v); }) == error::invalid_message);
    BOOST_TEST(thrown_code([&] { (void)zctor::send_every(ref, 1ms, v); }) == error::invalid_message);
    BOOST_TEST(thrown_code([&] { (void)zctor::send_after(ref, 1ms, valueless()); }) ==
               error::invalid_message);
    e.stop();
    e.join();
    BOOST_TEST(handled == 0);
}

BOOST_AUTO_TEST_CASE(send_every_needs_a_positive_interval)
{
    record r;
    zctor::engine e(workers(1));
    auto ref = spawn_recorder(e, r);
    e.run();
    for (const auto interval :
         {std::chrono::steady_clock::duration::zero(), std::chrono::steady_clock::duration(-1),
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(-1h)})
    {
        error_code ec;
        zctor::timer_handle h = zctor::send_every(ref, interval, tick{}, ec);
        BOOST_TEST(ec == boost::system::errc::invalid_argument);
        BOOST_TEST(ec == make_error_code(boost::system::errc::invalid_argument));
        BOOST_TEST(!h);
        BOOST_TEST(thrown_code([&] { (void)zctor::send_every(ref, interval, tick{}); }) ==
                   make_error_code(boost::system::errc::invalid_argument));
    }
    e.stop();
    e.join();
    BOOST_TEST(r.ticks == 0);
}

// ---------------------------------------------------------------------------------------------
// From inside handlers, to variants, and many at once

namespace {

struct inside_state
{
    std::atomic<int> self_ticks{0};
    std::atomic<int> other_ticks{0};
    std::uint64_t self_id = 0;
    std::uint64_t other_id = 0;
    zctor::timer_handle to_other; // written on the starter's strand before `started`
    bool self_timer_ok = false;
    zctor_test::latch started{1};
    remote_checks checks;
};

// Starts a one-shot timer to itself (through ctx.self) and a periodic one to another actor
// (through a stored reference).
class starter
{
public:
    starter(inside_state& s, zctor::actor_ref<receives<tick>> other) noexcept
        : s_(s), other_(std::move(other))
    {}

    void handle(zctor::context& ctx, start)
    {
        s_.self_timer_ok = static_cast<bool>(zctor::send_after(ctx.self<starter>(), 1ms, tick{}));
        s_.to_other = zctor::send_every(other_, 1ms, tick{});
        s_.started.count_down();
    }
    void handle(zctor::context& ctx, tick)
    {
        s_.checks.expect(ctx.get_executor().running_in_this_thread(), "self tick on the starter's strand");
        s_.checks.expect(ctx.id() == s_.self_id, "self tick on the starter");
        ++s_.self_ticks;
    }

private:
    inside_state& s_;
    zctor::actor_ref<receives<tick>> other_;
};

} // namespace

BOOST_AUTO_TEST_CASE(timers_started_inside_handlers)
{
    inside_state s;
    zctor::engine e(workers(2));
    auto other = e.spawn<tick>([&](zctor::context& ctx, tick) {
        s.checks.expect(ctx.get_executor().running_in_this_thread(), "tick on the other actor's strand");
        s.checks.expect(ctx.id() == s.other_id, "tick on the other actor");
        ++s.other_ticks;
    });
    s.other_id = other.id();
    auto ref = e.spawn<starter>(s, other);
    s.self_id = ref.id();
    e.run();
    ref.send(start{});
    BOOST_REQUIRE(s.started.wait());
    BOOST_TEST(s.self_timer_ok);
    BOOST_TEST(wait_until([&] { return s.self_ticks == 1 && s.other_ticks >= 3; }));
    BOOST_TEST(s.to_other.cancel());
    e.stop();
    e.join();
    BOOST_TEST(s.self_ticks == 1);
    s.checks.verify_at_least(2 * 4);
}

BOOST_AUTO_TEST_CASE(timer_to_a_variant_actor_with_an_alternative)
{
    std::atomic<int> pings{0};
    std::atomic<int> pongs{0};
    zctor::engine e(workers(2));
    auto ref = e.spawn<std::variant<ping, pong>>([&](const std::variant<ping, pong>& v) {
        if (std::holds_alternative<ping>(v))
            ++pings;
        else
            ++pongs;
    });
    e.run();
    zctor::timer_handle every = zctor::send_every(ref, 1ms, ping{});
    zctor::timer_handle once = zctor::send_after(ref, 1ms, pong{});
    error_code ec;
    zctor::timer_handle whole = zctor::send_after(ref, 1ms, std::variant<ping, pong>(pong{}), ec);
    BOOST_TEST(!ec);
    BOOST_TEST(wait_until([&] { return pings >= 3 && pongs == 2; }));
    BOOST_TEST(every.cancel());
    e.stop();
    e.join();
    BOOST_TEST(pongs == 2);
}

BOOST_AUTO_TEST_CASE(many_timers_are_each_delivered_exactly_once)
{
    constexpr int timers = 1000;
    constexpr int actors = 4;
    struct item
    {
        int id;
    };
    std::vector<std::atomic<int>> seen(timers);
    zctor_test::latch all(timers);
    remote_checks checks;
    zctor::engine e(workers(2));
    std::vector<zctor::actor_ref<receives<item>>> refs;
    for (int a = 0; a < actors; ++a)
        refs.push_back(e.spawn<item>([&, a](zctor::context& ctx, item it) {
            checks.expect(ctx.get_executor().running_in_this_thread(), "on the actor's strand");
            checks.expect(it.id % actors == a, "on the actor it was sent to");
            ++seen[static_cast<std::size_t>(it.id)];
            all.count_down();
        }));
    e.run();
    std::mt19937 random(20260101);
    std::uniform_int_distribution<int> delay_us(0, 3000);
    std::vector<zctor::timer_handle> handles;
    handles.reserve(timers);
    for (int i = 0; i < timers; ++i)
        handles.push_back(zctor::send_after(refs[static_cast<std::size_t>(i % actors)],
                                            std::chrono::microseconds(delay_us(random)), item{i}));
    BOOST_REQUIRE(all.wait());
    e.stop();
    e.join();
    BOOST_TEST(all.count() == 0); // nothing handled twice
    int wrong = 0;
    for (auto& n : seen)
        wrong += n.load() != 1;
    BOOST_TEST(wrong == 0);
    BOOST_TEST(e.stats().messages_handled == static_cast<std::uint64_t>(timers));
    int still_active = 0;
    for (auto& h : handles)
        still_active += h.active();
    BOOST_TEST(still_active == 0);
    BOOST_TEST(checks.count() == 2 * timers);
    checks.verify_at_least(2 * timers);
}
