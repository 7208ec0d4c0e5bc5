//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Handlers that fail on every Nth message, in each way a handler can fail (throwing, returning
// false, returning an error code; handler and class actors), under several producer threads. Every
// failure is counted and reported exactly once, with its exception when it threw; no failure
// stops an actor, loses a message or breaks the order of the messages that follow.
//
#define BOOST_TEST_MODULE zctor_stress_throwing_handler
#include <zctor/engine.hpp>
#include <zctor_test/checks.hpp>
#include <zctor_test/stress.hpp>
#include <zctor_test/wait.hpp>

#include <boost/system/errc.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using boost::system::error_code;
using zctor::error;

struct numbered
{
    std::uint32_t producer;
    std::uint32_t seq; // from 1, per producer and actor
};

constexpr std::size_t producers = 3;
constexpr std::uint32_t throw_every = 7, false_every = 11, code_every = 13;

struct tally
{
    std::atomic<std::uint64_t> handled{0};
    std::atomic<std::uint64_t> out_of_order{0};
    // What on_failure saw, by kind.
    std::atomic<std::uint64_t> reported_throws{0}; // handler_failed with a std::runtime_error
    std::atomic<std::uint64_t> reported_false{0};  // handler_failed without an exception
    std::atomic<std::uint64_t> reported_codes{0};  // the handler's own error code
    std::atomic<std::uint64_t> reported_other{0};
};

// Per-producer order, checked before the handler decides to fail.
class order_check
{
public:
    explicit order_check(tally& t) : t_(&t) {}
    void see(const numbered& m)
    {
        if (m.seq != last_[m.producer] + 1)
            ++t_->out_of_order;
        last_[m.producer] = m.seq;
        ++t_->handled;
    }

private:
    tally* t_;
    std::uint32_t last_[producers] = {};
};

class throwing_class_actor
{
public:
    explicit throwing_class_actor(tally& t) : check_(t) {}
    void handle(numbered m)
    {
        check_.see(m);
        if (m.seq % throw_every == 0)
            throw std::runtime_error("every Nth, from a class actor");
    }

private:
    order_check check_;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(stress, zctor_test::stress_fixture)

BOOST_AUTO_TEST_CASE(handlers_failing_on_every_nth_message)
{
    const std::uint32_t per_actor = static_cast<std::uint32_t>(zctor_test::scaled(15'000));
    tally t;
    zctor::engine_config c;
    c.thread_count = 2;
    c.on_failure = [&t](const zctor::failure& f) {
        if (f.error == error::handler_failed && f.exception)
            ++(zctor_test::thrown_as<std::runtime_error>(f.exception) ? t.reported_throws : t.reported_other);
        else if (f.error == error::handler_failed)
            ++t.reported_false;
        else if (f.error == boost::system::errc::protocol_error)
            ++t.reported_codes;
        else
            ++t.reported_other;
    };
    std::atomic<std::uint64_t> send_errors{0};
    zctor::engine_stats s;
    bool all_running = false;
    {
        zctor::engine e(c);
        std::vector<zctor::actor_ref<zctor::receives<numbered>>> refs;
        for (int k = 0; k < 2; ++k)
        {
            refs.push_back(e.spawn<numbered>([check = order_check(t)](numbered m) mutable {
                check.see(m);
                if (m.seq % throw_every == 0)
                    throw std::runtime_error("every Nth");
            }));
            refs.push_back(e.spawn<numbered>([check = order_check(t)](numbered m) mutable {
                check.see(m);
                return m.seq % false_every != 0;
            }));
            refs.push_back(e.spawn<numbered>([check = order_check(t)](numbered m) mutable -> error_code {
                check.see(m);
                if (m.seq % code_every == 0)
                    return boost::system::errc::make_error_code(boost::system::errc::protocol_error);
                return {};
            }));
            refs.push_back(e.spawn<throwing_class_actor>(t));
        }
        e.run();
        std::vector<std::thread> threads;
        for (std::uint32_t p = 0; p < producers; ++p)
            threads.emplace_back([&, p] {
                for (std::uint32_t seq = 1; seq <= per_actor; ++seq)
                    for (auto& r : refs)
                    {
                        error_code ec;
                        r.send(numbered{p, seq}, ec);
                        if (ec)
                            ++send_errors;
                    }
            });
        for (auto& th : threads)
            th.join();
        const std::uint64_t total = std::uint64_t(producers) * per_actor * refs.size();
        BOOST_TEST(
            zctor_test::wait_until([&] { return t.handled.load() >= total; }, zctor_test::stress_bound()));
        all_running = true;
        for (auto& r : refs)
            all_running = all_running && !r.stopped();
        e.stop();
        e.join();
        s = e.stats();
    }
    // Per producer and actor kind (two actors of each kind): how many of 1..per_actor fail.
    const std::uint64_t per_kind = 2 * producers;
    const std::uint64_t throws = 2 * per_kind * (per_actor / throw_every); // handler and class actors
    const std::uint64_t falses = per_kind * (per_actor / false_every);
    const std::uint64_t codes = per_kind * (per_actor / code_every);
    const std::uint64_t total = std::uint64_t(producers) * per_actor * 8;
    BOOST_TEST(send_errors == 0u);
    BOOST_TEST(all_running); // no failure stopped an actor
    BOOST_TEST(t.handled == total);
    BOOST_TEST(t.out_of_order == 0u);
    BOOST_TEST(s.messages_handled == total);
    BOOST_TEST(s.messages_dropped == 0u);
    BOOST_TEST(s.handler_failures == throws + falses + codes);
    BOOST_TEST(t.reported_throws == throws);
    BOOST_TEST(t.reported_false == falses);
    BOOST_TEST(t.reported_codes == codes);
    BOOST_TEST(t.reported_other == 0u);
    std::cout << "  " << total << " messages to 8 actors: " << s.handler_failures << " failures (" << throws
              << " thrown, " << falses << " false, " << codes << " error codes), each reported once"
              << std::endl;
}

BOOST_AUTO_TEST_SUITE_END()
