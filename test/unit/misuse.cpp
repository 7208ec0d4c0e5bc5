//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Bad input and misuse at every public entry point: each gives a clear error, none crashes or
// hangs. Every case runs under a watchdog that aborts the run, naming the case, if it hangs.
// (Cases already proven elsewhere are not repeated: configuration fields in config.cpp, life
// cycle order in engine.cpp, empty and stopped references in actor_ref.cpp, wrong state and
// self() types in context.cpp.)
//
#define BOOST_TEST_MODULE zctor_misuse
#include <zctor/engine.hpp>
#include <zctor_test/checks.hpp>
#include <zctor_test/wait.hpp>
#include <zctor_test/watchdog.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using zctor_test::failure_log;
using zctor_test::workers;

using boost::system::error_code;
using zctor::error;
using zctor::receives;
using zctor_test::wait_until;

struct job
{
    int n = 0;
    void run() {} // lets a member pointer be a handler: std::invoke(&job::run, job{})
};

struct other
{};

// The code carried by what `f` throws; success if it throws nothing.
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

BOOST_FIXTURE_TEST_SUITE(misuse, zctor_test::watched<60>)

// An empty handler would crash (a null function pointer) or fail every message (an empty
// std::function) far from the mistake: spawn refuses it with invalid_configuration.
BOOST_AUTO_TEST_CASE(an_empty_handler_is_rejected_at_spawn)
{
    zctor::engine e(workers(1));
    const std::function<void(job)> empty;
    const std::function<bool(zctor::context&, job)> empty_with_context;
    void (*null_function)(job) = nullptr;
    void (job::*null_member)() = nullptr;

    error_code ec;
    auto r1 = e.spawn<job>(ec, empty);
    BOOST_TEST((ec == error::invalid_configuration));
    BOOST_TEST(!r1);
    e.spawn<job>(ec, empty_with_context);
    BOOST_TEST((ec == error::invalid_configuration));
    e.spawn<job>(ec, null_function);
    BOOST_TEST((ec == error::invalid_configuration));
    e.spawn<job>(ec, null_member);
    BOOST_TEST((ec == error::invalid_configuration));
    BOOST_TEST((thrown_code([&] { e.spawn<job>(empty); }) == error::invalid_configuration));
    BOOST_TEST(
        (thrown_code([&] { e.spawn<job>(std::function<void(job)>{}); }) == error::invalid_configuration));

    // Nothing was spawned or routed.
    BOOST_TEST(e.stats().actors_spawned == 0u);
    e.send(job{}, ec);
    BOOST_TEST((ec == error::actor_not_found));

    // From a handler, the same.
    std::atomic<int> refused{0};
    zctor_test::latch done(1);
    auto spawner = e.spawn<other>([&](zctor::context& ctx, other) {
        error_code inner;
        ctx.spawn<job>(inner, empty);
        if (inner == error::invalid_configuration)
            ++refused;
        if (thrown_code([&] { ctx.spawn<job>(null_function); }) == error::invalid_configuration)
            ++refused;
        done.count_down();
    });
    // Non-empty ones of the same types are accepted.
    std::atomic<int> handled{0};
    auto r2 = e.spawn<job>(std::function<void(job)>([&](job) { ++handled; }));
    auto r3 = e.spawn<job>(&job::run);
    e.run();
    spawner.send(other{});
    BOOST_REQUIRE(done.wait());
    r2.send(job{});
    r3.send(job{});
    BOOST_TEST(refused == 2);
    BOOST_TEST(wait_until([&] { return e.stats().messages_handled == 3u; }));
    BOOST_TEST(handled == 1);
    e.stop();
    e.join();
    BOOST_TEST(e.stats().actors_spawned == 3u);
    BOOST_TEST(e.stats().handler_failures == 0u);
}

// validate() has its own tests (config.cpp); here: every constructor applies it, and the lists
// of io_contexts are checked for each way they can be wrong.
BOOST_AUTO_TEST_CASE(every_constructor_rejects_an_invalid_configuration)
{
    boost::asio::io_context io;
    zctor::engine_config bad;
    bad.batch_size = 0;
    auto code_of = [](auto make) -> error_code {
        try
        {
            make();
        }
        catch (const boost::system::system_error& e)
        {
            return e.code();
        }
        return {};
    };
    BOOST_TEST((code_of([&] { zctor::engine e(bad); }) == error::invalid_configuration));
    BOOST_TEST((code_of([&] { zctor::engine e(io, bad); }) == error::invalid_configuration));
    BOOST_TEST((code_of([&] { zctor::engine e({&io}, bad); }) == error::invalid_configuration));
    BOOST_TEST((code_of([&] { zctor::engine e(std::vector<boost::asio::io_context*>{}); }) ==
                error::invalid_configuration));
    BOOST_TEST((code_of([&] { zctor::engine e({&io, nullptr}); }) == error::invalid_configuration));
    const std::vector<boost::asio::io_context*> too_many(zctor::engine_config::max_thread_count + 1, &io);
    BOOST_TEST((code_of([&] { zctor::engine e(too_many); }) == error::invalid_configuration));
    // The application's context is untouched: no work guard was left behind.
    BOOST_TEST(io.run() == 0u);
}

// After stop(), and again after the shutdown has finished, every entry point refuses with
// engine_stopped, in both its forms, whether the engine ran or not; nothing refused is counted.
BOOST_AUTO_TEST_CASE(every_entry_point_refuses_after_stop)
{
    struct counter_actor
    {
        using messages = receives<other>;
        void handle(other) {}
    };
    for (bool ran : {false, true})
    {
        BOOST_TEST_CONTEXT("engine ran: " << ran)
        {
            zctor::engine e(workers(2));
            auto ref = e.spawn<job>([](job) {});
            auto class_ref = e.spawn<counter_actor>();
            if (ran)
                e.run();
            e.stop();
            for (bool finished : {false, true})
            {
                BOOST_TEST_CONTEXT("shutdown finished: " << finished)
                {
                    if (finished)
                    {
                        if (ran)
                            e.join();
                        BOOST_REQUIRE(wait_until([&] { return e.stopped(); }));
                    }
                    error_code ec;
                    e.send(job{}, ec);
                    BOOST_TEST((ec == error::engine_stopped));
                    BOOST_TEST((thrown_code([&] { e.send(other{}); }) == error::engine_stopped));
                    BOOST_TEST(e.publish(job{}, ec) == 0u);
                    BOOST_TEST((ec == error::engine_stopped));
                    BOOST_TEST((thrown_code([&] { e.publish(other{}); }) == error::engine_stopped));
                    auto spawned = e.spawn<job>(ec, [](job) {});
                    BOOST_TEST((ec == error::engine_stopped));
                    BOOST_TEST(!spawned);
                    BOOST_TEST((thrown_code([&] { e.spawn<counter_actor>(); }) == error::engine_stopped));
                    ref.send(job{}, ec);
                    BOOST_TEST((ec == error::engine_stopped || ec == error::actor_stopped));
                    class_ref.send(other{}, ec);
                    BOOST_TEST((ec == error::engine_stopped || ec == error::actor_stopped));
                    ref.stop(); // harmless
                    e.run(ec);
                    BOOST_TEST((ec == error::engine_stopped));
                    e.stop(); // harmless
                }
            }
            const auto s = e.stats();
            BOOST_TEST(s.actors_spawned == 2u);
            BOOST_TEST(s.actors_stopped == 2u);
            BOOST_TEST(s.messages_handled == 0u);
            BOOST_TEST(s.messages_dropped == 0u); // refused is not accepted-then-dropped
        }
    }
}

// Handlers that run during the drain, after stop(), are refused too: the error_code forms
// return engine_stopped, the throwing forms throw it, which counts as a handler failure.
BOOST_AUTO_TEST_CASE(handlers_draining_after_stop_are_refused_too)
{
    constexpr int queued = 10;
    failure_log log;
    zctor::engine_config c = workers(2);
    log.attach(c);
    zctor::engine e(c);
    std::latch entered(1), release(1);
    std::atomic<int> refused{0};
    std::atomic<int> handled{0};
    e.spawn<other>([](other) {}); // a target for send and publish by type
    auto ref = e.spawn<job>([&](zctor::context& ctx, job j) {
        if (j.n == 0)
        {
            entered.count_down();
            release.wait();
            return;
        }
        ++handled;
        error_code ec;
        ctx.send(other{}, ec);
        refused += ec == error::engine_stopped;
        ctx.publish(other{}, ec);
        refused += ec == error::engine_stopped;
        ctx.spawn<other>(ec, [](other) {});
        refused += ec == error::engine_stopped;
        if (j.n % 2 == 0)
            ctx.send(other{}); // throws engine_stopped: a handler failure
        else
            ctx.spawn<other>([](other) {});
    });
    for (int i = 0; i <= queued; ++i)
        ref.send(job{i});
    e.run();
    entered.wait();
    e.stop();
    release.count_down();
    e.join();
    BOOST_TEST(handled == queued); // drained
    BOOST_TEST(refused == 3 * queued);
    const auto s = e.stats();
    BOOST_TEST(s.handler_failures == std::uint64_t(queued));
    BOOST_TEST(log.count<boost::system::system_error>(error::handler_failed) == std::size_t(queued));
    BOOST_TEST(s.actors_spawned == 2u);
    BOOST_TEST(s.messages_dropped == 0u);
}

// stop() from many threads and handlers at once, and ref.stop() racing on one actor: each
// returns, the engine stops once, every actor stops once.
BOOST_AUTO_TEST_CASE(stop_is_idempotent_from_any_number_of_threads)
{
    constexpr int threads_n = 4, actors = 8;
    zctor::engine e(workers(2));
    std::vector<zctor::actor_ref<receives<job>>> refs;
    for (int i = 0; i < actors; ++i)
        refs.push_back(e.spawn<job>([](zctor::context& ctx, job) {
            ctx.stop();
            ctx.stop();
            ctx.get_engine().stop();
            ctx.get_engine().stop();
        }));
    auto shared_victim = e.spawn<other>([](other) {});
    for (auto& r : refs)
        r.send(job{}); // accepted before anything stops: drained
    e.run();
    std::latch go(threads_n + 1);
    std::vector<std::thread> threads;
    for (int t = 0; t < threads_n; ++t)
        threads.emplace_back([&] {
            go.arrive_and_wait();
            shared_victim.stop();
            e.stop();
            shared_victim.stop();
            e.stop();
        });
    go.arrive_and_wait();
    for (auto& t : threads)
        t.join();
    e.join();
    BOOST_TEST(e.stopped());
    const auto s = e.stats();
    BOOST_TEST(s.actors_spawned == std::uint64_t(actors + 1));
    BOOST_TEST(s.actors_stopped == std::uint64_t(actors + 1));
    BOOST_TEST(s.messages_handled == std::uint64_t(actors));
}

BOOST_AUTO_TEST_CASE(join_from_several_threads_at_once)
{
    zctor::engine e(workers(2));
    e.run();
    std::atomic<int> joined_ok{0};
    std::vector<std::thread> joiners;
    for (int i = 0; i < 3; ++i)
        joiners.emplace_back([&] {
            error_code ec;
            e.join(ec);
            joined_ok += !ec;
        });
    e.stop();
    e.join();
    for (auto& t : joiners)
        t.join();
    BOOST_TEST(joined_ok == 3);
    BOOST_TEST(e.stopped());
}

// The life-cycle calls that would deadlock or make no sense inside a handler report errors,
// and stopping twice (the engine, the actor itself) is harmless there too.
BOOST_AUTO_TEST_CASE(life_cycle_calls_from_inside_a_handler)
{
    zctor::engine e(workers(1));
    error_code run_ec, start_ec, join_ec;
    e.spawn<job>([&](zctor::context& ctx, job) {
        auto& eng = ctx.get_engine();
        eng.run(run_ec);
        eng.start(start_ec);
        eng.join(join_ec);
        ctx.stop();
        ctx.stop();
        ctx.self<receives<job>>().stop();
        eng.stop();
        eng.stop();
    });
    e.send(job{});
    e.start();
    BOOST_TEST((run_ec == error::already_started));
    BOOST_TEST((start_ec == error::already_started));
    BOOST_TEST((join_ec == error::thread_join_failed));
    BOOST_TEST(e.stats().actors_stopped == 1u);
}

// An index past the workers is refused, not read out of bounds.
BOOST_AUTO_TEST_CASE(get_executor_of_a_worker_that_does_not_exist)
{
    zctor::engine e(workers(2));
    BOOST_CHECK_NO_THROW(e.get_executor(1));
    BOOST_CHECK_THROW(e.get_executor(2), std::out_of_range);
    BOOST_CHECK_THROW(e.get_executor(static_cast<std::size_t>(-1)), std::out_of_range);
    boost::asio::io_context io;
    zctor::engine embedded(io);
    BOOST_CHECK_THROW(embedded.get_executor(1), std::out_of_range);
}

// An embedded engine runs as soon as it is constructed: run() reports already_started, and
// start()/join() from a thread that does not run its context just wait for it to stop.
BOOST_AUTO_TEST_CASE(life_cycle_calls_on_an_embedded_engine)
{
    boost::asio::io_context io;
    zctor::engine e(io);
    error_code ec;
    e.run(ec);
    BOOST_TEST((ec == error::already_started));
    BOOST_TEST((thrown_code([&] { e.run(); }) == error::already_started));
    std::atomic<int> handled{0};
    e.spawn<job>([&](zctor::context& ctx, job) {
        ++handled;
        ctx.get_engine().stop();
        ctx.get_engine().stop();
    });
    e.send(job{});
    std::thread runner([&] { io.run(); });
    error_code start_ec, join_ec;
    e.start(start_ec); // waits for the stop() above, made by the handler on the runner thread
    e.join(join_ec);
    runner.join();
    BOOST_TEST(!start_ec);
    BOOST_TEST(!join_ec);
    BOOST_TEST(e.stopped());
    BOOST_TEST(handled == 1);
    e.run(ec);
    BOOST_TEST((ec == error::already_started)); // still: it never had threads to start
}

namespace {

// Counts the threads that touched it and have exited since: a test can wait for an engine's
// workers to be gone when it has no engine object left to join.
std::atomic<int> probed_threads_exited{0};
struct thread_exit_probe
{
    ~thread_exit_probe() { ++probed_threads_exited; }
};
void probe_this_thread()
{
    static thread_local thread_exit_probe probe;
    (void)probe;
}

} // namespace

// Destroying the engine object from inside one of its handlers does not deadlock: the workers
// finish the shutdown by themselves (draining, the default policy), and the handlers that run
// meanwhile may still use their context, whose calls are refused with engine_stopped.
BOOST_AUTO_TEST_CASE(destroying_the_engine_inside_a_handler)
{
    constexpr int queued = 200, busy_actors = 4;
    zctor_test::lifetime states;
    std::atomic<int> handled{0};
    std::atomic<int> refused{0};
    std::atomic<int> thrown{0};
    zctor_test::latch entered(2), release(1);
    const int exited_before = probed_threads_exited;
    // Worker 0 for the killer (and the target of sends by type), 1 and 2 for the busy actors.
    auto e = std::make_unique<zctor::engine>(workers(3));
    auto killer = e->spawn<job>([&](job) {
        probe_this_thread();
        if (!entered.wait()) // both busy workers are blocked in a handler
            return;
        e.reset(); // from a worker: does not wait for the shutdown
        release.count_down();
    });
    std::vector<zctor::actor_ref<receives<job>>> busy;
    for (int i = 0; i < busy_actors; ++i)
    {
        if (i == 2)
            e->spawn<other>([](other) {}); // placed on worker 0
        busy.push_back(e->spawn<job>([&](zctor::context& ctx, job j) {
            probe_this_thread();
            if (!ctx.has_state())
                ctx.emplace_state<zctor_test::counted>(states);
            if (j.n == 0)
            {
                entered.count_down();
                (void)release.wait();
            }
            ++handled;
            error_code ec;
            ctx.send(other{}, ec);
            refused += ec == error::engine_stopped;
            try
            {
                ctx.publish(other{});
            }
            catch (const boost::system::system_error& ex)
            {
                thrown += ex.code() == error::engine_stopped;
            }
        }));
    }
    for (auto& b : busy)
        for (int i = 0; i < queued; ++i)
            b.send(job{i});
    e->run();
    killer.send(job{});
    BOOST_REQUIRE(wait_until([&] { return probed_threads_exited - exited_before == 3; }));
    BOOST_TEST(killer.stopped());
    for (auto& b : busy)
        BOOST_TEST(b.stopped());
    BOOST_TEST(handled == busy_actors * queued); // drained
    BOOST_TEST(refused == busy_actors * queued);
    BOOST_TEST(thrown == busy_actors * queued);
    BOOST_TEST(states.constructed == busy_actors);
    BOOST_TEST(states.destroyed == busy_actors);
}

namespace {

struct throws_in_constructor
{
    using messages = receives<other>;
    explicit throws_in_constructor(bool bad_alloc)
    {
        if (bad_alloc)
            throw std::bad_alloc();
        throw std::runtime_error("constructor");
    }
    void handle(other) {}
};

// A handler whose copy throws: spawning from an lvalue copies it into the actor.
struct throws_when_copied
{
    throws_when_copied() = default;
    throws_when_copied(const throws_when_copied&) { throw std::logic_error("copy"); }
    throws_when_copied(throws_when_copied&&) = default;
    void operator()(job) const {}
};

} // namespace

// An exception from an actor's constructor (or from copying its handler) propagates unchanged
// to the caller of spawn, from both forms; std::bad_alloc becomes out_of_memory. Either way no
// actor is left behind: nothing counted, nothing routed, its place on the worker free again.
BOOST_AUTO_TEST_CASE(an_exception_from_an_actor_constructor_reaches_the_spawner)
{
    failure_log log;
    zctor::engine_config c = workers(1);
    c.max_actors_per_worker = 2;
    log.attach(c);
    zctor::engine e(c);
    error_code ec;
    for (int i = 0; i < 3; ++i) // leaked places would make later attempts thread_pool_full
    {
        BOOST_CHECK_THROW(e.spawn<throws_in_constructor>(false), std::runtime_error);
        BOOST_CHECK_THROW(e.spawn<throws_in_constructor>(ec, false), std::runtime_error);
        e.spawn<throws_in_constructor>(ec, true);
        BOOST_TEST((ec == error::out_of_memory));
        BOOST_TEST((thrown_code([&] { e.spawn<throws_in_constructor>(true); }) == error::out_of_memory));
        const throws_when_copied handler;
        BOOST_CHECK_THROW(e.spawn<job>(ec, handler), std::logic_error);
    }
    BOOST_TEST(e.stats().actors_spawned == 0u);
    e.send(other{}, ec);
    BOOST_TEST((ec == error::actor_not_found));

    // Both places are free: a handler actor takes one, and its own spawns fail the same way;
    // the throwing form's exception becomes a handler failure, with the exception.
    std::atomic<int> caught{0};
    zctor_test::latch done(1);
    auto spawner = e.spawn<job>([&](zctor::context& ctx, job) {
        error_code inner;
        try
        {
            ctx.spawn<throws_in_constructor>(inner, false);
        }
        catch (const std::runtime_error&)
        {
            ++caught;
        }
        done.count_down();
        ctx.spawn<throws_in_constructor>(false);
    });
    e.run();
    spawner.send(job{});
    BOOST_REQUIRE(done.wait());
    BOOST_REQUIRE(wait_until([&] { return e.stats().handler_failures == 1u; }));
    e.stop();
    e.join();
    BOOST_TEST(caught == 1);
    BOOST_TEST(log.count<std::runtime_error>(error::handler_failed) == 1u);
    BOOST_TEST(e.stats().actors_spawned == 1u);
    BOOST_TEST(e.stats().actors_stopped == 1u);
}

namespace {

// State whose destructor throws.
struct throwing_state
{
    explicit throwing_state(std::atomic<int>& d) : destroyed(&d) {}
    throwing_state(const throwing_state&) = delete;
    ~throwing_state() noexcept(false)
    {
        ++*destroyed;
        throw std::runtime_error("state destructor");
    }
    std::atomic<int>* destroyed;
};

} // namespace

// An exception from the destructor of an actor's state is reported to on_failure as
// handler_failed with the exception when the actor stops (stopped by a reference, or at
// shutdown); when a handler replaces the state, it reaches that handler, with the new state in
// place. Either way the actor stops cleanly (counted once) and the engine goes on.
BOOST_AUTO_TEST_CASE(an_exception_from_a_state_destructor_is_reported)
{
    std::atomic<int> destroyed{0};
    failure_log log;
    zctor::engine_config c = workers(2);
    log.attach(c);
    zctor::engine e(c);
    std::atomic<int> replaced{0};
    auto make = [&] {
        return e.spawn<job>([&](zctor::context& ctx, job j) {
            if (j.n == 1)
            {
                try
                {
                    ctx.emplace_state<throwing_state>(destroyed); // destroys the old one
                }
                catch (const std::runtime_error&)
                {
                    replaced += ctx.has_state(); // the new one is in place
                }
            }
            if (!ctx.has_state())
                ctx.emplace_state<throwing_state>(destroyed);
        });
    };
    auto stopped_early = make();
    auto at_shutdown = make();
    e.run();
    stopped_early.send(job{0});
    stopped_early.send(job{1}); // replaces its state: the handler catches what the old one threw
    at_shutdown.send(job{0});
    BOOST_REQUIRE(wait_until([&] { return e.stats().messages_handled == 3u; }));
    BOOST_TEST(destroyed == 1);
    BOOST_TEST(replaced == 1);
    stopped_early.stop();
    BOOST_REQUIRE(wait_until([&] { return e.stats().actors_stopped == 1u; }));
    BOOST_TEST(destroyed == 2);
    BOOST_TEST(log.count<std::runtime_error>(error::handler_failed) == 1u);
    // The worker is fine: the other actor still handles messages.
    at_shutdown.send(job{2});
    BOOST_REQUIRE(wait_until([&] { return e.stats().messages_handled == 4u; }));
    e.stop();
    e.join();
    BOOST_TEST(destroyed == 3);
    BOOST_TEST(log.count<std::runtime_error>(error::handler_failed) == 2u); // not the caught one
    BOOST_TEST(log.size() == 2u);
    BOOST_TEST(e.stats().actors_stopped == 2u);
    BOOST_TEST(e.stats().handler_failures == 0u); // the handlers themselves never failed
}

// What on_failure throws is discarded: the failing actor and the engine go on.
BOOST_AUTO_TEST_CASE(an_on_failure_that_throws_is_ignored)
{
    std::atomic<int> reported{0};
    zctor::engine_config c = workers(2);
    c.on_failure = [&](const zctor::failure&) {
        ++reported;
        throw std::runtime_error("on_failure");
    };
    zctor::engine e(c);
    std::atomic<int> handled{0};
    auto ref = e.spawn<job>([&](job j) {
        ++handled;
        if (j.n % 2 == 0)
            throw std::runtime_error("handler");
    });
    e.run();
    for (int i = 0; i < 10; ++i)
        ref.send(job{i});
    BOOST_REQUIRE(wait_until([&] { return handled == 10; }));
    e.stop();
    e.join();
    BOOST_TEST(reported == 5);
    BOOST_TEST(e.stats().handler_failures == 5u);
    BOOST_TEST(e.stats().messages_handled == 10u);
}

BOOST_AUTO_TEST_SUITE_END()
