//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Supervisors: strategies with a child failing in the middle of the start order, restart types,
// intensity and escalation, backoff, nested trees and the shutdown order.
//
#define BOOST_TEST_MODULE zctor_supervisor
#include <zctor/supervisor.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using boost::system::error_code;
using zctor::error;
using zctor::restart_type;
using zctor::supervisor_event_kind;

/// What happened, in order: workers' on_stop ("stop:x") and supervisors' events ("started:x",
/// "down:x", "scheduled:x", "gave_up:sup", "stopped:sup"). A worker's stop is recorded before its
/// supervisor hears of it, and a supervisor stopping children in order waits for each on_stop, so
/// the order is deterministic.
class recorder
{
public:
    void add(std::string s)
    {
        std::lock_guard lock(m_);
        v_.push_back(std::move(s));
    }
    std::vector<std::string> all() const
    {
        std::lock_guard lock(m_);
        return v_;
    }
    std::size_t size() const
    {
        std::lock_guard lock(m_);
        return v_.size();
    }
    std::vector<std::string> since(std::size_t n) const
    {
        std::lock_guard lock(m_);
        return {v_.begin() + static_cast<std::ptrdiff_t>(std::min(n, v_.size())), v_.end()};
    }
    bool wait_for(std::size_t n) const
    {
        return zctor_test::wait_until([&] { return size() >= n; });
    }

private:
    mutable std::mutex m_;
    std::vector<std::string> v_;
};

struct bump
{
    using reply_type = int;
};
struct fail
{};
struct quit
{};

// A child with state (a counter) that fails on `fail` and stops normally on `quit`.
class worker
{
public:
    static constexpr zctor::failure_policy on_failure = zctor::failure_policy::stop;

    worker(std::string name, recorder* rec) : name_(std::move(name)), rec_(rec) {}

    void on_stop(const zctor::stop_reason&) { rec_->add("stop:" + name_); }
    int handle(const bump&) { return ++count_; }
    bool handle(const fail&) { return false; }
    void handle(zctor::context& ctx, const quit&) { ctx.stop(); }

private:
    std::string name_;
    recorder* rec_;
    int count_ = 0;
};

zctor::child_spec child(const std::string& name, recorder& rec, restart_type r = restart_type::permanent)
{
    return {name, [name, rec = &rec](zctor::context& ctx) { return ctx.spawn<worker>(name, rec); }, r, name};
}

zctor::supervisor_options options(recorder& rec, const std::string& sup, zctor::restart_strategy s)
{
    zctor::supervisor_options o;
    o.strategy = s;
    o.max_restarts = 10;
    o.within = 1h;
    o.on_event = [&rec, sup](const zctor::supervisor_event& e) {
        switch (e.kind)
        {
        case supervisor_event_kind::child_started: rec.add("started:" + e.child); break;
        case supervisor_event_kind::child_stopped: rec.add("down:" + e.child); break;
        case supervisor_event_kind::restart_scheduled: rec.add("scheduled:" + e.child); break;
        case supervisor_event_kind::gave_up: rec.add("gave_up:" + sup); break;
        case supervisor_event_kind::stopped: rec.add("stopped:" + sup); break;
        }
    };
    return o;
}

zctor::engine_config two_workers()
{
    zctor::engine_config c;
    c.thread_count = 2;
    return c;
}

std::vector<std::string> list(std::initializer_list<const char*> l) { return {l.begin(), l.end()}; }

zctor::actor_ref<worker> child_of(const zctor::actor_ref<zctor::supervisor>& sup, const std::string& id)
{
    zctor::child_ref c = sup.ask(zctor::get_child{id}, zctor_test::default_timeout);
    return c ? c.as<worker>() : zctor::actor_ref<worker>();
}

// Fails child `id` of a supervisor whose children were started as a, b, c..., after bumping each
// child once; returns the ids of the children before the failure.
std::vector<std::uint64_t> bump_all(const zctor::actor_ref<zctor::supervisor>& sup,
                                    const std::vector<std::string>& ids)
{
    std::vector<std::uint64_t> out;
    for (const auto& id : ids)
    {
        auto w = child_of(sup, id);
        BOOST_TEST_REQUIRE(static_cast<bool>(w));
        BOOST_TEST(w.ask(bump{}, zctor_test::default_timeout) == 1);
        out.push_back(w.id());
    }
    return out;
}

// After a restart: which children are new incarnations (fresh state: the counter starts over),
// which are the same actor (the counter goes on).
void check_fresh(const zctor::actor_ref<zctor::supervisor>& sup, const std::vector<std::string>& ids,
                 const std::vector<std::uint64_t>& before, const std::vector<bool>& restarted)
{
    for (std::size_t i = 0; i < ids.size(); ++i)
    {
        auto w = child_of(sup, ids[i]);
        BOOST_TEST_REQUIRE(static_cast<bool>(w));
        BOOST_TEST((w.id() != before[i]) == restarted[i], ids[i]);
        BOOST_TEST(w.ask(bump{}, zctor_test::default_timeout) == (restarted[i] ? 1 : 2), ids[i]);
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(starts_children_in_order_and_reports_them)
{
    recorder rec;
    zctor::engine e(two_workers());
    e.run();
    auto sup = e.spawn<zctor::supervisor>(options(rec, "sup", zctor::restart_strategy::one_for_one),
                                          std::vector{child("a", rec), child("b", rec), child("c", rec)});
    BOOST_TEST_REQUIRE(rec.wait_for(3));
    BOOST_TEST(rec.all() == list({"started:a", "started:b", "started:c"}), boost::test_tools::per_element());
    auto children = sup.ask(zctor::which_children{}, zctor_test::default_timeout);
    BOOST_TEST_REQUIRE(children.size() == 3u);
    for (const auto& c : children)
    {
        BOOST_TEST(static_cast<bool>(c.ref));
        BOOST_TEST(c.restarts == 0u);
        BOOST_TEST(!c.restart_pending);
        // Registered under its name: lookup reaches the same actor.
        BOOST_TEST(e.lookup<worker>(c.id).id() == c.ref.id());
    }
    BOOST_TEST(!child_of(sup, "nope"));
}

BOOST_AUTO_TEST_CASE(one_for_one_restarts_only_the_failed_child)
{
    recorder rec;
    zctor::engine e(two_workers());
    e.run();
    auto sup = e.spawn<zctor::supervisor>(options(rec, "sup", zctor::restart_strategy::one_for_one),
                                          std::vector{child("a", rec), child("b", rec), child("c", rec)});
    BOOST_TEST_REQUIRE(rec.wait_for(3));
    const auto ids = list({"a", "b", "c"});
    const auto before = bump_all(sup, ids);
    auto old_b = e.lookup<worker>("b");
    const std::size_t mark = rec.size();
    old_b.send(fail{});
    BOOST_TEST_REQUIRE(rec.wait_for(mark + 4));
    BOOST_TEST(rec.since(mark) == list({"stop:b", "down:b", "scheduled:b", "started:b"}),
               boost::test_tools::per_element());
    check_fresh(sup, ids, before, {false, true, false});
    // The old incarnation stays stopped; its holder gets actor_stopped.
    error_code ec;
    old_b.send(bump{}, ec);
    BOOST_TEST(ec == error::actor_stopped);
    BOOST_TEST(e.lookup<worker>("b").id() != old_b.id()); // the name follows the new one
    BOOST_TEST(sup.ask(zctor::which_children{}, zctor_test::default_timeout)[1].restarts == 1u);
}

BOOST_AUTO_TEST_CASE(one_for_all_stops_the_others_in_reverse_and_restarts_all_in_order)
{
    recorder rec;
    zctor::engine e(two_workers());
    e.run();
    auto sup = e.spawn<zctor::supervisor>(options(rec, "sup", zctor::restart_strategy::one_for_all),
                                          std::vector{child("a", rec), child("b", rec), child("c", rec)});
    BOOST_TEST_REQUIRE(rec.wait_for(3));
    const auto ids = list({"a", "b", "c"});
    const auto before = bump_all(sup, ids);
    const std::size_t mark = rec.size();
    e.lookup<worker>("b").send(fail{});
    BOOST_TEST_REQUIRE(rec.wait_for(mark + 8));
    BOOST_TEST(rec.since(mark) == list({"stop:b", "down:b", "stop:c", "stop:a", "scheduled:b", "started:a",
                                        "started:b", "started:c"}),
               boost::test_tools::per_element());
    check_fresh(sup, ids, before, {true, true, true});
}

BOOST_AUTO_TEST_CASE(rest_for_one_restarts_the_failed_child_and_those_after_it)
{
    recorder rec;
    zctor::engine e(two_workers());
    e.run();
    auto sup = e.spawn<zctor::supervisor>(
        options(rec, "sup", zctor::restart_strategy::rest_for_one),
        std::vector{child("a", rec), child("b", rec), child("c", rec), child("d", rec)});
    BOOST_TEST_REQUIRE(rec.wait_for(4));
    const auto ids = list({"a", "b", "c", "d"});
    const auto before = bump_all(sup, ids);
    const std::size_t mark = rec.size();
    e.lookup<worker>("b").send(fail{});
    BOOST_TEST_REQUIRE(rec.wait_for(mark + 8));
    BOOST_TEST(rec.since(mark) == list({"stop:b", "down:b", "stop:d", "stop:c", "scheduled:b", "started:b",
                                        "started:c", "started:d"}),
               boost::test_tools::per_element());
    check_fresh(sup, ids, before, {false, true, true, true});
}

BOOST_AUTO_TEST_CASE(restart_types_decide_which_stops_are_restarted)
{
    recorder rec;
    zctor::engine e(two_workers());
    e.run();
    auto sup = e.spawn<zctor::supervisor>(options(rec, "sup", zctor::restart_strategy::one_for_one),
                                          std::vector{child("perm", rec, restart_type::permanent),
                                                      child("trans", rec, restart_type::transient),
                                                      child("temp", rec, restart_type::temporary),
                                                      child("trans2", rec, restart_type::transient)});
    BOOST_TEST_REQUIRE(rec.wait_for(4));

    // A normal stop: permanent restarted, transient not.
    std::size_t mark = rec.size();
    e.lookup<worker>("perm").send(quit{});
    BOOST_TEST_REQUIRE(rec.wait_for(mark + 4));
    BOOST_TEST(rec.since(mark) == list({"stop:perm", "down:perm", "scheduled:perm", "started:perm"}),
               boost::test_tools::per_element());

    mark = rec.size();
    e.lookup<worker>("trans").send(quit{});
    BOOST_TEST_REQUIRE(rec.wait_for(mark + 2));

    // An abnormal stop: transient restarted, temporary removed.
    e.lookup<worker>("trans2").send(fail{});
    BOOST_TEST_REQUIRE(rec.wait_for(mark + 6));
    e.lookup<worker>("temp").send(fail{});
    BOOST_TEST_REQUIRE(rec.wait_for(mark + 8));
    BOOST_TEST(rec.since(mark) == list({"stop:trans", "down:trans", "stop:trans2", "down:trans2",
                                        "scheduled:trans2", "started:trans2", "stop:temp", "down:temp"}),
               boost::test_tools::per_element());

    const auto children = sup.ask(zctor::which_children{}, zctor_test::default_timeout);
    BOOST_TEST_REQUIRE(children.size() == 3u); // temp is gone
    BOOST_TEST(children[0].id == "perm");
    BOOST_TEST(static_cast<bool>(children[0].ref));
    BOOST_TEST(children[0].restarts == 1u);
    BOOST_TEST(children[1].id == "trans");
    BOOST_TEST(!children[1].ref); // stopped normally, not restarted
    BOOST_TEST(!children[1].restart_pending);
    BOOST_TEST(children[2].id == "trans2");
    BOOST_TEST(static_cast<bool>(children[2].ref));
    BOOST_TEST(children[2].restarts == 1u);
    error_code ec;
    (void)e.lookup<worker>("temp", ec);
    BOOST_TEST(ec == error::actor_not_found);
    (void)e.lookup<worker>("trans", ec);
    BOOST_TEST(ec == error::actor_not_found);
}

BOOST_AUTO_TEST_CASE(intensity_exceeded_stops_children_in_reverse_and_escalates)
{
    recorder rec;
    zctor::engine e(two_workers());
    e.run();
    auto inner = options(rec, "sub", zctor::restart_strategy::one_for_one);
    inner.max_restarts = 1; // the second failure within the hour is one too many
    auto outer = options(rec, "top", zctor::restart_strategy::one_for_one);
    std::vector<zctor::stop_reason> sub_stops;
    std::mutex m;
    auto record_outer = outer.on_event;
    outer.on_event = [&, record_outer](const zctor::supervisor_event& ev) {
        if (ev.kind == supervisor_event_kind::child_stopped && ev.child == "sub")
        {
            std::lock_guard lock(m);
            sub_stops.push_back(ev.why);
        }
        record_outer(ev);
    };
    auto top = e.spawn<zctor::supervisor>(
        outer,
        std::vector{child("a", rec),
                    zctor::supervisor_child("sub", inner,
                                            std::vector{child("x", rec), child("y", rec), child("z", rec)})});
    // a, sub, then sub's children (on sub's strand, after top has recorded sub's start).
    BOOST_TEST_REQUIRE(rec.wait_for(5));
    const auto a_id = e.lookup<worker>("a").id();

    std::size_t mark = rec.size();
    e.lookup<worker>("y").send(fail{});
    BOOST_TEST_REQUIRE(rec.wait_for(mark + 4));
    BOOST_TEST(rec.since(mark) == list({"stop:y", "down:y", "scheduled:y", "started:y"}),
               boost::test_tools::per_element());

    // Second failure: sub gives up, stops z then x (y is dead), stops itself; top restarts it.
    mark = rec.size();
    e.lookup<worker>("y").send(fail{});
    BOOST_TEST_REQUIRE(rec.wait_for(mark + 12));
    auto seen = rec.since(mark);
    BOOST_TEST_REQUIRE(seen.size() == 12u);
    const std::vector<std::string> stopping(seen.begin(), seen.begin() + 8);
    BOOST_TEST(stopping == list({"stop:y", "down:y", "gave_up:sub", "stop:z", "stop:x", "stopped:sub",
                                 "down:sub", "scheduled:sub"}),
               boost::test_tools::per_element());
    // The new sub starts its children on its own strand, maybe before top has reported its start.
    std::vector<std::string> restarting(seen.begin() + 8, seen.end());
    BOOST_TEST(std::erase(restarting, "started:sub") == 1u);
    BOOST_TEST(restarting == list({"started:x", "started:y", "started:z"}), boost::test_tools::per_element());
    {
        std::lock_guard lock(m);
        BOOST_TEST_REQUIRE(sub_stops.size() == 1u);
        BOOST_TEST((sub_stops[0].kind == zctor::stop_kind::failure));
        BOOST_TEST(sub_stops[0].error == error::restart_limit_reached);
    }
    BOOST_TEST(e.lookup<worker>("a").id() == a_id); // one_for_one at the top: a untouched
    const auto children = top.ask(zctor::which_children{}, zctor_test::default_timeout);
    BOOST_TEST(children[1].restarts == 1u);
}

BOOST_AUTO_TEST_CASE(a_root_supervisor_that_gives_up_stops)
{
    recorder rec;
    zctor::engine e(two_workers());
    e.run();
    auto o = options(rec, "sup", zctor::restart_strategy::one_for_one);
    o.max_restarts = 0; // no restart at all
    auto sup = e.spawn<zctor::supervisor>(o, std::vector{child("a", rec), child("b", rec), child("c", rec)});
    BOOST_TEST_REQUIRE(rec.wait_for(3));
    const std::size_t mark = rec.size();
    e.lookup<worker>("a").send(fail{});
    BOOST_TEST_REQUIRE(rec.wait_for(mark + 6));
    BOOST_TEST(rec.since(mark) ==
                   list({"stop:a", "down:a", "gave_up:sup", "stop:c", "stop:b", "stopped:sup"}),
               boost::test_tools::per_element());
    BOOST_TEST(zctor_test::wait_until([&] { return sup.stopped(); }));
    BOOST_TEST(e.stats().registered_names == 0u);
}

BOOST_AUTO_TEST_CASE(backoff_delays_each_restart_more)
{
    recorder rec;
    zctor::engine e(two_workers());
    e.run();
    auto o = options(rec, "sup", zctor::restart_strategy::one_for_one);
    o.backoff.initial = 20ms;
    o.backoff.multiplier = 3.0;
    o.backoff.max = 100ms;
    std::mutex m;
    std::vector<std::chrono::steady_clock::duration> delays;
    std::vector<error_code> lookups; // the name while the restart waits
    auto record = o.on_event;
    o.on_event = [&, record](const zctor::supervisor_event& ev) {
        if (ev.kind == supervisor_event_kind::restart_scheduled)
        {
            error_code ec;
            (void)e.lookup<worker>("a", ec);
            std::lock_guard lock(m);
            delays.push_back(ev.delay);
            lookups.push_back(ec);
        }
        record(ev);
    };
    auto sup = e.spawn<zctor::supervisor>(o, std::vector{child("a", rec)});
    BOOST_TEST_REQUIRE(rec.wait_for(1));
    for (int i = 1; i <= 3; ++i)
    {
        const std::size_t mark = rec.size();
        e.lookup<worker>("a").send(fail{});
        // The child is back only after the delay: until then the name finds nothing, and the
        // supervisor reports the restart pending.
        BOOST_TEST_REQUIRE(rec.wait_for(mark + 3));
        BOOST_TEST(rec.since(mark) == list({"stop:a", "down:a", "scheduled:a"}),
                   boost::test_tools::per_element());
        BOOST_TEST_REQUIRE(rec.wait_for(mark + 4));
        BOOST_TEST(rec.since(mark + 3) == list({"started:a"}), boost::test_tools::per_element());
        error_code ec;
        auto back = e.lookup<worker>("a", ec);
        BOOST_TEST(!ec);
        BOOST_TEST(back.ask(bump{}, zctor_test::default_timeout) == 1);
    }
    std::lock_guard lock(m);
    BOOST_TEST_REQUIRE(delays.size() == 3u);
    BOOST_TEST((delays[0] == 20ms));
    BOOST_TEST((delays[1] == 60ms));
    BOOST_TEST((delays[2] == 100ms)); // 180 ms, capped
    for (const auto& ec : lookups)
        BOOST_TEST(ec == error::actor_not_found);
    BOOST_TEST(sup.ask(zctor::which_children{}, zctor_test::default_timeout)[0].restarts == 3u);
}

BOOST_AUTO_TEST_CASE(backoff_pending_restart_is_visible)
{
    recorder rec;
    zctor::engine e(two_workers());
    e.run();
    auto o = options(rec, "sup", zctor::restart_strategy::one_for_one);
    o.backoff.initial = 1h; // never comes in this test: the engine stops first
    auto sup = e.spawn<zctor::supervisor>(o, std::vector{child("a", rec), child("b", rec)});
    BOOST_TEST_REQUIRE(rec.wait_for(2));
    const std::size_t mark = rec.size();
    e.lookup<worker>("a").send(fail{});
    BOOST_TEST_REQUIRE(rec.wait_for(mark + 3));
    const auto children = sup.ask(zctor::which_children{}, zctor_test::default_timeout);
    BOOST_TEST(!children[0].ref);
    BOOST_TEST(children[0].restart_pending);
    BOOST_TEST(static_cast<bool>(children[1].ref));
    // The engine stops without waiting for the timer: b stops, then the supervisor.
    e.stop();
    e.join();
    BOOST_TEST(rec.since(mark) == list({"stop:a", "down:a", "scheduled:a", "stop:b", "stopped:sup"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(engine_stop_stops_trees_from_the_top_children_first_in_reverse_order)
{
    recorder rec;
    std::size_t mark = 0;
    {
        zctor::engine e(two_workers());
        e.run();
        (void)e.spawn<zctor::supervisor>(
            options(rec, "root", zctor::restart_strategy::one_for_one),
            std::vector{child("a", rec),
                        zctor::supervisor_child("sub",
                                                options(rec, "sub", zctor::restart_strategy::one_for_all),
                                                std::vector{child("c", rec), child("d", rec)}),
                        child("e", rec)});
        BOOST_TEST_REQUIRE(rec.wait_for(5));
        mark = rec.size();
        e.stop();
        e.join();
    }
    BOOST_TEST(rec.since(mark) ==
                   list({"stop:e", "stop:d", "stop:c", "stopped:sub", "stop:a", "stopped:root"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_child_that_fails_to_start_fails_the_supervisor)
{
    recorder rec;
    zctor::engine e(two_workers());
    e.run();
    auto o = options(rec, "sup", zctor::restart_strategy::one_for_one);
    zctor::child_spec broken{"broken", [](zctor::context&) -> zctor::child_ref { return {}; }};
    auto sup = e.spawn<zctor::supervisor>(o, std::vector{child("a", rec), broken, child("c", rec)});
    BOOST_TEST_REQUIRE(rec.wait_for(4));
    BOOST_TEST(rec.all() == list({"started:a", "gave_up:sup", "stop:a", "stopped:sup"}),
               boost::test_tools::per_element());
    BOOST_TEST(zctor_test::wait_until([&] { return sup.stopped(); }));
}

BOOST_AUTO_TEST_CASE(bad_specifications_are_refused_at_spawn)
{
    recorder rec;
    zctor::engine e(two_workers());
    auto o = options(rec, "sup", zctor::restart_strategy::one_for_one);
    auto expect_invalid = [&](const zctor::supervisor_options& opts, std::vector<zctor::child_spec> specs) {
        try
        {
            (void)e.spawn<zctor::supervisor>(opts, std::move(specs));
            BOOST_TEST(false, "spawn accepted a bad specification");
        }
        catch (const boost::system::system_error& ex)
        {
            BOOST_TEST(ex.code() == error::invalid_configuration);
        }
    };
    expect_invalid(o, {child("a", rec), child("a", rec)});
    expect_invalid(o, {zctor::child_spec{"empty", {}}});
    auto bad = o;
    bad.backoff.multiplier = 0.5;
    expect_invalid(bad, {child("a", rec)});
    BOOST_TEST(e.stats().actors_spawned == 0u);
}
