//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#define BOOST_TEST_MODULE zctor_context
// Test that the header file is self-contained.
#include <zctor/context.hpp>
// Other headers, to run handlers that are given a context.
#include <zctor/engine.hpp>
#include <zctor/error.hpp>
#include <zctor_test/checks.hpp>
#include <zctor_test/wait.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using zctor_test::remote_checks;
using zctor_test::workers;

using zctor::error;
using zctor::receives;
using zctor_test::wait_until;

// The error code of what `f` throws; success if it throws nothing.
template <class F>
boost::system::error_code thrown_code(F&& f)
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

struct where
{
    std::size_t slot;
};

} // namespace

BOOST_AUTO_TEST_CASE(worker_index_id_engine_and_executor)
{
    constexpr std::size_t actors = 6;
    struct seen
    {
        std::size_t worker = 0;
        std::uint64_t id = 0;
    };
    std::vector<seen> got(actors); // slot i written only by actor i, read after the latch
    remote_checks checks;
    zctor_test::latch done(actors);
    zctor::engine eng(workers(3));
    std::vector<zctor::actor_ref<receives<where>>> refs;
    for (std::size_t i = 0; i < actors; ++i)
    {
        refs.push_back(eng.spawn<where>([&](zctor::context& ctx, where w) {
            got[w.slot] = {ctx.worker_index(), ctx.id()};
            checks.expect(ctx.worker_index() < ctx.get_engine().worker_count(), "worker_index in range");
            checks.expect(&ctx.get_engine() == &eng, "get_engine is the spawning engine");
            checks.expect(ctx.get_executor().running_in_this_thread(), "handler runs on the strand");
            checks.expect(eng.get_executor(ctx.worker_index()).running_in_this_thread(),
                          "handler runs on its worker's thread");
            done.count_down();
        }));
    }
    for (std::size_t i = 0; i < actors; ++i)
        refs[i].send(where{i});
    eng.run();
    BOOST_REQUIRE(done.wait());
    eng.stop();
    eng.join();
    checks.verify(4 * static_cast<int>(actors));
    for (std::size_t i = 0; i < actors; ++i)
    {
        BOOST_TEST(got[i].worker == refs[i].worker_index());
        BOOST_TEST(got[i].id == refs[i].id());
    }
}

BOOST_AUTO_TEST_CASE(each_actor_has_its_own_strand)
{
    // One worker: both actors share its thread and io_context, but not their strand.
    std::optional<zctor::context::executor_type> b_strand; // written by b, read by a afterwards
    zctor_test::latch b_done(1);
    zctor_test::latch a_done(1);
    remote_checks checks;
    zctor::engine eng(workers(1));
    // A strand must not outlive its io_context: stop the engine, then drop the copy, however the
    // test ends (the engine's io_context goes with the engine).
    struct drop_strand_copy
    {
        zctor::engine& eng;
        std::optional<zctor::context::executor_type>& copy;
        ~drop_strand_copy()
        {
            boost::system::error_code ignored;
            eng.stop();
            eng.join(ignored);
            copy.reset();
        }
    } guard{eng, b_strand};
    auto b = eng.spawn<int>([&](zctor::context& ctx, int) {
        b_strand.emplace(ctx.get_executor());
        b_done.count_down();
    });
    auto a = eng.spawn<std::string>([&](zctor::context& ctx, std::string) {
        checks.expect(ctx.get_executor().running_in_this_thread(), "a runs on its strand");
        checks.expect(!b_strand->running_in_this_thread(), "a does not run on b's strand");
        checks.expect(ctx.get_executor() != *b_strand, "the strands differ");
        a_done.count_down();
    });
    eng.run();
    b.send(1);
    BOOST_REQUIRE(b_done.wait());
    a.send(std::string("go"));
    BOOST_REQUIRE(a_done.wait());
    checks.verify(3);
}

BOOST_AUTO_TEST_CASE(timer_on_the_executor_completes_on_the_strand)
{
    remote_checks checks;
    zctor_test::latch fired(1);
    zctor::engine eng(workers(2));
    auto ref = eng.spawn<int>([&](zctor::context& ctx, int) {
        auto timer =
            std::make_shared<boost::asio::steady_timer>(ctx.get_executor(), std::chrono::milliseconds(1));
        timer->async_wait([&, timer, strand = ctx.get_executor()](const boost::system::error_code& ec) {
            checks.expect(!ec, "the timer expired");
            checks.expect(strand.running_in_this_thread(), "completion on the actor's strand");
            fired.count_down();
        });
    });
    eng.run();
    ref.send(1);
    BOOST_REQUIRE(fired.wait());
    checks.verify(2);
}

namespace {

// Shared by an actor's handlers and its timer completions: detects any two running at once.
struct overlap_probe
{
    std::atomic<bool> busy{false};
    std::atomic<int> overlaps{0};
    std::atomic<int> off_strand{0};
    std::atomic<int> handled{0};
    std::atomic<int> fired{0};

    void enter()
    {
        if (busy.exchange(true))
            ++overlaps;
    }
    void leave() { busy = false; }

    // Widens the window in which an overlapping handler would be caught.
    static void linger()
    {
        volatile int sink = 0;
        for (int i = 0; i < 200; ++i)
            sink = sink + i;
    }
};

// Re-arms the actor's timer (its state) until it has fired `limit` times.
struct timer_loop
{
    boost::asio::steady_timer* timer;
    zctor::context::executor_type strand;
    overlap_probe* probe;
    int limit;

    void operator()(const boost::system::error_code& ec) const
    {
        probe->enter();
        if (!strand.running_in_this_thread())
            ++probe->off_strand;
        const int n = ++probe->fired;
        probe->linger();
        probe->leave();
        if (!ec && n < limit)
            arm();
    }

    void arm() const
    {
        timer->expires_after(std::chrono::microseconds(50));
        timer->async_wait(*this);
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(timer_completions_never_overlap_handlers)
{
    // An io_context run by several threads: only the strand keeps the actor's work serial.
    constexpr int senders = 2;
    constexpr int min_per_sender = 2'000;
    constexpr int timer_fires = 200;
    boost::asio::io_context io;
    std::optional<zctor::engine> eng(std::in_place, io);
    overlap_probe probe;
    auto ref = eng->spawn<int>([&](zctor::context& ctx, int n) {
        probe.enter();
        if (!ctx.get_executor().running_in_this_thread())
            ++probe.off_strand;
        if (n < 0) // the first message starts the timer loop
        {
            auto& timer = ctx.emplace_state<boost::asio::steady_timer>(ctx.get_executor());
            timer_loop{&timer, ctx.get_executor(), &probe, timer_fires}.arm();
        }
        else
        {
            ++probe.handled;
        }
        probe.linger();
        probe.leave();
    });
    ref.send(-1);

    std::vector<std::thread> runners;
    for (int i = 0; i < 3; ++i)
        runners.emplace_back([&] { io.run(); });
    // The senders keep sending until the timer loop has finished, so that timer completions and
    // handlers compete for the strand the whole time. Every message sent is counted.
    std::atomic<int> sent{0};
    const auto deadline = std::chrono::steady_clock::now() + zctor_test::default_timeout;
    std::vector<std::thread> flood;
    for (int s = 0; s < senders; ++s)
        flood.emplace_back([&] {
            for (int i = 0; (i < min_per_sender || probe.fired < timer_fires) &&
                            std::chrono::steady_clock::now() < deadline;
                 ++i)
            {
                ref.send(i);
                ++sent;
                // Bound the backlog: the point is contention, not memory.
                while (sent - probe.handled > 1000 && std::chrono::steady_clock::now() < deadline)
                    std::this_thread::yield();
            }
        });
    for (auto& t : flood)
        t.join();

    const bool all = wait_until([&] { return probe.handled == sent && probe.fired == timer_fires; });
    eng->stop();
    const bool stopped = wait_until([&] { return eng->stopped(); });
    if (!stopped)
        io.stop(); // do not leave the runners blocked
    for (auto& t : runners)
        t.join();
    eng.reset();

    BOOST_TEST(all);
    BOOST_TEST(stopped);
    BOOST_TEST(sent >= senders * min_per_sender);
    BOOST_TEST(probe.handled == sent);
    BOOST_TEST(probe.fired == timer_fires);
    BOOST_TEST(probe.overlaps == 0);
    BOOST_TEST(probe.off_strand == 0);
}

namespace {

struct ask_self
{};

class selfish
{
public:
    struct results
    {
        std::mutex mutex;
        std::vector<zctor::actor_ref<selfish>> refs;
        remote_checks checks;
        zctor_test::latch done{2};
    };

    explicit selfish(results& r) : r_(&r) {}

    void handle(zctor::context& ctx, ask_self)
    {
        auto me = ctx.self<selfish>();
        {
            std::lock_guard lock(r_->mutex);
            r_->refs.push_back(me);
        }
        r_->checks.expect(me.id() == ctx.id(), "self().id() is the context's id");
        r_->checks.expect(thrown_code([&] { ctx.self<receives<ask_self>>(); }) == error::invalid_message,
                          "self<receives<...>> of a class actor throws invalid_message");
        r_->checks.expect(thrown_code([&] { ctx.self<results>(); }) == error::invalid_message,
                          "self<unrelated class> throws invalid_message");
        if (r_->refs.size() == 1)
            me.send(ask_self{}); // the reference works: the actor gets a second message
        r_->done.count_down();
    }

private:
    results* r_;
};

} // namespace

BOOST_AUTO_TEST_CASE(self_returns_this_actors_reference)
{
    selfish::results r;
    std::optional<zctor::actor_ref<receives<where>>> handler_self;
    remote_checks handler_checks;
    zctor_test::latch handler_done(2);
    zctor::engine eng(workers(2));
    auto ref = eng.spawn<selfish>(r);
    auto handler_ref = eng.spawn<where>([&](zctor::context& ctx, where w) {
        if (w.slot == 1) // the message sent through self()
        {
            handler_done.count_down();
            return;
        }
        handler_self.emplace(ctx.self<receives<where>>());
        handler_self->send(where{1}); // the reference works
        handler_checks.expect(thrown_code([&] { ctx.self<selfish>(); }) == error::invalid_message,
                              "self<a class> of a handler actor throws invalid_message");
        handler_checks.expect(thrown_code([&] { ctx.self<receives<int>>(); }) == error::invalid_message,
                              "self<receives<another message>> throws invalid_message");
        handler_done.count_down();
    });

    eng.run();
    ref.send(ask_self{});
    handler_ref.send(where{0});
    BOOST_REQUIRE(r.done.wait());
    BOOST_REQUIRE(handler_done.wait());
    eng.stop();
    eng.join();

    BOOST_TEST(r.refs.size() == 2u);
    for (const auto& me : r.refs)
        BOOST_TEST((me == ref));
    r.checks.verify(3 * 2);
    BOOST_REQUIRE(handler_self.has_value());
    BOOST_TEST((*handler_self == handler_ref));
    handler_checks.verify(2);
}

namespace {

struct ping
{
    int n;
};
struct pong
{};
struct unrouted
{};
struct go
{};

struct pong_sink
{
    using messages = receives<pong>; // routed: send/publish by type reach it
    std::atomic<int>* pongs;
    zctor_test::latch* done;
    void handle(pong)
    {
        ++*pongs;
        done->count_down();
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(send_and_publish_route_by_type)
{
    std::mutex mutex;
    std::vector<int> got_a, got_b; // under mutex
    std::atomic<int> pongs{0};
    zctor_test::latch done(5); // ping 1, ping 2 twice, ping 3, pong
    zctor::engine eng(workers(2));
    auto a = eng.spawn<ping>([&](ping p) {
        {
            std::lock_guard lock(mutex);
            got_a.push_back(p.n);
        }
        done.count_down();
    });
    auto b = eng.spawn<ping>([&](ping p) {
        {
            std::lock_guard lock(mutex);
            got_b.push_back(p.n);
        }
        done.count_down();
    });
    eng.spawn<pong_sink>(pong_sink{&pongs, &done});

    remote_checks checks;
    zctor_test::latch driver_done(1);
    auto driver = eng.spawn<go>([&](zctor::context& ctx, go) {
        boost::system::error_code ec;
        ctx.send(ping{1}, ec);
        checks.expect(!ec, "send(ping) succeeds");
        checks.expect(ctx.publish(ping{2}) == 2u, "publish(ping) reaches both ping actors");
        ctx.send<ping>(ping{3});
        ctx.send(pong{});

        ctx.send(unrouted{}, ec);
        checks.expect(ec == error::actor_not_found, "send(unrouted) gives actor_not_found");
        checks.expect(thrown_code([&] { ctx.send(unrouted{}); }) == error::actor_not_found,
                      "throwing send(unrouted) throws actor_not_found");
        checks.expect(ctx.publish(unrouted{}, ec) == 0u, "publish(unrouted) reaches nobody");
        checks.expect(ec == error::actor_not_found, "publish(unrouted) gives actor_not_found");
        driver_done.count_down();
    });
    eng.run();
    driver.send(go{});
    BOOST_REQUIRE(driver_done.wait());
    BOOST_REQUIRE(done.wait());
    eng.stop();
    eng.join();

    checks.verify(6);
    BOOST_TEST(pongs == 1);
    BOOST_TEST(got_a.size() + got_b.size() == 4u);
    BOOST_TEST(std::count(got_a.begin(), got_a.end(), 2) == 1); // publish: each exactly once
    BOOST_TEST(std::count(got_b.begin(), got_b.end(), 2) == 1);
    const auto sent_to_one = [&](int n) {
        return std::count(got_a.begin(), got_a.end(), n) + std::count(got_b.begin(), got_b.end(), n);
    };
    BOOST_TEST(sent_to_one(1) == 1); // send: exactly one of them
    BOOST_TEST(sent_to_one(3) == 1);
    BOOST_TEST(done.count() == 0); // nothing delivered twice
}

namespace {

struct child_msg
{
    int n;
};

struct child_class
{
    std::atomic<int>* got;
    zctor_test::latch* done;
    void handle(zctor::context&, child_msg m)
    {
        *got = m.n;
        done->count_down();
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(spawn_a_child_from_a_handler)
{
    std::atomic<int> got_handler{0};
    std::atomic<int> got_class{0};
    std::atomic<std::uint64_t> parent_id{0};
    std::atomic<std::uint64_t> child_id{0};
    zctor_test::latch done(2);
    remote_checks checks;
    zctor::engine eng(workers(2));

    auto parent = eng.spawn<go>([&](zctor::context& ctx, go) {
        parent_id = ctx.id();
        auto child = ctx.spawn<child_msg>([&](zctor::context& child_ctx, child_msg m) {
            child_id = child_ctx.id();
            got_handler = m.n;
            done.count_down();
        });
        checks.expect(static_cast<bool>(child) && !child.stopped(), "the child is running");
        child.send(child_msg{7});
        auto class_child = ctx.spawn<child_class>(child_class{&got_class, &done});
        class_child.send(child_msg{8});
    });
    eng.run();
    parent.send(go{});
    BOOST_REQUIRE(done.wait());
    eng.stop();
    eng.join();

    checks.verify(1);
    BOOST_TEST(got_handler == 7);
    BOOST_TEST(got_class == 8);
    BOOST_TEST(child_id.load() != 0u);
    BOOST_TEST(child_id.load() != parent_id.load());
    BOOST_TEST(eng.stats().actors_spawned == 3u);
    BOOST_TEST(eng.stats().actors_stopped == 3u); // the engine's stop reached the children too
}

BOOST_AUTO_TEST_CASE(stop_from_a_handler_ends_the_actor_after_the_current_message)
{
    constexpr int queued = 10;
    std::atomic<int> handled{0};
    std::atomic<bool> ran_after_stop{false};
    remote_checks checks;
    zctor::engine eng(workers(2));
    auto ref = eng.spawn<int>([&](zctor::context& ctx, int n) {
        ++handled;
        if (n == 0)
        {
            ctx.stop();
            // The current handler finishes normally; the actor is not stopped yet.
            checks.expect(!ctx.self<receives<int>>().stopped(), "still running during the handler");
            ran_after_stop = true;
        }
    });
    for (int i = 0; i < queued; ++i)
        ref.send(i); // all queued before the actor runs
    eng.run();
    BOOST_REQUIRE(wait_until([&] { return eng.stats().actors_stopped == 1u; }));
    BOOST_TEST(ref.stopped());

    boost::system::error_code ec;
    ref.send(100, ec);
    BOOST_TEST((ec == error::actor_stopped));
    BOOST_TEST((thrown_code([&] { ref.send(101); }) == error::actor_stopped));

    eng.stop();
    eng.join();
    checks.verify(1);
    BOOST_TEST(ran_after_stop);
    BOOST_TEST(handled == 1);
    const auto stats = eng.stats();
    BOOST_TEST(stats.messages_handled == 1u);
    BOOST_TEST(stats.messages_dropped == static_cast<std::uint64_t>(queued - 1)); // every one accounted
    BOOST_TEST(stats.actors_stopped == 1u);
}

namespace {

struct base
{
    int b = 1;
};
struct derived : base
{
    int d = 2;
};

} // namespace

// A state with invariants: the counter never passes its maximum (the book's state validation).
struct bounded_counter
{
    int counter = 0;
    int max_value = 2;
    bool validate() const { return counter <= max_value; }
};

// Runs 4 increments of a bounded_counter state on an actor with `validate_state`, and returns
// the failures reported (code per message), the handler calls and the failures counted.
struct validation_run
{
    std::vector<boost::system::error_code> reported;
    std::uint64_t handled = 0;
    std::uint64_t failures = 0;
};

validation_run run_state_validation(bool validate_state)
{
    validation_run out;
    std::mutex mutex;
    zctor_test::latch done(4);
    {
        auto config = workers(1);
        config.on_failure = [&](const zctor::failure& f) {
            std::lock_guard lock(mutex);
            out.reported.push_back(f.error);
        };
        zctor::engine eng(config);
        auto ref = eng.spawn<int>(zctor::actor_config{.validate_state = validate_state},
                                  [&](zctor::context& ctx, int) {
                                      if (!ctx.has_state())
                                          ctx.emplace_state<bounded_counter>();
                                      ++ctx.state_ref<bounded_counter>().counter; // 1, 2, 3, 4
                                      done.count_down();
                                  });
        eng.run();
        for (int i = 0; i < 4; ++i)
            ref.send(i);
        BOOST_TEST_REQUIRE(done.wait());
        eng.stop();
        eng.join();
        out.handled = eng.stats().messages_handled;
        out.failures = eng.stats().handler_failures;
    }
    return out;
}

BOOST_AUTO_TEST_CASE(state_validation_fails_messages_that_break_the_invariants_in_debug_builds)
{
    const validation_run on = run_state_validation(true);
    BOOST_TEST(on.handled == 4u);
#ifndef NDEBUG
    // Increments 3 and 4 leave counter > max_value: each of those messages failed.
    BOOST_TEST(on.failures == 2u);
    BOOST_TEST_REQUIRE(on.reported.size() == 2u);
    for (const auto& ec : on.reported)
        BOOST_TEST(ec == error::state_corrupted);
#else
    // Release builds never check.
    BOOST_TEST(on.failures == 0u);
    BOOST_TEST(on.reported.empty());
#endif
}

BOOST_AUTO_TEST_CASE(state_validation_can_be_turned_off_per_actor)
{
    const validation_run off = run_state_validation(false);
    BOOST_TEST(off.handled == 4u);
    BOOST_TEST(off.failures == 0u);
    BOOST_TEST(off.reported.empty());
}

BOOST_AUTO_TEST_CASE(typed_state)
{
    remote_checks checks;
    zctor_test::latch done(2);
    zctor::engine eng(workers(1));
    auto ref = eng.spawn<int>([&](zctor::context& ctx, int step) {
        auto expect = [&](bool ok, const char* what) {
            checks.expect(ok, std::to_string(step) + ": " + what);
        };
        if (step == 0)
        {
            expect(!ctx.has_state(), "no state at first");
            expect(ctx.state<int>() == nullptr, "state<int>() null when unset");
            expect(thrown_code([&] { ctx.state_ref<int>(); }) == error::state_corrupted,
                   "state_ref when unset throws state_corrupted");

            int& i = ctx.emplace_state<int>(5);
            expect(i == 5, "emplace_state returns the value");
            expect(ctx.has_state(), "has_state after emplace");
            expect(ctx.state<int>() == &i, "state<int>() is the emplaced object");
            expect(&ctx.state_ref<int>() == &i, "state_ref<int>() is the emplaced object");
            expect(ctx.state<long>() == nullptr, "state<long>() null for an int");
            expect(ctx.state<unsigned>() == nullptr, "state<unsigned>() null for an int");
            expect(thrown_code([&] { ctx.state_ref<long>(); }) == error::state_corrupted,
                   "state_ref<long> of an int throws state_corrupted");
            ++i; // kept for the next message
        }
        else
        {
            expect(ctx.state<int>() != nullptr && *ctx.state<int>() == 6, "state kept between messages");

            std::string& s = ctx.set_state(std::string("text"));
            expect(s == "text", "set_state returns the value");
            expect(ctx.state<int>() == nullptr, "set_state replaced the int");
            expect(ctx.state<std::string>() == &s, "state<std::string>() after set_state");

            ctx.emplace_state<derived>();
            expect(ctx.state<derived>() != nullptr && ctx.state<derived>()->d == 2, "state<derived>()");
            expect(ctx.state<base>() == nullptr, "no cast to a base class");

            ctx.reset_state();
            expect(!ctx.has_state(), "no state after reset_state");
            expect(ctx.state<derived>() == nullptr, "state<derived>() null after reset");
            ctx.reset_state(); // harmless when empty
            expect(!ctx.has_state(), "reset_state twice");
        }
        done.count_down();
    });
    ref.send(0);
    ref.send(1);
    eng.run();
    BOOST_REQUIRE(done.wait());
    checks.verify(10 + 9);
}

BOOST_AUTO_TEST_CASE(state_is_destroyed_exactly_once)
{
    // Declared before the engine: the state destroyed at its stop reports to them.
    zctor_test::lifetime replaced, by_set, reset, on_actor_stop, on_engine_stop;
    remote_checks checks;
    zctor_test::latch done(2);
    zctor::engine eng(workers(2));

    // Replaced and reset state.
    auto a = eng.spawn<int>([&](zctor::context& ctx, int) {
        ctx.emplace_state<zctor_test::counted>(replaced, 1);
        ctx.emplace_state<zctor_test::counted>(by_set, 2);
        checks.expect(replaced.destroyed == 1, "emplace_state destroys the previous state");
        ctx.set_state(zctor_test::counted(reset, 3));
        checks.expect(by_set.destroyed == 1, "set_state destroys the previous state");
        checks.expect(reset.alive() == 1, "set_state keeps exactly one object");
        ctx.reset_state();
        checks.expect(reset.destroyed == 1, "reset_state destroys the state");
        ctx.reset_state();
        checks.expect(reset.destroyed == 1, "a second reset_state destroys nothing");
        done.count_down();
    });
    // State that lives until the actor stops.
    auto b = eng.spawn<int>([&](zctor::context& ctx, int) {
        ctx.emplace_state<zctor_test::counted>(on_actor_stop, 4);
        done.count_down();
    });
    // State that lives until the engine stops.
    auto c = eng.spawn<int>(
        [&](zctor::context& ctx, int) { ctx.emplace_state<zctor_test::counted>(on_engine_stop, 5); });
    a.send(0);
    b.send(0);
    c.send(0);
    eng.run();
    BOOST_REQUIRE(done.wait());
    BOOST_REQUIRE(wait_until([&] { return on_engine_stop.constructed == 1; }));

    b.stop();
    BOOST_REQUIRE(wait_until([&] { return on_actor_stop.destroyed == 1; }));
    BOOST_TEST(on_engine_stop.alive() == 1); // the other actor keeps its state

    eng.stop();
    eng.join();
    BOOST_TEST(on_engine_stop.destroyed == 1);

    // Dropping the last references frees the actors, without destroying any state again.
    a = {};
    b = {};
    c = {};
    checks.verify(5);
    for (auto* l : {&replaced, &by_set, &reset, &on_actor_stop, &on_engine_stop})
    {
        BOOST_TEST(l->constructed == 1);
        BOOST_TEST(l->destroyed == 1);
    }
}

namespace {

struct job
{
    int kind; // 0 succeeds, 1 returns an io_error, 2 throws, 3 returns zctor's timed_out
};

struct flaky
{
    bool handle(int n)
    {
        if (n == 1)
            throw std::logic_error("flaky");
        return n != 2; // 2 fails by returning false
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(handler_failures_are_counted_and_reported)
{
    std::mutex mutex;
    std::vector<zctor::failure> failures; // under mutex
    std::atomic<int> reported_on_main{0};
    const auto main_thread = std::this_thread::get_id();
    zctor::engine_config config = workers(2);
    config.on_failure = [&](const zctor::failure& f) {
        if (std::this_thread::get_id() == main_thread)
            ++reported_on_main;
        std::lock_guard lock(mutex);
        failures.push_back(f);
    };
    std::atomic<int> code_ok{0};
    std::atomic<int> bool_ok{0};
    zctor::engine eng(config);

    auto code_actor = eng.spawn<job>([&](job j) -> boost::system::error_code {
        switch (j.kind)
        {
        case 1: return boost::system::errc::make_error_code(boost::system::errc::io_error);
        case 2: throw std::runtime_error("boom");
        case 3: return error::timed_out;
        default: ++code_ok; return {};
        }
    });
    auto bool_actor = eng.spawn<bool>([&](bool ok) {
        if (ok)
            ++bool_ok;
        return ok;
    });
    auto class_actor = eng.spawn<flaky>();

    for (int kind : {0, 1, 0, 2, 0, 3, 0})
        code_actor.send(job{kind});
    for (bool ok : {true, false, true})
        bool_actor.send(ok);
    for (int n : {0, 1, 2, 3})
        class_actor.send(n);
    eng.run();

    BOOST_REQUIRE(wait_until([&] {
        const auto s = eng.stats();
        return s.messages_handled == 14u && s.handler_failures == 6u;
    }));
    // The actors kept handling after their failures.
    BOOST_TEST(code_ok == 4);
    BOOST_TEST(bool_ok == 2);
    BOOST_TEST(!code_actor.stopped());
    BOOST_TEST(!bool_actor.stopped());
    BOOST_TEST(!class_actor.stopped());

    eng.stop();
    eng.join();
    BOOST_TEST(eng.stats().handler_failures == 6u);
    BOOST_TEST(reported_on_main == 0);

    // Each actor's failures, in the order of its messages.
    auto of = [&](std::uint64_t id) {
        std::vector<zctor::failure> out;
        for (const auto& f : failures)
            if (f.actor_id == id)
                out.push_back(f);
        return out;
    };
    BOOST_TEST(failures.size() == 6u);

    const auto code_failures = of(code_actor.id());
    BOOST_REQUIRE(code_failures.size() == 3u);
    BOOST_TEST((code_failures[0].error == boost::system::errc::io_error)); // the handler's own code
    BOOST_TEST(!code_failures[0].exception);
    BOOST_TEST((code_failures[1].error == error::handler_failed)); // what it threw
    BOOST_REQUIRE(code_failures[1].exception);
    BOOST_CHECK_THROW(std::rethrow_exception(code_failures[1].exception), std::runtime_error);
    BOOST_TEST((code_failures[2].error == error::timed_out));
    BOOST_TEST(!code_failures[2].exception);

    const auto bool_failures = of(bool_actor.id());
    BOOST_REQUIRE(bool_failures.size() == 1u);
    BOOST_TEST((bool_failures[0].error == error::handler_failed)); // it returned false
    BOOST_TEST(!bool_failures[0].exception);

    const auto class_failures = of(class_actor.id());
    BOOST_REQUIRE(class_failures.size() == 2u);
    BOOST_TEST((class_failures[0].error == error::handler_failed));
    BOOST_REQUIRE(class_failures[0].exception);
    BOOST_CHECK_THROW(std::rethrow_exception(class_failures[0].exception), std::logic_error);
    BOOST_TEST((class_failures[1].error == error::handler_failed));
    BOOST_TEST(!class_failures[1].exception);
}

namespace {

// Copying it throws: sending an lvalue of it fails while the message is being built.
struct copy_throws
{
    copy_throws() = default;
    copy_throws(const copy_throws&) { throw std::runtime_error("copy_throws"); }
    copy_throws(copy_throws&&) = default;
};

} // namespace

// Building the message may throw (here the copy constructor): the exception reaches the handler,
// as with engine::send, instead of terminating the process.
BOOST_AUTO_TEST_CASE(send_with_error_code_survives_a_throwing_message_copy)
{
    std::atomic<int> send_survived{0};
    std::atomic<int> publish_survived{0};
    zctor_test::latch done(1);
    zctor::engine eng(workers(1));
    eng.spawn<copy_throws>([](copy_throws) {});
    auto ref = eng.spawn<int>([&](zctor::context& ctx, int) {
        const copy_throws value;
        boost::system::error_code ec;
        try
        {
            ctx.send(value, ec);
            if (ec)
                ++send_survived;
        }
        catch (const std::runtime_error&)
        {
            ++send_survived;
        }
        try
        {
            ctx.publish(value, ec);
            if (ec)
                ++publish_survived;
        }
        catch (const std::runtime_error&)
        {
            ++publish_survived;
        }
        done.count_down();
    });
    eng.run();
    ref.send(1);
    BOOST_REQUIRE(done.wait());
    BOOST_TEST(send_survived == 1);
    BOOST_TEST(publish_survived == 1);
}
