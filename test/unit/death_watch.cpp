//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Death watch: monitor (a down when the target stops, also when it was dead already), link
// (abnormal stops propagate both ways; trapping exits turns them into exit_signal messages) and
// the release of every watch record when either side stops.
//
#define BOOST_TEST_MODULE zctor_death_watch
#include <zctor/engine.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <mutex>
#include <optional>
#include <vector>

namespace {

using boost::system::error_code;
using zctor::error;
using zctor::stop_kind;

struct job
{
    int n = 0;
};

using target_ref = zctor::actor_ref<zctor::receives<job>>;

// Requests to the watcher, answered with the error code's value (0: done).
struct do_monitor
{
    using reply_type = int;
    target_ref target;
};
struct do_demonitor
{
    using reply_type = int;
    target_ref target;
};
struct do_link
{
    using reply_type = int;
    target_ref target;
};
struct do_trap
{
    using reply_type = int;
    bool on = true;
};
struct fail_now
{};

/// What a watcher saw. Read under the lock.
struct seen
{
    std::mutex mutex;
    std::vector<zctor::down> downs;
    std::vector<zctor::exit_signal> exits;
    std::optional<zctor::stop_reason> stopped;

    std::size_t down_count()
    {
        std::lock_guard lock(mutex);
        return downs.size();
    }
    std::size_t exit_count()
    {
        std::lock_guard lock(mutex);
        return exits.size();
    }
    bool has_stopped()
    {
        std::lock_guard lock(mutex);
        return stopped.has_value();
    }
};

struct watcher
{
    static constexpr zctor::failure_policy on_failure = zctor::failure_policy::stop;
    seen* s;

    int handle(zctor::context& ctx, do_monitor m)
    {
        error_code ec;
        ctx.monitor(m.target, ec);
        return ec.value();
    }
    int handle(zctor::context& ctx, do_demonitor m)
    {
        error_code ec;
        ctx.demonitor(m.target, ec);
        return ec.value();
    }
    int handle(zctor::context& ctx, do_link m)
    {
        error_code ec;
        ctx.link(m.target, ec);
        return ec.value();
    }
    int handle(zctor::context& ctx, do_trap m)
    {
        ctx.trap_exit(m.on);
        return 0;
    }
    bool handle(fail_now) { return false; }
    void on_down(zctor::context&, const zctor::down& d)
    {
        std::lock_guard lock(s->mutex);
        s->downs.push_back(d);
    }
    void on_exit(const zctor::exit_signal& e)
    {
        std::lock_guard lock(s->mutex);
        s->exits.push_back(e);
    }
    void on_stop(const zctor::stop_reason& why)
    {
        std::lock_guard lock(s->mutex);
        s->stopped = why;
    }
};

zctor::engine_config two_workers()
{
    zctor::engine_config c;
    c.thread_count = 2;
    return c;
}

constexpr auto timeout = zctor_test::default_timeout;

/// A target that fails (and, with failure_policy::stop, stops) on a negative job.
target_ref spawn_target(zctor::engine& e, std::optional<zctor::stop_reason>* stopped = nullptr,
                        std::mutex* m = nullptr)
{
    zctor::hooks h;
    h.on_failure = zctor::failure_policy::stop;
    if (stopped != nullptr)
        h.on_stop = [stopped, m](zctor::context&, const zctor::stop_reason& why) {
            std::lock_guard lock(*m);
            *stopped = why;
        };
    return e.spawn<job>([](job j) { return j.n >= 0; }, std::move(h));
}

} // namespace

BOOST_AUTO_TEST_CASE(monitor_delivers_down_when_a_live_target_stops)
{
    seen s;
    zctor::engine e(two_workers());
    e.run();
    auto w = e.spawn<watcher>(watcher{&s});
    auto t = spawn_target(e);
    BOOST_TEST(w.ask(do_monitor{t}, timeout) == 0);
    BOOST_TEST(e.stats().watch_records == 1u);
    t.send(job{-1}); // fails: stops with failure
    BOOST_TEST(zctor_test::wait_until([&] { return s.down_count() == 1; }));
    {
        std::lock_guard lock(s.mutex);
        BOOST_TEST(s.downs[0].who == t.id());
        BOOST_TEST((s.downs[0].why.kind == stop_kind::failure));
        BOOST_TEST(s.downs[0].why.error == error::handler_failed);
    }
    BOOST_TEST(e.stats().watch_records == 0u); // released with the target
    BOOST_TEST(!w.stopped());                  // a monitor never stops the watcher
}

BOOST_AUTO_TEST_CASE(monitor_of_a_dead_target_delivers_down_at_once)
{
    seen s;
    zctor::engine e(two_workers());
    e.run();
    auto w = e.spawn<watcher>(watcher{&s});
    auto t = spawn_target(e);
    t.stop();
    BOOST_TEST(zctor_test::wait_until([&] { return t.stopped(); }));
    BOOST_TEST(w.ask(do_monitor{t}, timeout) == 0);
    BOOST_TEST(zctor_test::wait_until([&] { return s.down_count() == 1; }));
    std::lock_guard lock(s.mutex);
    BOOST_TEST(s.downs[0].who == t.id());
    BOOST_TEST((s.downs[0].why.kind == stop_kind::killed));
    BOOST_TEST(e.stats().watch_records == 0u);
}

BOOST_AUTO_TEST_CASE(monitor_of_an_empty_reference_is_refused)
{
    seen s;
    zctor::engine e(two_workers());
    e.run();
    auto w = e.spawn<watcher>(watcher{&s});
    BOOST_TEST(w.ask(do_monitor{target_ref()}, timeout) == static_cast<int>(error::actor_not_found));
    BOOST_TEST(w.ask(do_link{target_ref()}, timeout) == static_cast<int>(error::actor_not_found));
}

BOOST_AUTO_TEST_CASE(every_monitor_call_delivers_its_own_down)
{
    seen s;
    zctor::engine e(two_workers());
    e.run();
    auto w = e.spawn<watcher>(watcher{&s});
    auto t = spawn_target(e);
    BOOST_TEST(w.ask(do_monitor{t}, timeout) == 0);
    BOOST_TEST(w.ask(do_monitor{t}, timeout) == 0);
    BOOST_TEST(e.stats().watch_records == 2u);
    t.stop();
    BOOST_TEST(zctor_test::wait_until([&] { return s.down_count() == 2; }));
    BOOST_TEST(e.stats().watch_records == 0u);
}

BOOST_AUTO_TEST_CASE(demonitor_removes_the_record)
{
    seen s;
    zctor::engine e(two_workers());
    e.run();
    auto w = e.spawn<watcher>(watcher{&s});
    auto t = spawn_target(e);
    BOOST_TEST(w.ask(do_monitor{t}, timeout) == 0);
    BOOST_TEST(w.ask(do_demonitor{t}, timeout) == 0);
    BOOST_TEST(e.stats().watch_records == 0u);
    BOOST_TEST(w.ask(do_demonitor{t}, timeout) == static_cast<int>(error::actor_not_found));
}

BOOST_AUTO_TEST_CASE(records_of_a_stopped_watcher_are_released)
{
    seen s;
    zctor::engine e(two_workers());
    e.run();
    auto w = e.spawn<watcher>(watcher{&s});
    auto t1 = spawn_target(e);
    auto t2 = spawn_target(e);
    BOOST_TEST(w.ask(do_monitor{t1}, timeout) == 0);
    BOOST_TEST(w.ask(do_monitor{t2}, timeout) == 0);
    BOOST_TEST(w.ask(do_link{t2}, timeout) == 0);
    BOOST_TEST(e.stats().watch_records == 4u); // two monitors, one link (two records)
    BOOST_TEST(w.ask(do_trap{true}, timeout) == 0);
    w.stop(); // killed: t2, linked, stops too
    BOOST_TEST(zctor_test::wait_until([&] { return t2.stopped(); }));
    BOOST_TEST(zctor_test::wait_until([&] { return e.stats().watch_records == 0u; }));
    BOOST_TEST(!t1.stopped()); // only monitored by the watcher: untouched
    t1.stop();
    BOOST_TEST(zctor_test::wait_until([&] { return e.stats().actors_stopped == 3u; }));
    BOOST_TEST(e.stats().watch_records == 0u);
    BOOST_TEST(s.down_count() == 0u); // the watcher had stopped
}

BOOST_AUTO_TEST_CASE(a_linked_actor_stops_when_its_peer_fails)
{
    seen s;
    zctor::engine e(two_workers());
    e.run();
    auto w = e.spawn<watcher>(watcher{&s});
    auto t = spawn_target(e);
    BOOST_TEST(w.ask(do_link{t}, timeout) == 0);
    t.send(job{-1});
    BOOST_TEST(zctor_test::wait_until([&] { return s.has_stopped(); }));
    std::lock_guard lock(s.mutex);
    BOOST_TEST((s.stopped->kind == stop_kind::linked));
    BOOST_TEST(s.stopped->cause == t.id());
    BOOST_TEST(s.stopped->error == error::handler_failed);
    BOOST_TEST(s.stopped->abnormal());
    BOOST_TEST(s.exits.empty());
}

BOOST_AUTO_TEST_CASE(a_link_works_both_ways)
{
    seen s;
    std::mutex m;
    std::optional<zctor::stop_reason> target_stop;
    zctor::engine e(two_workers());
    e.run();
    auto w = e.spawn<watcher>(watcher{&s});
    auto t = spawn_target(e, &target_stop, &m);
    BOOST_TEST(w.ask(do_link{t}, timeout) == 0);
    w.send(fail_now{}); // the watcher fails (policy stop): the target stops, linked
    BOOST_TEST(zctor_test::wait_until([&] { return t.stopped(); }));
    BOOST_TEST(zctor_test::wait_until([&] {
        std::lock_guard lock(m);
        return target_stop.has_value();
    }));
    std::lock_guard lock(m);
    BOOST_TEST((target_stop->kind == stop_kind::linked));
    BOOST_TEST(target_stop->cause == w.id());
}

BOOST_AUTO_TEST_CASE(a_normal_stop_does_not_propagate_through_a_link)
{
    seen s;
    zctor::engine e(two_workers());
    e.run();
    auto w = e.spawn<watcher>(watcher{&s});
    std::atomic<int> handled{0};
    auto t = e.spawn<job>([&](zctor::context& ctx, job) {
        ++handled;
        ctx.stop(); // normal
    });
    BOOST_TEST(w.ask(do_link{t}, timeout) == 0);
    BOOST_TEST(w.ask(do_monitor{t}, timeout) == 0);
    t.send(job{});
    // The monitor's down comes after the link was processed (same stop, same order).
    BOOST_TEST(zctor_test::wait_until([&] { return s.down_count() == 1; }));
    BOOST_TEST(w.ask(do_trap{false}, timeout) == 0); // still alive and answering
    BOOST_TEST(!w.stopped());
    BOOST_TEST(!s.has_stopped());
    BOOST_TEST(e.stats().watch_records == 0u);
}

BOOST_AUTO_TEST_CASE(trapping_exits_turns_a_linked_stop_into_a_message)
{
    seen s;
    zctor::engine e(two_workers());
    e.run();
    auto w = e.spawn<watcher>(watcher{&s});
    auto t = spawn_target(e);
    BOOST_TEST(w.ask(do_trap{true}, timeout) == 0);
    BOOST_TEST(w.ask(do_link{t}, timeout) == 0);
    t.stop(); // killed: abnormal
    BOOST_TEST(zctor_test::wait_until([&] { return s.exit_count() == 1; }));
    {
        std::lock_guard lock(s.mutex);
        BOOST_TEST(s.exits[0].who == t.id());
        BOOST_TEST((s.exits[0].why.kind == stop_kind::killed));
    }
    BOOST_TEST(w.ask(do_trap{false}, timeout) == 0); // alive
    BOOST_TEST(!s.has_stopped());
    BOOST_TEST(e.stats().watch_records == 0u);
}

BOOST_AUTO_TEST_CASE(linking_to_a_stopped_actor_is_refused)
{
    seen s;
    zctor::engine e(two_workers());
    e.run();
    auto w = e.spawn<watcher>(watcher{&s});
    auto t = spawn_target(e);
    t.stop();
    BOOST_TEST(zctor_test::wait_until([&] { return t.stopped(); }));
    BOOST_TEST(w.ask(do_link{t}, timeout) == static_cast<int>(error::actor_stopped));
    BOOST_TEST(e.stats().watch_records == 0u);
    BOOST_TEST(!w.stopped());
}

BOOST_AUTO_TEST_CASE(a_handler_actor_sets_its_down_handler_in_on_start)
{
    zctor::engine e(two_workers());
    e.run();
    auto t = spawn_target(e);
    zctor_test::latch got(1);
    std::atomic<std::uint64_t> who{0};
    zctor::hooks h;
    h.on_start = [&](zctor::context& ctx) {
        ctx.set_down_handler([&](zctor::context&, const zctor::down& d) {
            who = d.who;
            got.count_down();
        });
        ctx.monitor(t);
    };
    auto w = e.spawn<job>([](job) {}, std::move(h));
    t.send(job{-1});
    BOOST_TEST(got.wait());
    BOOST_TEST(who.load() == t.id());
    BOOST_TEST(!w.stopped());
}

BOOST_AUTO_TEST_CASE(engine_shutdown_propagates_nothing_through_links)
{
    seen s;
    std::mutex m;
    std::optional<zctor::stop_reason> target_stop;
    {
        zctor::engine e(two_workers());
        e.run();
        auto w = e.spawn<watcher>(watcher{&s});
        auto t = spawn_target(e, &target_stop, &m);
        BOOST_TEST(w.ask(do_link{t}, timeout) == 0);
        e.stop();
        e.join();
        BOOST_TEST(e.stats().watch_records == 0u);
    }
    BOOST_TEST((s.stopped->kind == stop_kind::shutdown));
    BOOST_TEST((target_stop->kind == stop_kind::shutdown));
}
