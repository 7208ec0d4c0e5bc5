//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Several producer threads and many actors: every message is handled exactly once, and the
// messages of one sender reach one actor in the order they were sent.
//
#define BOOST_TEST_MODULE zctor_engine_concurrency
#include <zctor/engine.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <latch>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace {

using boost::system::error_code;
using zctor::error;

struct numbered
{
    int producer = 0;
    int seq = 0;
};

/// One actor's view of every producer: the next sequence number it expects from each.
class sequence_checker
{
public:
    explicit sequence_checker(int producers, std::atomic<int>& handled, std::atomic<int>& out_of_order)
        : expected_(producers, 0), handled_(&handled), out_of_order_(&out_of_order)
    {}

    void handle(numbered m)
    {
        if (m.seq != expected_[m.producer])
            ++*out_of_order_;
        expected_[m.producer] = m.seq + 1;
        ++*handled_;
    }

private:
    std::vector<int> expected_;
    std::atomic<int>* handled_;
    std::atomic<int>* out_of_order_;
};

zctor::engine_config workers(std::size_t n, std::size_t batch = 64)
{
    zctor::engine_config c;
    c.thread_count = n;
    c.batch_size = batch;
    return c;
}

} // namespace

BOOST_AUTO_TEST_CASE(producers_times_actors_exactly_once_in_sender_order)
{
    constexpr int producers = 4, actors = 16, per_actor = 2000;
    // A small batch makes actors yield to each other often, exercising re-scheduling.
    zctor::engine e(workers(2, 7));
    std::atomic<int> handled{0}, out_of_order{0};
    std::vector<zctor::actor_ref<sequence_checker>> refs;
    for (int i = 0; i < actors; ++i)
        refs.push_back(e.spawn<sequence_checker>(producers, handled, out_of_order));
    e.run();
    std::atomic<int> send_errors{0};
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p)
        threads.emplace_back([&, p] {
            std::vector<int> seq(actors, 0);
            for (int i = 0; i < per_actor * actors; ++i)
            {
                const int a = (i * 7 + p) % actors;
                error_code ec;
                refs[a].send(numbered{p, seq[a]++}, ec);
                if (ec)
                    ++send_errors;
            }
        });
    for (auto& t : threads)
        t.join();
    constexpr int total = producers * actors * per_actor;
    BOOST_TEST(zctor_test::wait_until([&] { return handled.load() >= total; }));
    e.stop();
    e.join();
    BOOST_TEST(send_errors == 0);
    BOOST_TEST(handled == total); // not one more: nothing handled twice
    BOOST_TEST(out_of_order == 0);
    BOOST_TEST(e.stats().messages_handled == std::uint64_t(total));
    BOOST_TEST(e.stats().messages_dropped == 0u);
}

namespace {

struct token
{
    int hops_left = 0;
};

} // namespace

BOOST_AUTO_TEST_CASE(actors_passing_messages_around_a_ring)
{
    constexpr int actors = 20, tokens = 50, hops = 400;
    zctor::engine e(workers(2));
    std::vector<zctor::actor_ref<zctor::receives<token>>> ring(actors);
    std::atomic<int> total_hops{0};
    zctor_test::latch finished(tokens);
    for (int i = 0; i < actors; ++i)
        ring[i] = e.spawn<token>([&, i](token t) {
            ++total_hops;
            if (t.hops_left == 0)
                finished.count_down();
            else
                ring[(i + 1) % actors].send(token{t.hops_left - 1});
        });
    e.run();
    for (int t = 0; t < tokens; ++t)
        ring[t % actors].send(token{hops});
    BOOST_TEST(finished.wait());
    BOOST_TEST(total_hops == tokens * (hops + 1));
    e.stop();
    e.join();
    BOOST_TEST(finished.count() == 0);
}

BOOST_AUTO_TEST_CASE(publish_to_many_actors_while_others_send)
{
    constexpr int actors = 1000;
    zctor::engine e(workers(2));
    std::atomic<int> got{0};
    for (int i = 0; i < actors; ++i)
        e.spawn<numbered>([&](numbered) { ++got; });
    e.run();
    std::thread sender([&] {
        for (int i = 0; i < 10 * actors; ++i)
            e.send(numbered{0, i});
    });
    BOOST_TEST(e.publish(numbered{1, 0}) == std::size_t(actors));
    sender.join();
    BOOST_TEST(zctor_test::wait_until([&] { return got == 11 * actors; }));
    e.stop();
    e.join();
    BOOST_TEST(got == 11 * actors);
}

BOOST_AUTO_TEST_CASE(concurrent_spawns_give_unique_working_actors)
{
    constexpr int threads_n = 4, per_thread = 250;
    zctor::engine e(workers(2));
    e.run();
    std::mutex m;
    std::set<std::uint64_t> ids;
    std::atomic<int> handled{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < threads_n; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < per_thread; ++i)
            {
                auto ref = e.spawn<numbered>([&](numbered) { ++handled; });
                ref.send(numbered{});
                std::lock_guard lock(m);
                ids.insert(ref.id());
            }
        });
    for (auto& t : threads)
        t.join();
    BOOST_TEST(ids.size() == std::size_t(threads_n * per_thread));
    BOOST_TEST(zctor_test::wait_until([&] { return handled == threads_n * per_thread; }));
    e.stop();
    e.join();
    BOOST_TEST(e.stats().actors_spawned == std::uint64_t(threads_n * per_thread));
    BOOST_TEST(e.stats().actors_stopped == std::uint64_t(threads_n * per_thread));
}

BOOST_AUTO_TEST_CASE(sends_racing_an_actor_stop_are_all_accounted_for)
{
    constexpr int rounds = 20, senders = 2;
    zctor::engine e(workers(2));
    e.run();
    std::atomic<std::uint64_t> handled{0};
    std::uint64_t accepted = 0;
    std::atomic<int> unexpected{0};
    for (int r = 0; r < rounds; ++r)
    {
        auto ref = e.spawn<numbered>([&](numbered) { ++handled; });
        std::atomic<std::uint64_t> ok{0};
        std::latch go(senders + 1);
        std::vector<std::thread> threads;
        for (int s = 0; s < senders; ++s)
            threads.emplace_back([&] {
                go.arrive_and_wait();
                for (;;)
                {
                    error_code ec;
                    ref.send(numbered{}, ec);
                    if (ec)
                    {
                        if (ec != error::actor_stopped)
                            ++unexpected;
                        return;
                    }
                    ++ok;
                }
            });
        go.arrive_and_wait();
        ref.stop();
        for (auto& t : threads)
            t.join();
        accepted += ok;
        BOOST_TEST(zctor_test::wait_until([&] { return ref.stopped(); }));
    } // each round's last reference goes here: late messages are freed and counted
    e.stop();
    e.join();
    const auto s = e.stats();
    BOOST_TEST(unexpected == 0);
    BOOST_TEST(s.messages_handled == handled.load());
    BOOST_TEST(s.messages_handled + s.messages_dropped == accepted);
}

namespace {
struct ball
{};
struct kick
{};
} // namespace

// Fairness on one worker: two actors that keep activating each other (a ping-pong on the
// worker's own last-in-first-out list) must not starve an actor activated before them.
BOOST_AUTO_TEST_CASE(ping_pong_on_one_worker_does_not_starve_an_earlier_activation)
{
    zctor::engine eng(workers(1));
    std::atomic<bool> starved_ran{false};
    std::atomic<long> volleys{0};
    zctor::actor_ref<zctor::receives<ball>> a, b;
    auto victim = eng.spawn<kick>([&](kick) { starved_ran = true; });
    // The players keep the ball moving until the victim has run (or a bound is hit, so that a
    // starving scheduler fails the test instead of spinning forever).
    constexpr long bound = 5'000'000;
    a = eng.spawn<ball>([&](ball) {
        if (!starved_ran && ++volleys < bound)
            b.send(ball{});
    });
    b = eng.spawn<ball>([&](ball) {
        if (!starved_ran && ++volleys < bound)
            a.send(ball{});
    });
    // From the worker itself, the victim first, then the ball: both on the worker's own list.
    auto starter = eng.spawn<kick>([&](kick) {
        victim.send(kick{});
        a.send(ball{});
    });
    eng.run();
    starter.send(kick{});
    BOOST_TEST(zctor_test::wait_until([&] { return starved_ran.load() || volleys.load() >= bound; }));
    BOOST_TEST(starved_ran.load());
    BOOST_TEST(volleys.load() < bound);
}
