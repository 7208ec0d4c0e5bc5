//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Supervision under churn: a one_for_one supervisor restarts its permanent children, class actors
// that stop by failing on every kth message each incarnation handles, while sender threads keep
// sending to whatever incarnation the child's registered name or get_child gives them. A send
// reaching an incarnation that has stopped is refused (actor_stopped); one queued to it when it
// failed is dropped. Every message is accounted for: accepted = handled (the failing ones
// included) + dropped; every failure is reported once and answered by exactly one restart; the
// supervisor never gives up.
//
#define BOOST_TEST_MODULE zctor_stress_restart_churn
#include <zctor/engine.hpp>
#include <zctor/supervisor.hpp>
#include <zctor_test/checks.hpp>
#include <zctor_test/stress.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using boost::system::error_code;
using zctor::error;

constexpr std::size_t children_n = 4, senders = 3;
constexpr std::uint32_t fail_every = 40; // each incarnation fails on its 40th message
// A sender waits while this many of its accepted messages are neither handled nor dropped: it
// keeps the mailboxes short, so that an incarnation handles its messages and fails instead of
// dropping thousands when it stops.
constexpr std::uint64_t in_flight = 32;

struct work
{
    std::uint32_t sender = 0;
};

struct tally
{
    // Sends.
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> refused{0};  // actor_stopped: the incarnation had stopped
    std::atomic<std::uint64_t> no_child{0}; // a restart was pending: no incarnation to send to
    std::atomic<std::uint64_t> asks{0};     // get_child requests answered
    std::atomic<std::uint64_t> unexpected{0};
    // The children.
    std::atomic<std::uint64_t> handled{0};   // handler calls, the failing ones included
    std::atomic<std::uint64_t> thrown{0};    // of those, the ones that threw
    std::atomic<std::uint64_t> leftover{0};  // messages handled by the incarnations stopped at shutdown
    std::atomic<std::uint64_t> bad_stops{0}; // an incarnation that stopped for another reason
    std::atomic<std::uint64_t> dead_work{0}; // work messages dropped (dead letters)
    std::atomic<std::uint64_t> other_dead{0};
    // What on_failure and the supervisor's events saw.
    std::atomic<std::uint64_t> reported{0}; // handler_failed with the child's exception
    std::atomic<std::uint64_t> reported_other{0};
    std::atomic<std::uint64_t> stopped_failed{0}; // child_stopped with stop_kind::failure
    std::atomic<std::uint64_t> restarted{0};      // child_started with restarts > 0
    std::atomic<std::uint64_t> gave_up{0};
    // Per sender: its accepted messages handled or dropped so far.
    std::atomic<std::uint64_t> settled[senders] = {};
    std::atomic<std::uint64_t> window_timeouts{0};

    void sent(const error_code& ec)
    {
        if (!ec)
            ++accepted;
        else if (ec == error::actor_stopped)
            ++refused;
        else
            ++unexpected;
    }
};

// A child: fails (throws) on every kth message this incarnation handles, which stops it; its
// supervisor then starts a new one.
class flaky
{
public:
    static constexpr zctor::failure_policy on_failure = zctor::failure_policy::stop;

    explicit flaky(tally& t) : t_(&t) {}

    void on_stop(const zctor::stop_reason& why)
    {
        if (why.kind == zctor::stop_kind::failure && count_ == fail_every)
            return;
        if (why.kind == zctor::stop_kind::shutdown && count_ < fail_every)
            t_->leftover += count_;
        else
            ++t_->bad_stops;
    }

    void handle(const work& w)
    {
        ++t_->handled;
        ++t_->settled[w.sender];
        if (++count_ % fail_every == 0)
        {
            ++t_->thrown;
            throw std::runtime_error("every kth message");
        }
    }

private:
    tally* t_;
    std::uint32_t count_ = 0;
};

std::string child_name(std::size_t i) { return "churn-" + std::to_string(i); }

} // namespace

BOOST_FIXTURE_TEST_SUITE(stress, zctor_test::stress_fixture)

BOOST_AUTO_TEST_CASE(supervised_children_restart_while_messages_fly)
{
    const std::size_t sends = zctor_test::scaled(250'000);
    const auto ask_timeout = zctor_test::stress_bound();
    tally t;
    std::vector<zctor::child_status> status;
    zctor::engine_stats s;
    {
        zctor::engine_config c;
        c.thread_count = 2;
        c.on_failure = [&t](const zctor::failure& f) {
            if (f.error == error::handler_failed && zctor_test::thrown_as<std::runtime_error>(f.exception))
                ++t.reported;
            else
                ++t.reported_other;
        };
        c.on_dead_letter = [&t](const zctor::dead_letter& d) {
            if (const work* w = d.get<work>())
            {
                ++t.dead_work;
                ++t.settled[w->sender];
            }
            else
                ++t.other_dead;
        };
        zctor::engine e(c);

        zctor::supervisor_options o;
        o.strategy = zctor::restart_strategy::one_for_one;
        o.max_restarts = std::numeric_limits<std::size_t>::max(); // never gives up here
        o.within = std::chrono::hours(1);
        o.on_event = [&t](const zctor::supervisor_event& ev) {
            switch (ev.kind)
            {
            case zctor::supervisor_event_kind::child_started:
                if (ev.restarts > 0)
                    ++t.restarted;
                break;
            case zctor::supervisor_event_kind::child_stopped:
                if (ev.why.kind == zctor::stop_kind::failure)
                    ++t.stopped_failed;
                break;
            case zctor::supervisor_event_kind::gave_up: ++t.gave_up; break;
            default: break;
            }
        };
        std::vector<zctor::child_spec> specs;
        for (std::size_t i = 0; i < children_n; ++i)
            specs.push_back({child_name(i), [&t](zctor::context& ctx) { return ctx.spawn<flaky>(t); },
                             zctor::restart_type::permanent, child_name(i)});
        auto sup = e.spawn<zctor::supervisor>(o, std::move(specs));
        e.run();

        std::vector<std::thread> threads;
        for (std::size_t p = 0; p < senders; ++p)
            threads.emplace_back([&, p] {
                zctor::actor_ref<flaky> target;
                std::uint64_t accepted = 0;
                for (std::size_t i = 0; i < sends; ++i)
                {
                    if (accepted - t.settled[p].load() >= in_flight)
                    {
                        target = {}; // no reference held to an incarnation that may have stopped
                        if (!zctor_test::wait_until(
                                [&] { return accepted - t.settled[p].load() < in_flight / 2; },
                                zctor_test::stress_bound()))
                        {
                            ++t.window_timeouts;
                            break;
                        }
                    }
                    // Keep an incarnation for a while: the restarts replace it under the sender.
                    if (i % 16 == 0 || !target)
                    {
                        const std::size_t child = (i / 16 + p) % children_n;
                        error_code ec;
                        if (p == 0 && i % 64 == 0)
                        {
                            // The supervisor's own request: an empty reference while a restart is pending.
                            const zctor::child_ref r =
                                sup.ask(zctor::get_child{child_name(child)}, ask_timeout, ec);
                            if (ec)
                            {
                                ++t.unexpected;
                                continue;
                            }
                            ++t.asks;
                            target = r.as<flaky>(ec);
                            if (ec == error::actor_not_found)
                                ec = {}; // empty: counted below
                        }
                        else
                        {
                            // Its registered name follows the current incarnation.
                            target = e.lookup<flaky>(child_name(child), ec);
                            if (ec == error::actor_not_found)
                                ec = {};
                        }
                        if (ec)
                            ++t.unexpected;
                        if (!target)
                        {
                            ++t.no_child;
                            continue;
                        }
                    }
                    error_code ec;
                    target.send(work{static_cast<std::uint32_t>(p)}, ec);
                    t.sent(ec);
                    if (!ec)
                        ++accepted;
                }
            });
        for (auto& th : threads)
            th.join();
        // The senders are done and their references gone: wait until every accepted message is
        // handled or dropped, and every failure has been answered by a restart.
        BOOST_TEST(zctor_test::wait_until(
            [&] {
                return t.handled.load() + t.dead_work.load() == t.accepted.load() &&
                       t.restarted.load() == t.thrown.load();
            },
            zctor_test::stress_bound()));
        error_code ec;
        status = sup.ask(zctor::which_children{}, ask_timeout, ec);
        BOOST_TEST(!ec);
        e.stop();
        e.join();
        s = e.stats();
    }
    // Each incarnation handled exactly fail_every messages and failed, except the last ones,
    // stopped at shutdown with fewer.
    const std::uint64_t failures = t.thrown.load();
    BOOST_TEST(t.unexpected == 0u);
    BOOST_TEST(t.window_timeouts == 0u);
    // Every send: accepted, refused, or not made because no incarnation was running.
    BOOST_TEST(t.accepted + t.refused + t.no_child == senders * sends);
    BOOST_TEST(t.bad_stops == 0u);
    BOOST_TEST(t.handled == failures * fail_every + t.leftover);
    BOOST_TEST(failures > 0u);
    // Every message: accepted = handled (failing ones included) + dropped; refused ones are neither.
    BOOST_TEST(t.accepted == t.handled + t.dead_work);
    // The engine's counters agree. Besides the children's messages, the supervisor handled a down
    // per failure (each restart proves it), the get_child requests and which_children; the downs of
    // the last incarnations, stopped at shutdown, may be handled, dropped or refused.
    const std::uint64_t supervisor_handled = failures + t.asks + 1;
    BOOST_TEST(s.messages_handled >= t.handled + supervisor_handled);
    BOOST_TEST(s.messages_handled <= t.handled + supervisor_handled + children_n);
    BOOST_TEST(t.other_dead <= children_n);
    BOOST_TEST(s.messages_dropped == t.dead_work + t.other_dead); // each drop is a dead letter
    // Every failure counted and reported once, and answered by exactly one restart.
    BOOST_TEST(s.handler_failures == failures);
    BOOST_TEST(t.reported == failures);
    BOOST_TEST(t.reported_other == 0u);
    BOOST_TEST(t.stopped_failed == failures);
    BOOST_TEST(t.restarted == failures);
    BOOST_TEST(t.gave_up == 0u);
    BOOST_TEST(status.size() == children_n);
    std::uint64_t restarts = 0;
    for (const auto& cs : status)
    {
        restarts += cs.restarts;
        BOOST_TEST(!cs.restart_pending);
        BOOST_TEST(static_cast<bool>(cs.ref));
    }
    BOOST_TEST(restarts == failures);
    // The supervisor, the first incarnations and one per restart; all stopped once.
    BOOST_TEST(s.actors_spawned == 1 + children_n + failures);
    BOOST_TEST(s.actors_stopped == s.actors_spawned);
    std::cout << "  " << t.accepted << " messages accepted = " << t.handled << " handled (" << failures
              << " failed) + " << t.dead_work << " dropped; " << t.refused << " refused (actor_stopped), "
              << t.no_child << " times no incarnation, " << t.asks << " get_child; " << restarts
              << " restarts; engine: " << s.messages_handled << " handled, " << s.messages_dropped
              << " dropped" << std::endl;
}

BOOST_AUTO_TEST_SUITE_END()
