//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// The name registry: register, lookup, unregister, and the removal of a stopped actor's names.
//
#define BOOST_TEST_MODULE zctor_registry
#include <zctor/engine.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>

namespace {

using boost::system::error_code;
using zctor::error;

struct job
{
    int n = 0;
};

struct counter
{
    using reply_type = int;
};

struct counting
{
    int n = 0;
    void handle(job) { ++n; }
    int handle(counter) { return n; }
};

zctor::engine_config two_workers()
{
    zctor::engine_config c;
    c.thread_count = 2;
    return c;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_registered_actor_is_found_by_name)
{
    zctor::engine e(two_workers());
    e.run();
    auto a = e.spawn<counting>();
    e.register_name("counter", a);
    auto found = e.lookup<counting>("counter");
    BOOST_TEST((found == a));
    found.send(job{});
    BOOST_TEST(a.ask(counter{}, zctor_test::default_timeout) == 1);
    BOOST_TEST(e.stats().registered_names == 1u);
    // A handler actor is looked up as receives<M>.
    std::atomic<int> handled{0};
    auto h = e.spawn<job>([&](job) { ++handled; });
    e.register_name("handler", h);
    e.lookup<zctor::receives<job>>("handler").send(job{});
    BOOST_TEST(zctor_test::wait_until([&] { return handled.load() == 1; }));
}

BOOST_AUTO_TEST_CASE(an_unknown_name_is_actor_not_found)
{
    zctor::engine e(two_workers());
    error_code ec;
    auto r = e.lookup<counting>("nobody", ec);
    BOOST_TEST(ec == error::actor_not_found);
    BOOST_TEST(!r);
    BOOST_CHECK_EXCEPTION(e.lookup<counting>("nobody"), boost::system::system_error,
                          [](const auto& ex) { return ex.code() == error::actor_not_found; });
}

BOOST_AUTO_TEST_CASE(a_name_belongs_to_one_actor)
{
    zctor::engine e(two_workers());
    auto a = e.spawn<counting>();
    auto b = e.spawn<counting>();
    e.register_name("x", a);
    e.register_name("x", a); // again, same actor: nothing happens
    error_code ec;
    e.register_name("x", b, ec);
    BOOST_TEST(ec == error::name_in_use);
    BOOST_TEST((e.lookup<counting>("x") == a));
    e.register_name("y", a); // several names for one actor
    BOOST_TEST(e.stats().registered_names == 2u);
}

BOOST_AUTO_TEST_CASE(unregister_removes_the_name)
{
    zctor::engine e(two_workers());
    auto a = e.spawn<counting>();
    e.register_name("x", a);
    e.unregister_name("x");
    error_code ec;
    (void)e.lookup<counting>("x", ec);
    BOOST_TEST(ec == error::actor_not_found);
    e.unregister_name("x", ec);
    BOOST_TEST(ec == error::actor_not_found);
    BOOST_CHECK_THROW(e.unregister_name("x"), boost::system::system_error);
    auto b = e.spawn<counting>();
    e.register_name("x", b); // free again
    BOOST_TEST((e.lookup<counting>("x") == b));
}

BOOST_AUTO_TEST_CASE(a_stopped_actors_names_go_away_by_themselves)
{
    zctor::engine e(two_workers());
    e.run();
    auto a = e.spawn<counting>();
    e.register_name("x", a);
    e.register_name("y", a);
    a.stop();
    BOOST_TEST(zctor_test::wait_until([&] { return e.stats().registered_names == 0u; }));
    error_code ec;
    (void)e.lookup<counting>("x", ec);
    BOOST_TEST(ec == error::actor_not_found);
    // Registering a stopped actor is refused; the name is free for another.
    e.register_name("x", a, ec);
    BOOST_TEST(ec == error::actor_stopped);
    auto b = e.spawn<counting>();
    e.register_name("x", b);
    BOOST_TEST((e.lookup<counting>("x") == b));
}

BOOST_AUTO_TEST_CASE(bad_input_is_refused)
{
    zctor::engine e(two_workers());
    auto a = e.spawn<counting>();
    error_code ec;
    e.register_name("", a, ec);
    BOOST_TEST(ec == error::invalid_message);
    e.register_name("x", zctor::actor_ref<counting>(), ec);
    BOOST_TEST(ec == error::actor_not_found);
    e.register_name("x", a);
    (void)e.lookup<zctor::receives<job>>("x", ec); // a class actor, looked up as something else
    BOOST_TEST(ec == error::invalid_message);
}

BOOST_AUTO_TEST_CASE(engine_stop_clears_the_registry)
{
    zctor::engine e(two_workers());
    e.run();
    e.register_name("x", e.spawn<counting>());
    e.stop();
    e.join();
    BOOST_TEST(e.stats().registered_names == 0u);
    error_code ec;
    (void)e.lookup<counting>("x", ec);
    BOOST_TEST(ec == error::actor_not_found);
}
