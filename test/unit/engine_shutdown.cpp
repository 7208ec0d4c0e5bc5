//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Shutdown: what stop() does with accepted messages under each policy, and that every
// message is either handled or counted as dropped.
//
#define BOOST_TEST_MODULE zctor_engine_shutdown
#include <zctor/engine.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

namespace {

using boost::system::error_code;
using zctor::error;

struct job
{
    int id = 0;
};

struct marker
{};

/// Counts its destructions.
struct tracked_state
{
    explicit tracked_state(std::atomic<int>& d) : destroyed(&d) {}
    tracked_state(const tracked_state&) = delete;
    ~tracked_state() { ++*destroyed; }
    std::atomic<int>* destroyed;
};

zctor::engine_config config(std::size_t threads, zctor::shutdown_policy policy)
{
    zctor::engine_config c;
    c.thread_count = threads;
    c.shutdown = policy;
    return c;
}

/// An actor whose first message blocks until released, with `queued` more messages behind it.
struct blocked_actor
{
    std::latch entered{1};
    std::latch release{1};
    std::atomic<int> handled{0};

    template <class Engine>
    void spawn_and_fill(Engine& e, int queued)
    {
        auto ref = e.template spawn<job>([this](job j) {
            if (j.id == 0)
            {
                entered.count_down();
                release.wait();
            }
            ++handled;
        });
        for (int i = 0; i <= queued; ++i)
            ref.send(job{i});
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(drain_handles_every_accepted_message)
{
    zctor::engine e(config(2, zctor::shutdown_policy::drain));
    blocked_actor a;
    a.spawn_and_fill(e, 500);
    e.run();
    a.entered.wait();
    e.stop();
    error_code ec;
    e.send(job{1}, ec); // after stop(): refused, not queued
    BOOST_TEST(ec == error::engine_stopped);
    e.spawn<marker>(ec, [](marker) {});
    BOOST_TEST(ec == error::engine_stopped);
    a.release.count_down();
    e.join();
    BOOST_TEST(a.handled == 501);
    BOOST_TEST(e.stats().messages_handled == 501u);
    BOOST_TEST(e.stats().messages_dropped == 0u);
}

BOOST_AUTO_TEST_CASE(drop_stops_after_the_current_message_and_counts_the_rest)
{
    zctor::engine e(config(2, zctor::shutdown_policy::drop));
    blocked_actor a;
    a.spawn_and_fill(e, 500);
    e.run();
    a.entered.wait();
    e.stop();
    a.release.count_down();
    e.join();
    BOOST_TEST(a.handled == 1);
    BOOST_TEST(e.stats().messages_dropped == 500u);
}

BOOST_AUTO_TEST_CASE(drain_timeout_drops_what_is_left)
{
    zctor::engine_config c = config(2, zctor::shutdown_policy::drain);
    c.drain_timeout = std::chrono::milliseconds(0);
    c.batch_size = 1;
    zctor::engine e(c);
    // Placed on worker 0, which runs the shutdown coordinator. Actors are stopped in reverse
    // spawn order, so once this one has stopped, the blocked actor's stop is already queued
    // behind its running handler.
    e.spawn<marker>([](marker) {});
    blocked_actor a; // placed on worker 1
    a.spawn_and_fill(e, 300);
    e.run();
    a.entered.wait();
    e.stop();
    BOOST_TEST(zctor_test::wait_until([&] { return e.stats().actors_stopped == 1u; }));
    a.release.count_down();
    e.join();
    BOOST_TEST(a.handled == 1);
    BOOST_TEST(e.stats().messages_dropped == 300u);
}

BOOST_AUTO_TEST_CASE(stop_from_inside_a_handler_drains_the_rest)
{
    zctor::engine e(config(1, zctor::shutdown_policy::drain));
    std::atomic<int> handled{0};
    e.spawn<job>([&](zctor::context& ctx, job j) {
        ++handled;
        if (j.id == 10)
            ctx.get_engine().stop();
    });
    for (int i = 0; i < 100; ++i)
        e.send(job{i});
    e.start();
    BOOST_TEST(handled == 100);
    BOOST_TEST(e.stats().messages_dropped == 0u);
}

BOOST_AUTO_TEST_CASE(state_is_destroyed_exactly_once_at_shutdown)
{
    std::atomic<int> destroyed{0};
    constexpr int actors = 64;
    {
        zctor::engine e(config(2, zctor::shutdown_policy::drain));
        std::atomic<int> created{0};
        for (int i = 0; i < actors; ++i)
        {
            auto ref = e.spawn<job>([&](zctor::context& ctx, job) {
                if (!ctx.state<tracked_state>())
                {
                    ctx.emplace_state<tracked_state>(destroyed);
                    ++created;
                }
            });
            ref.send(job{});
        }
        e.run();
        BOOST_TEST(zctor_test::wait_until([&] { return created == actors; }));
        BOOST_TEST(destroyed == 0);
        e.stop();
        e.join();
        BOOST_TEST(destroyed == actors);
        BOOST_TEST(e.stats().actors_stopped == std::uint64_t(actors));
    }
    BOOST_TEST(destroyed == actors);
}

BOOST_AUTO_TEST_CASE(stopping_one_actor_drops_its_queue_and_refuses_later_sends)
{
    zctor::engine e(config(2, zctor::shutdown_policy::drain));
    blocked_actor a;
    std::atomic<int> handled{0};
    auto ref = e.spawn<job>([&](job j) {
        if (j.id == 0)
        {
            a.entered.count_down();
            a.release.wait();
        }
        ++handled;
    });
    for (int i = 0; i < 50; ++i)
        ref.send(job{i});
    e.run();
    a.entered.wait();
    ref.stop();
    ref.stop(); // twice is harmless
    a.release.count_down();
    // stopped() turns true first (sends fail from then on); the counters follow, the stopped
    // actor count last.
    BOOST_TEST(zctor_test::wait_until([&] { return e.stats().actors_stopped == 1u; }));
    BOOST_TEST(ref.stopped());
    error_code ec;
    ref.send(job{}, ec);
    BOOST_TEST(ec == error::actor_stopped);
    BOOST_TEST(handled == 1);
    BOOST_TEST(e.stats().messages_dropped == 49u);
    e.stop();
    e.join();
}

namespace {

/// Producers send until the engine refuses; every accepted message must end up handled or
/// dropped.
void shutdown_under_load(zctor::shutdown_policy policy)
{
    constexpr int producers = 3, actors = 8;
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> handled{0};
    std::atomic<int> unexpected{0};
    zctor::engine_stats s;
    {
        std::vector<zctor::actor_ref<zctor::receives<job>>> refs;
        zctor::engine e(config(2, policy));
        for (int i = 0; i < actors; ++i)
            refs.push_back(e.spawn<job>([&](job) { ++handled; }));
        e.run();
        std::latch started(producers);
        std::vector<std::thread> threads;
        for (int p = 0; p < producers; ++p)
            threads.emplace_back([&, p] {
                started.count_down();
                for (std::uint64_t i = 0;; ++i)
                {
                    error_code ec;
                    refs[(p + i) % actors].send(job{int(i)}, ec);
                    if (ec)
                    {
                        // Boost.Test assertions are not thread-safe: count, check below.
                        // A send racing the shutdown may also find its actor already stopped.
                        if (ec != error::engine_stopped && ec != error::actor_stopped)
                            ++unexpected;
                        return;
                    }
                    ++accepted;
                }
            });
        started.wait();
        BOOST_TEST(zctor_test::wait_until([&] { return handled > 10000; }));
        e.stop();
        for (auto& t : threads)
            t.join();
        e.join();
        refs.clear(); // a send racing stop() may have queued a message after its actor stopped:
                      // it is freed, and counted as dropped, with the last reference
        s = e.stats();
    }
    BOOST_TEST(unexpected == 0);
    BOOST_TEST(s.messages_handled == handled.load());
    BOOST_TEST(s.messages_handled + s.messages_dropped == accepted.load());
}

} // namespace

BOOST_AUTO_TEST_CASE(shutdown_under_load_accounts_for_every_message_drain)
{
    shutdown_under_load(zctor::shutdown_policy::drain);
}

BOOST_AUTO_TEST_CASE(shutdown_under_load_accounts_for_every_message_drop)
{
    shutdown_under_load(zctor::shutdown_policy::drop);
}

namespace {

class holder
{
public:
    explicit holder(std::atomic<int>& destroyed) : member_(destroyed) {}
    void handle(job) {}

private:
    tracked_state member_;
};

void handle_job(job) {}

} // namespace

BOOST_AUTO_TEST_CASE(a_class_actor_is_destroyed_when_it_stops_not_with_its_last_reference)
{
    zctor::engine e(config(1, zctor::shutdown_policy::drain));
    std::atomic<int> destroyed{0};
    auto ref = e.spawn<holder>(destroyed);
    e.run();
    ref.send(job{});
    ref.stop();
    BOOST_TEST(zctor_test::wait_until([&] { return e.stats().actors_stopped == 1u; }));
    BOOST_TEST(destroyed == 1); // while `ref` still refers to the actor
    e.stop();
    e.join();
    BOOST_TEST(destroyed == 1);
}

BOOST_AUTO_TEST_CASE(a_plain_function_can_be_the_handler)
{
    zctor::engine e(config(1, zctor::shutdown_policy::drain));
    auto ref = e.spawn<job>(handle_job);
    auto ref2 = e.spawn<job>(&handle_job);
    ref.send(job{});
    ref2.send(job{});
    e.stop();
    e.join();
    BOOST_TEST(e.stats().actors_stopped == 2u);
}
