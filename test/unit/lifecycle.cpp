//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Lifecycle hooks (on_start before the first message, on_stop after the last, with the reason),
// failure policies (resume, restart, stop) and dead letters, for class and handler actors.
//
#define BOOST_TEST_MODULE zctor_lifecycle
#include <zctor/engine.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <latch>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using boost::system::error_code;
using zctor::error;
using zctor::stop_kind;

struct job
{
    int n = 0;
};

struct ping
{
    using reply_type = int;
};

zctor::engine_config two_workers()
{
    zctor::engine_config c;
    c.thread_count = 2;
    return c;
}

/// What the hooks saw, in order; read after the engine stopped (or under the lock).
struct journal
{
    std::mutex mutex;
    std::vector<std::string> events;
    std::optional<zctor::stop_reason> reason;
    std::atomic<int> stops{0};

    void add(std::string e)
    {
        std::lock_guard lock(mutex);
        events.push_back(std::move(e));
    }
    std::vector<std::string> get()
    {
        std::lock_guard lock(mutex);
        return events;
    }
    void stopped(const zctor::stop_reason& why)
    {
        {
            std::lock_guard lock(mutex);
            events.push_back("stop");
            reason = why;
        }
        ++stops;
    }
};

/// A class actor with both hooks, failing on demand (n < 0 returns false, n == -100 throws).
struct hooked
{
    journal* j;

    void on_start(zctor::context& ctx)
    {
        j->add("start");
        // On the actor's strand, like a handler.
        if (!ctx.get_executor().running_in_this_thread())
            j->add("not on strand");
    }
    bool handle(zctor::context& ctx, job m)
    {
        if (m.n == -100)
            throw std::runtime_error("thrown");
        if (m.n == -1)
        {
            ctx.stop();
            return true;
        }
        j->add("job " + std::to_string(m.n));
        return m.n >= 0;
    }
    void on_stop(zctor::context& ctx, const zctor::stop_reason& why)
    {
        if (!ctx.get_executor().running_in_this_thread())
            j->add("not on strand");
        j->stopped(why);
    }
};

struct stopping_on_failure : hooked
{
    static constexpr zctor::failure_policy on_failure = zctor::failure_policy::stop;
};

} // namespace

BOOST_AUTO_TEST_CASE(on_start_runs_before_the_first_message_and_on_stop_after_the_last)
{
    journal j;
    {
        zctor::engine e(two_workers());
        // Sent before the engine runs: on_start still comes first.
        auto ref = e.spawn<hooked>(hooked{&j});
        ref.send(job{1});
        ref.send(job{2});
        ref.send(job{-1}); // stops itself
        e.run();
        BOOST_TEST(zctor_test::wait_until([&] { return j.stops.load() == 1; }));
        BOOST_TEST(ref.stopped());
    }
    const std::vector<std::string> expected{"start", "job 1", "job 2", "stop"};
    BOOST_TEST(j.get() == expected, boost::test_tools::per_element());
    BOOST_REQUIRE(j.reason);
    BOOST_TEST((j.reason->kind == stop_kind::normal));
    BOOST_TEST(!j.reason->abnormal());
    BOOST_TEST(!j.reason->error);
}

BOOST_AUTO_TEST_CASE(on_start_runs_without_any_message)
{
    journal j;
    zctor::engine e(two_workers());
    e.run();
    e.spawn<hooked>(hooked{&j});
    BOOST_TEST(zctor_test::wait_until([&] { return j.get().size() == 1; }));
    BOOST_TEST(j.get().front() == "start");
}

BOOST_AUTO_TEST_CASE(stopped_through_a_reference_the_reason_is_killed)
{
    journal j;
    zctor::engine e(two_workers());
    e.run();
    auto ref = e.spawn<hooked>(hooked{&j});
    ref.send(job{1});
    ref.stop();
    BOOST_TEST(zctor_test::wait_until([&] { return j.stops.load() == 1; }));
    std::lock_guard lock(j.mutex);
    BOOST_TEST((j.reason->kind == stop_kind::killed));
    BOOST_TEST(j.reason->abnormal());
}

BOOST_AUTO_TEST_CASE(stopped_with_the_engine_the_reason_is_shutdown)
{
    journal j;
    {
        zctor::engine e(two_workers());
        e.run();
        e.spawn<hooked>(hooked{&j});
        BOOST_TEST(zctor_test::wait_until([&] { return j.get().size() == 1; }));
        e.stop();
        e.join();
        BOOST_TEST(j.stops.load() == 1);
    }
    BOOST_TEST((j.reason->kind == stop_kind::shutdown));
    BOOST_TEST(!j.reason->abnormal());
}

BOOST_AUTO_TEST_CASE(an_engine_that_never_ran_runs_no_hook)
{
    journal j;
    {
        zctor::engine e(two_workers());
        e.spawn<hooked>(hooked{&j});
    }
    BOOST_TEST(j.get().empty()); // on_stop pairs with an on_start that never ran
}

BOOST_AUTO_TEST_CASE(failure_policy_stop_carries_the_error_code)
{
    journal j;
    zctor::engine e(two_workers());
    e.run();
    auto ref = e.spawn<stopping_on_failure>(stopping_on_failure{{&j}});
    ref.send(job{-5}); // returns false: handler_failed
    BOOST_TEST(zctor_test::wait_until([&] { return j.stops.load() == 1; }));
    std::lock_guard lock(j.mutex);
    BOOST_TEST((j.reason->kind == stop_kind::failure));
    BOOST_TEST(j.reason->error == error::handler_failed);
    BOOST_TEST(!static_cast<bool>(j.reason->exception));
    BOOST_TEST(ref.stopped());
}

BOOST_AUTO_TEST_CASE(failure_policy_stop_carries_the_exception)
{
    journal j;
    zctor::engine e(two_workers());
    e.run();
    auto ref = e.spawn<stopping_on_failure>(stopping_on_failure{{&j}});
    ref.send(job{-100});
    BOOST_TEST(zctor_test::wait_until([&] { return j.stops.load() == 1; }));
    std::lock_guard lock(j.mutex);
    BOOST_TEST((j.reason->kind == stop_kind::failure));
    BOOST_REQUIRE(static_cast<bool>(j.reason->exception));
    BOOST_CHECK_THROW(std::rethrow_exception(j.reason->exception), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(failure_policy_resume_is_the_default)
{
    journal j;
    zctor::engine e(two_workers());
    e.run();
    auto ref = e.spawn<hooked>(hooked{&j});
    ref.send(job{-5});
    ref.send(job{-100});
    ref.send(job{7});
    BOOST_TEST(zctor_test::wait_until([&] { return j.get().size() == 3; })); // start, job -5, job 7
    BOOST_TEST(!ref.stopped());
    BOOST_TEST(j.stops.load() == 0);
    BOOST_TEST(e.stats().handler_failures == 2u);
}

namespace {

/// Counts its incarnations; its state (a count of messages) must start afresh on restart.
struct restarting
{
    static constexpr zctor::failure_policy on_failure = zctor::failure_policy::restart;

    journal* j;
    std::atomic<int>* incarnations;
    int seen = 0; // this incarnation's messages

    void on_start(zctor::context& ctx)
    {
        ++*incarnations;
        j->add(ctx.has_state() ? "start with stale state" : "start");
        ctx.set_state(std::string("fresh"));
    }
    int handle(zctor::context& ctx, ping)
    {
        return seen * 100 + (ctx.state<std::string>() != nullptr ? 1 : 0);
    }
    void handle(zctor::context& ctx, job m)
    {
        ++seen;
        if (m.n < 0)
        {
            ctx.set_state(std::string("dirty")); // must not survive the restart
            throw std::runtime_error("fail");
        }
    }
    void on_stop(const zctor::stop_reason& why) { j->stopped(why); }
};

} // namespace

BOOST_AUTO_TEST_CASE(failure_policy_restart_gives_a_fresh_object_and_state_behind_the_same_reference)
{
    journal j;
    std::atomic<int> incarnations{0};
    zctor::engine e(two_workers());
    e.run();
    auto ref = e.spawn<restarting>(&j, &incarnations);
    const auto id = ref.id();
    ref.send(job{1});
    ref.send(job{2});
    BOOST_TEST(ref.ask(ping{}, zctor_test::default_timeout) == 201);
    ref.send(job{-1}); // fails: on_stop(failure), a fresh object, on_start
    // The same reference reaches the new incarnation, which has seen nothing yet.
    BOOST_TEST(ref.ask(ping{}, zctor_test::default_timeout) == 1);
    BOOST_TEST(ref.id() == id);
    BOOST_TEST(!ref.stopped());
    BOOST_TEST(incarnations.load() == 2);
    {
        std::lock_guard lock(j.mutex);
        BOOST_TEST(j.stops.load() == 1);
        BOOST_TEST((j.reason->kind == stop_kind::failure));
        BOOST_TEST(static_cast<bool>(j.reason->exception));
    }
    const std::vector<std::string> expected{"start", "stop", "start"};
    BOOST_TEST(j.get() == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(handler_actor_hooks_and_restart)
{
    journal j;
    std::atomic<int> total{0};
    zctor::engine e(two_workers());
    e.run();
    zctor_test::latch after_restart(1);
    int count = 0; // the handler's copy is what counts
    auto ref = e.spawn<job>(
        [count, &total, &after_restart](job m) mutable {
            ++count;
            ++total;
            if (m.n < 0)
                return false;
            if (m.n == 99)
            {
                // The fresh handler is a copy of the original: its count starts again.
                if (count == 1)
                    after_restart.count_down();
            }
            return true;
        },
        zctor::hooks{.on_start = [&](zctor::context&) { j.add("start"); },
                     .on_stop = [&](zctor::context&, const zctor::stop_reason& why) { j.stopped(why); },
                     .on_failure = zctor::failure_policy::restart});
    ref.send(job{1});
    ref.send(job{2});
    ref.send(job{-1});
    ref.send(job{99});
    BOOST_TEST(after_restart.wait());
    BOOST_TEST(total.load() == 4);
    const std::vector<std::string> expected{"start", "stop", "start"};
    BOOST_TEST(j.get() == expected, boost::test_tools::per_element());
    ref.stop();
    BOOST_TEST(zctor_test::wait_until([&] { return j.stops.load() == 2; }));
    std::lock_guard lock(j.mutex);
    BOOST_TEST((j.reason->kind == stop_kind::killed));
}

BOOST_AUTO_TEST_CASE(a_failing_on_start_stops_the_actor_without_on_stop)
{
    journal j;
    std::atomic<int> handled{0};
    std::atomic<int> failures{0};
    zctor::engine_config c = two_workers();
    c.on_failure = [&](const zctor::failure&) { ++failures; };
    zctor::engine e(c);
    auto ref = e.spawn<job>(
        [&](job) { ++handled; },
        zctor::hooks{.on_start = [](zctor::context&) { throw std::runtime_error("no"); },
                     .on_stop = [&](zctor::context&, const zctor::stop_reason& why) { j.stopped(why); }});
    ref.send(job{1});
    ref.send(job{2});
    e.run();
    BOOST_TEST(zctor_test::wait_until([&] { return ref.stopped(); }));
    BOOST_TEST(zctor_test::wait_until([&] { return e.stats().actors_stopped == 1u; }));
    BOOST_TEST(handled.load() == 0);
    BOOST_TEST(j.stops.load() == 0);
    BOOST_TEST(failures.load() == 1);
    BOOST_TEST(e.stats().messages_dropped == 2u); // the two queued messages: dead letters
}

BOOST_AUTO_TEST_CASE(restart_of_a_move_only_handler_is_refused_at_spawn)
{
    zctor::engine e(two_workers());
    auto owned = std::make_unique<int>(1);
    error_code ec;
    auto ref = e.spawn<job>(
        ec, [p = std::move(owned)](job) {}, zctor::hooks{.on_failure = zctor::failure_policy::restart});
    BOOST_TEST(ec == error::invalid_configuration);
    BOOST_TEST(!ref);
    e.spawn<job>(
        ec, [](job) {}, zctor::hooks{.on_failure = static_cast<zctor::failure_policy>(42)});
    BOOST_TEST(ec == error::invalid_configuration);
}

// Dead letters --------------------------------------------------------------------------------

namespace {

struct letters
{
    std::mutex mutex;
    std::vector<int> jobs;
    std::vector<std::string> types;
    std::uint64_t actor = 0;
};

} // namespace

BOOST_AUTO_TEST_CASE(messages_left_in_a_stopped_actors_mailbox_are_dead_letters)
{
    letters dl;
    zctor::engine_config c = two_workers();
    c.on_dead_letter = [&](const zctor::dead_letter& d) {
        std::lock_guard lock(dl.mutex);
        dl.actor = d.actor_id;
        dl.types.push_back(d.type_name());
        if (const job* m = d.get<job>())
            dl.jobs.push_back(m->n);
        BOOST_ASSERT(d.get<ping>() == nullptr);
    };
    zctor::engine e(c);
    e.run();
    std::latch entered(1), release(1);
    std::atomic<int> handled{0};
    auto ref = e.spawn<job>([&](zctor::context& ctx, job m) {
        ++handled;
        if (m.n == 0)
        {
            entered.count_down();
            release.wait();
            ctx.stop(); // after this message: 1..5 stay queued
        }
    });
    ref.send(job{0});
    entered.wait();
    for (int i = 1; i <= 5; ++i)
        ref.send(job{i});
    release.count_down();
    BOOST_TEST(zctor_test::wait_until([&] { return e.stats().actors_stopped == 1u; }));
    // Sends to a stopped actor are refused, not dead letters.
    error_code ec;
    ref.send(job{6}, ec);
    BOOST_TEST(ec == error::actor_stopped);
    BOOST_TEST(handled.load() == 1);
    BOOST_TEST(e.stats().messages_dropped == 5u);
    std::lock_guard lock(dl.mutex);
    const std::vector<int> expected{1, 2, 3, 4, 5};
    BOOST_TEST(dl.jobs == expected, boost::test_tools::per_element());
    BOOST_TEST(dl.actor == ref.id());
    BOOST_REQUIRE(dl.types.size() == 5u);
    BOOST_TEST(dl.types.front().find("job") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_ask_to_a_stopped_actor_fails_fast_and_a_queued_one_is_a_dead_letter)
{
    std::atomic<int> dead{0};
    zctor::engine_config c = two_workers();
    c.on_dead_letter = [&](const zctor::dead_letter& d) {
        if (d.get<ping>() != nullptr)
            ++dead;
    };
    zctor::engine e(c);
    e.run();
    std::latch entered(1), release(1);
    struct gate
    {
        std::latch* entered;
        std::latch* release;
        void handle(job)
        {
            entered->count_down();
            release->wait();
        }
        int handle(ping) { return 1; }
    };
    auto ref = e.spawn<gate>(gate{&entered, &release});
    ref.send(job{});
    entered.wait();
    std::atomic<int> broken{0};
    ref.async_ask(ping{}, zctor_test::default_timeout, [&](error_code ec, int) {
        if (ec == error::broken_promise)
            ++broken;
    });
    ref.stop();
    release.count_down();
    BOOST_TEST(zctor_test::wait_until([&] { return broken.load() == 1; }));
    BOOST_TEST(dead.load() == 1);
    error_code ec;
    (void)ref.ask(ping{}, zctor_test::default_timeout, ec);
    BOOST_TEST(ec == error::actor_stopped);
}

BOOST_AUTO_TEST_CASE(shutdown_with_drop_makes_dead_letters_counted_once_each)
{
    std::atomic<int> dead{0};
    zctor::engine_config c = two_workers();
    c.shutdown = zctor::shutdown_policy::drop;
    c.on_dead_letter = [&](const zctor::dead_letter&) { ++dead; };
    std::uint64_t dropped = 0;
    std::atomic<int> handled{0};
    {
        zctor::engine e(c);
        std::latch entered(1), release(1);
        auto ref = e.spawn<job>([&](job m) {
            ++handled;
            if (m.n == 0)
            {
                entered.count_down();
                release.wait();
            }
        });
        for (int i = 0; i <= 100; ++i)
            ref.send(job{i});
        e.run();
        entered.wait();
        e.stop();
        release.count_down();
        e.join();
        dropped = e.stats().messages_dropped;
    }
    BOOST_TEST(dropped == static_cast<std::uint64_t>(dead.load()));
    BOOST_TEST(static_cast<int>(dropped) + handled.load() == 101);
}
