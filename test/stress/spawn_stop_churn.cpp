//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Actors are spawned and stopped all the time while messages fly to them: churn threads replace
// the actors of a set of slots (stopping the old ones by reference, or by a message after which
// they stop themselves), sender threads send to whatever actor a slot holds at the moment, and
// the actors spawn short-lived children of their own. Nothing may touch freed memory (the
// sanitizer builds run this), and the accounting stays exact: every accepted message is handled
// or counted as dropped, every actor spawned is stopped once, every state, behaviour and message
// object is destroyed once.
//
#define BOOST_TEST_MODULE zctor_stress_spawn_stop_churn
#include <zctor/engine.hpp>
#include <zctor_test/stress.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using boost::system::error_code;
using zctor::error;

struct work
{
    zctor_test::counted life;
    std::uint32_t n = 0;
    bool last = false; // the receiver stops itself after handling it
};

using work_ref = zctor::actor_ref<zctor::receives<work>>;

struct tally
{
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> refused{0}; // actor_stopped: the actor stopped before the send
    std::atomic<std::uint64_t> unexpected{0};
    std::atomic<std::uint64_t> handled{0};
    std::atomic<std::uint64_t> spawned{0};
    zctor_test::lifetime messages, states, behaviours;

    // `stopping`: the send may come after stop(), from a handler draining the rest.
    void sent(const error_code& ec, bool stopping = false)
    {
        if (!ec)
            ++accepted;
        else if (ec == error::actor_stopped || (stopping && ec == error::engine_stopped))
            ++refused;
        else
            ++unexpected;
    }
};

// What every actor of the test does with a message: keep a state, stop after a `last` one, and
// now and then spawn a child that handles one message and stops with a second one queued.
void on_work(tally& t, zctor::context& ctx, work w)
{
    ++t.handled;
    if (!ctx.has_state())
        ctx.emplace_state<zctor_test::counted>(t.states);
    if (w.last)
        ctx.stop();
    if (w.n % 64 == 63)
    {
        error_code ec;
        auto child = ctx.spawn<work>(ec, [&t](zctor::context& c, work cw) { on_work(t, c, std::move(cw)); });
        if (ec)
        {
            // Refused only once the engine is stopping: handlers still drain after stop().
            if (ec != error::engine_stopped)
                ++t.unexpected;
            return;
        }
        ++t.spawned;
        child.send(work{zctor_test::counted(t.messages), 0, true}, ec);
        t.sent(ec, true);
        child.send(work{zctor_test::counted(t.messages), 1, false}, ec); // usually dropped
        t.sent(ec, true);
    }
}

// The class-actor flavour: its behaviour object is counted too.
class worker_actor
{
public:
    worker_actor(tally& t) : t_(&t), life_(t.behaviours) {}
    void handle(zctor::context& ctx, work w) { on_work(*t_, ctx, std::move(w)); }

private:
    tally* t_;
    zctor_test::counted life_;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(stress, zctor_test::stress_fixture)

BOOST_AUTO_TEST_CASE(spawn_and_stop_while_messages_fly)
{
    constexpr std::size_t slots_n = 16, churners = 2, senders = 3;
    const std::size_t churns = zctor_test::scaled(4'000);
    const std::size_t sends = zctor_test::scaled(120'000);
    tally t;
    zctor::engine_stats s;
    {
        zctor::engine_config c;
        c.thread_count = 2;
        zctor::engine e(c);
        auto spawn_one = [&](std::size_t i) -> work_ref {
            ++t.spawned;
            if (i % 2 == 0)
                return e.spawn<work>([&t](zctor::context& ctx, work w) { on_work(t, ctx, std::move(w)); });
            return e.spawn<worker_actor>(t); // viewed through receives<work>
        };
        std::mutex slots_mutex;
        std::array<work_ref, slots_n> slots;
        for (std::size_t i = 0; i < slots_n; ++i)
            slots[i] = spawn_one(i);
        e.run();

        std::atomic<std::size_t> senders_running{senders};
        std::vector<std::thread> threads;
        for (std::size_t c = 0; c < churners; ++c)
            threads.emplace_back([&, c] {
                // At least `churns` replacements, and on for as long as the senders send.
                for (std::size_t i = 0; i < churns || senders_running.load() != 0; ++i)
                {
                    const std::size_t slot = (i * 7 + c * 5) % slots_n;
                    work_ref fresh = spawn_one(i + c);
                    work_ref old;
                    {
                        std::lock_guard lock(slots_mutex);
                        old = std::exchange(slots[slot], fresh);
                    }
                    if (i % 3 == 0)
                    {
                        // The actor stops itself after this message, which may still be queued.
                        error_code ec;
                        old.send(work{zctor_test::counted(t.messages), 0, true}, ec);
                        t.sent(ec);
                    }
                    else
                    {
                        old.stop();
                    }
                }
            });
        for (std::size_t p = 0; p < senders; ++p)
            threads.emplace_back([&, p] {
                work_ref target;
                for (std::size_t i = 0; i < sends; ++i)
                {
                    // Keep a reference for a while: the churn stops actors under it.
                    if (i % 64 == 0)
                    {
                        std::lock_guard lock(slots_mutex);
                        target = slots[(i / 64 + p * 3) % slots_n];
                    }
                    error_code ec;
                    target.send(work{zctor_test::counted(t.messages), static_cast<std::uint32_t>(i), false},
                                ec);
                    t.sent(ec);
                }
                --senders_running;
            });
        for (auto& th : threads)
            th.join();
        e.stop();
        e.join();
        for (auto& r : slots)
            r = {}; // the last references: late messages are freed, and counted, with the actors
        s = e.stats();
    }
    BOOST_TEST(t.unexpected == 0u);
    BOOST_TEST(s.actors_spawned == t.spawned.load());
    BOOST_TEST(s.actors_stopped == t.spawned.load());
    BOOST_TEST(s.messages_handled == t.handled.load());
    BOOST_TEST(s.messages_handled + s.messages_dropped == t.accepted.load());
    BOOST_TEST(s.handler_failures == 0u);
    BOOST_TEST(t.messages.alive() == 0);
    BOOST_TEST(t.states.alive() == 0);
    BOOST_TEST(t.behaviours.alive() == 0);
    BOOST_TEST(t.messages.destroyed > 0);
    std::cout << "  " << t.spawned << " actors spawned and stopped; " << t.accepted
              << " messages accepted = " << s.messages_handled << " handled + " << s.messages_dropped
              << " dropped; " << t.refused << " refused (actor_stopped)" << std::endl;
}

BOOST_AUTO_TEST_SUITE_END()
