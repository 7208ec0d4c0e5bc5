//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Ask storms: threads outside the engine and actors inside it ask a set of servers with short
// timeouts, while a churn thread stops servers (some by reference, some stop themselves in the
// middle of a request) and spawns new ones in their place. Servers answer at once, later through
// a response promise (a timer on their strand delivers it, sometimes after the asker gave up),
// or drop the request unanswered. Accounting, exact:
// - every ask completes exactly once, with its own answer or with one of the errors a storm may
//   give (timed_out, broken_promise, actor_stopped); nothing else;
// - every reply a server produced reached its asker or was counted as discarded:
//   answered + replies_discarded = replies produced;
// - every request object and every server state is destroyed once, nothing leaks.
//
#define BOOST_TEST_MODULE zctor_stress_ask_storm
#include <zctor/engine.hpp>
#include <zctor/response_promise.hpp>
#include <zctor/timer.hpp>
#include <zctor_test/stress.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using boost::system::error_code;
using zctor::error;
using namespace std::chrono_literals;

struct tally
{
    std::atomic<std::uint64_t> asked{0};      // asks initiated (the initiation succeeded)
    std::atomic<std::uint64_t> refused{0};    // asks whose completion said so at once: actor_stopped
    std::atomic<std::uint64_t> answered{0};   // completions with the right value
    std::atomic<std::uint64_t> timed_out{0};  // completions with timed_out
    std::atomic<std::uint64_t> broken{0};     // completions with broken_promise
    std::atomic<std::uint64_t> unexpected{0}; // wrong value, unexpected error, or a second completion
    std::atomic<std::uint64_t> completed{0};  // completions, all kinds
    std::atomic<std::uint64_t> produced{0};   // replies servers returned or delivered
    std::atomic<std::uint64_t> server_stops{0};
    zctor_test::lifetime requests, states;

    void complete(const error_code& ec, std::uint64_t reply, std::uint64_t n)
    {
        if (!ec)
            ++(reply == n + 1 ? answered : unexpected);
        else if (ec == error::timed_out)
            ++timed_out;
        else if (ec == error::broken_promise)
            ++broken;
        else if (ec == error::actor_stopped)
            ++refused;
        else
            ++unexpected;
        ++completed;
    }
};

// The requests: the server answers n + 1, by value (query) or through a promise (slow_query).
// `life` counts the request objects.
struct query
{
    using reply_type = std::uint64_t;
    zctor_test::counted life;
    std::uint64_t n = 0;
};

struct slow_query
{
    using reply_type = std::uint64_t;
    zctor_test::counted life;
    std::uint64_t n = 0;
};

struct flush
{};

// A server answers a query at once; a slow query a millisecond later from a timer on its strand
// (possibly after the asker gave up), except every 17th, which it drops unanswered. Every 97th
// request of either kind it stops itself, still holding the promises of its pending replies.
class server
{
public:
    using messages = zctor::receives<query, slow_query>;

    explicit server(tally& t) : t_(t) {}

    std::uint64_t handle(zctor::context& ctx, const query& q)
    {
        begin(ctx, q.n);
        ++t_.produced;
        return q.n + 1;
    }

    void handle(zctor::context& ctx, const slow_query& q)
    {
        begin(ctx, q.n);
        if (q.n % 17 == 16)
            return; // no reply and no promise taken: the asker gets broken_promise
        pending_.emplace_back(q.n, ctx.make_response_promise<std::uint64_t>());
        if (pending_.size() == 1)
        {
            error_code ec;
            zctor::send_after(ctx.self<server>(), 1ms, flush{}, ec);
            if (ec)
                ++t_.unexpected; // the actor runs this handler: its timer must start
        }
    }

    void handle(zctor::context&, flush)
    {
        for (auto& [n, promise] : pending_)
        {
            ++t_.produced; // reaches the asker, or is discarded and counted by the engine
            promise.deliver(n + 1);
        }
        pending_.clear();
    }

private:
    void begin(zctor::context& ctx, std::uint64_t n)
    {
        if (!ctx.has_state())
            ctx.emplace_state<zctor_test::counted>(t_.states);
        if (n % 97 == 96)
        {
            ++t_.server_stops;
            ctx.stop(); // the pending promises and the queued asks end with broken_promise
        }
    }

    tally& t_;
    std::vector<std::pair<std::uint64_t, zctor::response_promise<std::uint64_t>>> pending_;
};

using server_ref = zctor::actor_ref<server>;

// The servers of the storm: slots whose actor the churn thread replaces now and then.
class server_set
{
public:
    server_set(zctor::engine& e, tally& t, std::size_t n) : engine_(e), t_(t), slots_(n)
    {
        for (auto& s : slots_)
            s = engine_.spawn<server>(std::ref(t_));
    }

    server_ref at(std::uint64_t i) const
    {
        std::lock_guard lock(mutex_);
        return slots_[i % slots_.size()];
    }

    // Stops slot i's server by reference and puts a new one in its place.
    void replace(std::uint64_t i)
    {
        auto fresh = engine_.spawn<server>(std::ref(t_));
        server_ref old;
        {
            std::lock_guard lock(mutex_);
            old = std::exchange(slots_[i % slots_.size()], fresh);
        }
        old.stop();
    }

    // Replaces the servers that stopped themselves.
    void revive()
    {
        for (std::size_t i = 0; i < slots_.size(); ++i)
            if (at(i).stopped())
                replace(i);
    }

private:
    zctor::engine& engine_;
    tally& t_;
    mutable std::mutex mutex_;
    std::vector<server_ref> slots_;
};

// Ask i of a storm: query or slow query, with a timeout of 1, 5 or 50 ms.
template <class Handler>
void ask_one(const server_ref& target, tally& t, std::uint64_t i, Handler&& on_reply)
{
    static constexpr std::array<std::chrono::milliseconds, 3> timeouts{1ms, 5ms, 50ms};
    const auto timeout = timeouts[(i / 2) % timeouts.size()];
    ++t.asked;
    if (i % 2 == 0)
        target.async_ask(query{zctor_test::counted(t.requests), i}, timeout, std::forward<Handler>(on_reply));
    else
        target.async_ask(slow_query{zctor_test::counted(t.requests), i}, timeout,
                         std::forward<Handler>(on_reply));
}

// An asker actor: each `go` asks one server; the reply's completion, on this actor's strand,
// sends the next `go` until its share is asked.
struct go
{
    std::uint64_t i = 0;
};

void asker(tally& t, const server_set& servers, std::uint64_t step, std::uint64_t end, zctor::context& ctx,
           go g)
{
    if (g.i >= end)
        return;
    auto self = ctx.self<zctor::receives<go>>();
    ask_one(servers.at(g.i), t, g.i, [&t, self, g, step](error_code ec, std::uint64_t reply) {
        t.complete(ec, reply, g.i);
        error_code sec;
        self.send(go{g.i + step}, sec);
        if (sec)
            ++t.unexpected;
    });
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(ask_storm, zctor_test::stress_fixture)

BOOST_AUTO_TEST_CASE(ask_storm_with_timeouts_and_servers_dying_mid_request)
{
    const std::size_t thread_count = 2;
    const std::size_t server_count = 16;
    const std::size_t outside_threads = 3;
    const std::size_t asker_actors = 8;
    const std::uint64_t per_outside_thread = zctor_test::scaled(4000, 50);
    const std::uint64_t per_asker = zctor_test::scaled(2000, 20);
    const std::uint64_t total = outside_threads * per_outside_thread + asker_actors * per_asker;

    tally t;
    zctor::engine_stats stats;
    {
        zctor::engine_config config;
        config.thread_count = thread_count;
        zctor::engine e(config);
        e.run();
        server_set servers(e, t, server_count);

        // Asks from actors: asker k asks i = base + k, base + k + step, ...
        const std::uint64_t actor_base = outside_threads * per_outside_thread;
        for (std::size_t k = 0; k < asker_actors; ++k)
        {
            auto a =
                e.spawn<go>([&t, &servers, step = asker_actors, end = actor_base + asker_actors * per_asker](
                                zctor::context& ctx, go g) { asker(t, servers, step, end, ctx, g); });
            a.send(go{actor_base + k});
        }

        // Asks from outside: thread k asks its own range, with a callback run where the reply
        // completes.
        std::vector<std::thread> threads;
        for (std::size_t k = 0; k < outside_threads; ++k)
        {
            threads.emplace_back([&, k] {
                for (std::uint64_t i = k * per_outside_thread; i < (k + 1) * per_outside_thread; ++i)
                {
                    ask_one(servers.at(i), t, i,
                            [&t, i](error_code ec, std::uint64_t reply) { t.complete(ec, reply, i); });
                    if (i % 64 == 0) // keep a bounded number in flight
                        zctor_test::wait_until([&] { return t.asked.load() - t.completed.load() < 2000; });
                }
            });
        }

        // Churn: replace a server now and then, and revive those that stopped themselves, until
        // every ask completed.
        std::uint64_t replaced = 0;
        const bool all_completed = zctor_test::wait_until(
            [&] {
                servers.replace(replaced++);
                servers.revive();
                return t.completed.load() == total;
            },
            zctor_test::stress_bound() / 2);
        for (auto& th : threads)
            th.join();
        BOOST_TEST(all_completed);
        e.stop();
        e.join();
        stats = e.stats();
        std::cout << "ask storm: " << total << " asks (" << t.answered << " answered, " << t.timed_out
                  << " timed out, " << t.broken << " broken promises, " << t.refused << " refused); "
                  << t.produced << " replies produced, " << stats.replies_discarded << " discarded; "
                  << replaced << " servers replaced, " << t.server_stops << " stopped themselves"
                  << std::endl;
    }
    BOOST_TEST(t.asked.load() == total);
    BOOST_TEST(t.completed.load() == total);
    BOOST_TEST(t.unexpected.load() == 0u);
    BOOST_TEST(t.answered + t.timed_out + t.broken + t.refused == total);
    // Every reply produced reached its asker or was discarded, and counted.
    BOOST_TEST(t.answered.load() + stats.replies_discarded == t.produced.load());
    // The storm did what it says: each outcome happened.
    BOOST_TEST(t.answered.load() > 0u);
    BOOST_TEST(t.broken.load() > 0u);
    BOOST_TEST(t.server_stops.load() > 0u);
    BOOST_TEST(t.requests.alive() == 0);
    BOOST_TEST(t.states.alive() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
