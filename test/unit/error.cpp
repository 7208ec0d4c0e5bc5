//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#define BOOST_TEST_MODULE zctor_error
// Test that the header file is self-contained.
#include <zctor/error.hpp>
// Other headers, to get the errors from the calls that report them.
#include <zctor/actor_ref.hpp>
#include <zctor/engine.hpp>

#include <boost/system/errc.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace {

using zctor::error;

// Every enumerator with the value the book gives it (the absolute value of its code).
const std::vector<std::pair<error, int>> all_errors = {
    {error::out_of_memory, 1},         {error::thread_pool_full, 2},
    {error::invalid_configuration, 3}, {error::already_started, 4},
    {error::not_started, 5},           {error::invalid_message, 10},
    {error::actor_not_found, 11},      {error::state_corrupted, 12},
    {error::handler_failed, 13},       {error::thread_creation_failed, 20},
    {error::thread_join_failed, 21},   {error::event_loop_failed, 22},
    {error::engine_stopped, 30},       {error::actor_stopped, 31},
    {error::mailbox_full, 32},         {error::timed_out, 33},
    {error::broken_promise, 34},       {error::would_deadlock, 35},
    {error::already_received, 36},     {error::name_in_use, 37},
    {error::restart_limit_reached, 38},
};

struct unrelated_message
{};

struct counter
{
    void handle(int) {}
};

} // namespace

BOOST_AUTO_TEST_CASE(category_is_named_zctor_and_unique)
{
    BOOST_TEST(std::string(zctor::error_category().name()) == "zctor");
    BOOST_TEST(&zctor::error_category() == &zctor::error_category());
    for (const auto& [e, value] : all_errors)
        BOOST_TEST((make_error_code(e).category() == zctor::error_category()));
}

BOOST_AUTO_TEST_CASE(values_are_the_books_codes)
{
    for (const auto& [e, value] : all_errors)
    {
        BOOST_TEST(static_cast<int>(e) == value);
        BOOST_TEST(make_error_code(e).value() == value);
    }
}

BOOST_AUTO_TEST_CASE(every_error_has_a_distinct_message)
{
    std::set<std::string> seen;
    const std::string unknown = zctor::error_category().message(0);
    for (const auto& [e, value] : all_errors)
    {
        const std::string m = make_error_code(e).message();
        BOOST_TEST_CONTEXT("error " << value)
        {
            BOOST_TEST(!m.empty());
            BOOST_TEST(m != unknown);
            BOOST_TEST(seen.insert(m).second, "message \"" << m << "\" is used twice");
        }
    }
    BOOST_TEST(seen.size() == all_errors.size());
}

BOOST_AUTO_TEST_CASE(converts_implicitly_to_error_code)
{
    for (const auto& [e, value] : all_errors)
    {
        boost::system::error_code ec = e; // is_error_code_enum makes this implicit
        BOOST_TEST_CONTEXT("error " << value)
        {
            BOOST_TEST(ec.value() == value);
            BOOST_TEST((ec.category() == zctor::error_category()));
            BOOST_TEST(static_cast<bool>(ec)); // no error is "success"
            BOOST_TEST(ec.failed());
            BOOST_TEST(ec == zctor::make_error_code(e));
        }
    }
}

BOOST_AUTO_TEST_CASE(comparisons)
{
    const boost::system::error_code ec = error::actor_stopped;
    BOOST_TEST((ec == error::actor_stopped));
    BOOST_TEST((error::actor_stopped == ec));
    BOOST_TEST((ec != error::actor_not_found));
    BOOST_TEST((ec != error::engine_stopped));

    // Each error equals itself only.
    for (const auto& [a, va] : all_errors)
        for (const auto& [b, vb] : all_errors)
            BOOST_TEST((make_error_code(a) == b) == (va == vb));

    // Same value, another category: not equal.
    const auto generic = boost::system::errc::make_error_code(boost::system::errc::operation_not_permitted);
    BOOST_REQUIRE(generic.value() == static_cast<int>(error::out_of_memory));
    BOOST_TEST((generic != error::out_of_memory));

    // A default error_code (success) equals no zctor error.
    const boost::system::error_code ok;
    for (const auto& [e, value] : all_errors)
        BOOST_TEST((ok != e));
}

BOOST_AUTO_TEST_CASE(converts_to_std_error_code)
{
    const boost::system::error_code ec = error::timed_out;
    const std::error_code sec = ec;
    BOOST_TEST(sec.value() == static_cast<int>(error::timed_out));
    BOOST_TEST(std::string(sec.category().name()) == "zctor");
    BOOST_TEST(sec.message() == ec.message());
}

BOOST_AUTO_TEST_CASE(streams_its_message)
{
    for (const auto& [e, value] : all_errors)
    {
        std::ostringstream os;
        os << e;
        BOOST_TEST(os.str() == make_error_code(e).message());
    }
}

BOOST_AUTO_TEST_CASE(throw_error_throws_system_error_with_the_code)
{
    try
    {
        zctor::detail::throw_error(error::state_corrupted, "here");
        BOOST_FAIL("throw_error returned");
    }
    catch (const boost::system::system_error& e)
    {
        BOOST_TEST((e.code() == error::state_corrupted));
        BOOST_TEST(std::string(e.what()).find("here") != std::string::npos);
    }
    BOOST_CHECK_NO_THROW(zctor::detail::throw_if({}, "never"));
}

// The throwing overloads carry the code that the error_code overloads report.

BOOST_AUTO_TEST_CASE(throwing_overloads_carry_the_code)
{
    auto code_of = [](auto&& f) -> boost::system::error_code {
        try
        {
            f();
        }
        catch (const boost::system::system_error& e)
        {
            return e.code();
        }
        return {};
    };

    zctor::engine_config config;
    config.thread_count = 1;
    zctor::engine eng(config);

    BOOST_TEST((code_of([&] { eng.join(); }) == error::not_started));
    boost::system::error_code ec;
    eng.join(ec);
    BOOST_TEST((ec == error::not_started));

    BOOST_TEST((code_of([&] { eng.send(unrelated_message{}); }) == error::actor_not_found));
    eng.send(unrelated_message{}, ec);
    BOOST_TEST((ec == error::actor_not_found));

    zctor::actor_ref<counter> empty;
    BOOST_TEST((code_of([&] { empty.send(1); }) == error::actor_not_found));

    eng.run();
    BOOST_TEST((code_of([&] { eng.run(); }) == error::already_started));
    eng.run(ec);
    BOOST_TEST((ec == error::already_started));

    eng.stop();
    BOOST_TEST((code_of([&] { eng.spawn<counter>(); }) == error::engine_stopped));
    BOOST_TEST((code_of([&] { eng.join(); }) == boost::system::error_code()));
    BOOST_TEST((code_of([&] { eng.run(); }) == error::engine_stopped));

    zctor::engine_config bad;
    bad.batch_size = 0;
    BOOST_TEST((code_of([&] { zctor::engine e(bad); }) == error::invalid_configuration));
}
