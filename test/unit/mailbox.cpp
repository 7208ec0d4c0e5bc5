//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Bounded mailboxes: capacity, the overflow policies with exact counts, async_send waiting for
// room (backpressure), its completion on stop and its cancellation, asks to a full mailbox, and
// the validation of every new configuration field.
//
// Fullness is made deterministic by a consumer that is busy on purpose: its first message blocks
// its handler on a latch (or suspends a coroutine handler on a one-shot channel) until the test
// releases it, so every later message stays queued.
//
#define BOOST_TEST_MODULE zctor_mailbox
#include <zctor/engine.hpp>
#include <zctor/error.hpp>
#include <zctor/oneshot.hpp>
#include <zctor_test/checks.hpp>
#include <zctor_test/wait.hpp>
#include <zctor_test/watchdog.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using zctor_test::check_rejected;

namespace asio = boost::asio;
using boost::system::error_code;
using zctor::actor_config;
using zctor::engine_config;
using zctor::error;
using zctor::overflow_policy;
using zctor_test::latch;
using zctor_test::wait_until;
using namespace std::chrono_literals;

struct item
{
    int value = 0;
};

struct query
{
    int value = 0;
    using reply_type = int;
};

engine_config two_workers()
{
    engine_config c;
    c.thread_count = 2;
    return c;
}

engine_config one_worker()
{
    engine_config c;
    c.thread_count = 1;
    return c;
}

/// A consumer whose message 0 blocks its handler until release(); records what it handles.
class gated_consumer
{
public:
    ~gated_consumer() { release(); }

    /// The handler (runs on the actor's strand).
    auto handler()
    {
        return [this](const item& m) {
            if (m.value == 0)
            {
                entered_.count_down();
                if (!released_.wait())
                    gate_timed_out_ = true;
            }
            std::lock_guard lock(mutex_);
            handled_.push_back(m.value);
        };
    }

    /// Waits until the handler is blocked on message 0.
    [[nodiscard]] bool wait_blocked() { return entered_.wait(); }
    void release() { released_.count_down(); }

    std::vector<int> handled() const
    {
        std::lock_guard lock(mutex_);
        return handled_;
    }
    std::size_t handled_count() const { return handled().size(); }
    bool gate_timed_out() const { return gate_timed_out_; }

private:
    latch entered_{1};
    latch released_{1};
    std::atomic<bool> gate_timed_out_{false};
    mutable std::mutex mutex_;
    std::vector<int> handled_;
};

/// Spawns a gated consumer with `config`, runs the engine and blocks the consumer.
template <class Config>
auto blocked_consumer(zctor::engine& eng, gated_consumer& gate, const Config& config)
{
    auto ref = eng.spawn<item>(config, gate.handler());
    eng.run();
    ref.send(item{0});
    BOOST_REQUIRE(gate.wait_blocked());
    return ref;
}

std::vector<int> range(int first, int last)
{
    std::vector<int> v;
    for (int i = first; i <= last; ++i)
        v.push_back(i);
    return v;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(overflow, zctor_test::watched<60>)

BOOST_AUTO_TEST_CASE(unbounded_by_default)
{
    zctor::engine eng(two_workers());
    gated_consumer gate;
    auto ref = blocked_consumer(eng, gate, actor_config{});
    for (int i = 1; i <= 1000; ++i)
        ref.send(item{i}); // never refused
    const auto m = ref.mailbox();
    BOOST_TEST(m.capacity == 0u);
    BOOST_TEST(m.size == 0u); // unbounded mailboxes count nothing
    gate.release();
    BOOST_TEST(wait_until([&] { return gate.handled_count() == 1001; }));
    BOOST_TEST(!gate.gate_timed_out());
}

BOOST_AUTO_TEST_CASE(fail_refuses_past_the_capacity)
{
    zctor::engine eng(two_workers());
    gated_consumer gate;
    auto ref =
        blocked_consumer(eng, gate, actor_config{.mailbox_capacity = 4, .overflow = overflow_policy::fail});
    int accepted = 0;
    int refused = 0;
    for (int i = 1; i <= 10; ++i)
    {
        error_code ec;
        ref.send(item{i}, ec);
        if (!ec)
            ++accepted;
        else if (ec == error::mailbox_full)
            ++refused;
    }
    BOOST_TEST(accepted == 4);
    BOOST_TEST(refused == 6);
    auto m = ref.mailbox();
    BOOST_TEST(m.capacity == 4u);
    BOOST_TEST((m.overflow == overflow_policy::fail));
    BOOST_TEST(m.size == 4u);
    BOOST_TEST(m.rejected == 6u);
    BOOST_TEST(m.dropped == 0u);

    error_code ec;
    ref.send(item{99}, ec);
    BOOST_TEST((ec == error::mailbox_full));

    // The throwing overload throws system_error(mailbox_full).
    try
    {
        ref.send(item{100});
        BOOST_ERROR("send to a full mailbox did not throw");
    }
    catch (const boost::system::system_error& e)
    {
        BOOST_TEST((e.code() == error::mailbox_full));
    }

    gate.release();
    BOOST_TEST(wait_until([&] { return gate.handled_count() == 5; }));
    BOOST_TEST(gate.handled() == range(0, 4));
    m = ref.mailbox();
    BOOST_TEST(m.size == 0u);
    BOOST_TEST(m.rejected == 8u);
    eng.stop();
    eng.join();
    const auto s = eng.stats();
    BOOST_TEST(s.mailbox_rejected == 8u);
    BOOST_TEST(s.mailbox_dropped == 0u);
    BOOST_TEST(s.messages_dropped == 0u);
}

BOOST_AUTO_TEST_CASE(fail_does_not_move_from_a_refused_message)
{
    zctor::engine eng(two_workers());
    latch entered(1);
    latch release(1);
    auto ref = eng.spawn<std::string>(actor_config{.mailbox_capacity = 1}, [&](const std::string& s) {
        if (s == "block")
        {
            entered.count_down();
            (void)release.wait();
        }
    });
    eng.run();
    ref.send(std::string("block"));
    BOOST_REQUIRE(entered.wait());
    ref.send(std::string("queued"));
    std::string text = "a long enough string not to fit in the small buffer";
    const std::string copy = text;
    error_code ec;
    ref.send(std::move(text), ec);
    BOOST_TEST((ec == error::mailbox_full));
    BOOST_TEST(text == copy); // NOLINT(bugprone-use-after-move): what this test checks
    release.count_down();
    // The handler still waits on `release`: join before the latches go out of scope.
    eng.stop();
    eng.join();
}

BOOST_AUTO_TEST_CASE(drop_newest_discards_the_new_message)
{
    zctor::engine eng(two_workers());
    gated_consumer gate;
    auto ref = blocked_consumer(
        eng, gate, actor_config{.mailbox_capacity = 4, .overflow = overflow_policy::drop_newest});
    int ok = 0;
    for (int i = 1; i <= 10; ++i)
    {
        error_code ec;
        ref.send(item{i}, ec);
        ok += !ec;
    }
    BOOST_TEST(ok == 10); // the sender is not told
    auto m = ref.mailbox();
    BOOST_TEST(m.size == 4u);
    BOOST_TEST(m.dropped == 6u); // accepted 4 + dropped 6 = sent 10
    BOOST_TEST(m.rejected == 0u);
    gate.release();
    BOOST_TEST(wait_until([&] { return gate.handled_count() == 5; }));
    BOOST_TEST(gate.handled() == range(0, 4)); // the first four kept
    eng.stop();
    eng.join();
    const auto s = eng.stats();
    BOOST_TEST(s.mailbox_dropped == 6u);
    BOOST_TEST(s.messages_dropped == 6u);
    BOOST_TEST(s.messages_handled == 5u);
}

BOOST_AUTO_TEST_CASE(drop_oldest_discards_the_oldest)
{
    zctor::engine eng(two_workers());
    gated_consumer gate;
    auto ref = blocked_consumer(
        eng, gate, actor_config{.mailbox_capacity = 4, .overflow = overflow_policy::drop_oldest});
    for (int i = 1; i <= 10; ++i)
        ref.send(item{i}); // never refused
    auto m = ref.mailbox();
    BOOST_TEST(m.size == 4u);
    BOOST_TEST(m.dropped == 6u); // counted when the send found the mailbox full
    gate.release();
    BOOST_TEST(wait_until([&] { return gate.handled_count() == 5; }));
    BOOST_TEST(gate.handled() == std::vector<int>({0, 7, 8, 9, 10})); // the newest four kept
    BOOST_TEST(ref.mailbox().size == 0u);
    eng.stop();
    eng.join();
    const auto s = eng.stats();
    BOOST_TEST(s.mailbox_dropped == 6u);
    BOOST_TEST(s.messages_dropped == 6u); // handled = accepted 10 - dropped 6
    BOOST_TEST(s.messages_handled == 5u);
}

BOOST_AUTO_TEST_CASE(drop_oldest_counts_exactly_under_concurrent_senders)
{
    // Four threads send 5000 each to a small mailbox drained by a consumer that is running, not
    // blocked: whatever the interleaving, handled + dropped = sent, and the handled ones keep each
    // sender's order.
    zctor::engine eng(two_workers());
    constexpr int senders = 4;
    constexpr int per_sender = 5000;
    std::vector<int> last(senders, -1);
    std::atomic<bool> out_of_order{false};
    std::atomic<int> handled{0};
    auto ref = eng.spawn<item>(actor_config{.mailbox_capacity = 8, .overflow = overflow_policy::drop_oldest},
                               [&](const item& m) {
                                   const int s = m.value / per_sender;
                                   const int seq = m.value % per_sender;
                                   if (seq <= last[s])
                                       out_of_order = true;
                                   last[s] = seq;
                                   ++handled;
                               });
    eng.run();
    std::vector<std::thread> threads;
    for (int s = 0; s < senders; ++s)
        threads.emplace_back([&, s] {
            for (int i = 0; i < per_sender; ++i)
                ref.send(item{s * per_sender + i});
        });
    for (auto& t : threads)
        t.join();
    const std::uint64_t dropped = ref.mailbox().dropped;
    BOOST_TEST(wait_until([&] { return handled.load() + dropped == senders * per_sender; }));
    BOOST_TEST(handled.load() + dropped == std::uint64_t{senders * per_sender});
    BOOST_TEST(ref.mailbox().size == 0u);
    BOOST_TEST(!out_of_order.load());
    eng.stop();
    eng.join();
    BOOST_TEST(eng.stats().messages_dropped == dropped);
}

BOOST_AUTO_TEST_CASE(backpressure_refuses_a_plain_send)
{
    zctor::engine eng(two_workers());
    gated_consumer gate;
    auto ref = blocked_consumer(
        eng, gate, actor_config{.mailbox_capacity = 2, .overflow = overflow_policy::backpressure});
    error_code ec;
    ref.send(item{1}, ec);
    BOOST_TEST(!ec);
    ref.send(item{2}, ec);
    BOOST_TEST(!ec);
    ref.send(item{3}, ec);
    BOOST_TEST((ec == error::mailbox_full));
    BOOST_TEST(ref.mailbox().rejected == 1u);
    gate.release();
    BOOST_TEST(wait_until([&] { return gate.handled_count() == 3; }));
    BOOST_TEST(gate.handled() == range(0, 2));
}

BOOST_AUTO_TEST_CASE(engine_default_applies_and_an_actor_overrides_it)
{
    engine_config c = two_workers();
    c.default_mailbox_capacity = 3;
    c.default_overflow = overflow_policy::drop_newest;
    zctor::engine eng(c);
    auto by_default = eng.spawn<item>([](const item&) {});
    BOOST_TEST(by_default.mailbox().capacity == 3u);
    BOOST_TEST((by_default.mailbox().overflow == overflow_policy::drop_newest));
    auto own_policy = eng.spawn<item>(actor_config{.overflow = overflow_policy::fail}, [](const item&) {});
    BOOST_TEST(own_policy.mailbox().capacity == 3u);
    BOOST_TEST((own_policy.mailbox().overflow == overflow_policy::fail));
    auto unbounded = eng.spawn<item>(actor_config{.mailbox_capacity = 0}, [](const item&) {});
    BOOST_TEST(unbounded.mailbox().capacity == 0u);

    // A class actor takes the configuration before its constructor's arguments, and so does a
    // spawn from a handler.
    struct counter
    {
        int start = 0;
        void handle(const item&) {}
    };
    auto cls = eng.spawn<counter>(actor_config{.mailbox_capacity = 7}, 5);
    BOOST_TEST(cls.mailbox().capacity == 7u);
    std::promise<std::size_t> child_capacity;
    auto parent = eng.spawn<int>([&](zctor::context& ctx, int) {
        auto child = ctx.spawn<item>(actor_config{.mailbox_capacity = 9}, [](const item&) {});
        child_capacity.set_value(child.mailbox().capacity);
    });
    eng.run();
    parent.send(1);
    auto f = child_capacity.get_future();
    BOOST_REQUIRE((f.wait_for(10s) == std::future_status::ready));
    BOOST_TEST(f.get() == 9u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(asks, zctor_test::watched<60>)

// A query handler blocked by query 0, like gated_consumer.
struct gated_answers
{
    latch entered{1};
    latch released{1};
    std::atomic<int> handled{0};

    ~gated_answers() { released.count_down(); }

    auto handler()
    {
        return [this](const query& q) {
            if (q.value == 0)
            {
                entered.count_down();
                (void)released.wait();
            }
            ++handled;
            return q.value * 10;
        };
    }
};

error_code ask_error(std::future<int>& f)
{
    if (f.wait_for(10s) != std::future_status::ready)
        return error::timed_out;
    try
    {
        f.get();
        return {};
    }
    catch (const boost::system::system_error& e)
    {
        return e.code();
    }
}

void check_ask_refused(overflow_policy policy, const error_code& expected)
{
    zctor::engine eng(two_workers());
    gated_answers gate;
    auto ref = eng.spawn<query>(actor_config{.mailbox_capacity = 1, .overflow = policy}, gate.handler());
    eng.run();
    auto first = ref.async_ask(query{0}, zctor::no_timeout, asio::use_future);
    BOOST_REQUIRE(gate.entered.wait());
    auto queued = ref.async_ask(query{1}, zctor::no_timeout, asio::use_future);
    auto refused = ref.async_ask(query{2}, zctor::no_timeout, asio::use_future);
    // Fails at once, while the actor is still blocked: it does not wait for room or a timeout.
    BOOST_TEST(ask_error(refused) == expected);
    gate.released.count_down();
    BOOST_TEST(first.get() == 0);
    BOOST_TEST(queued.get() == 10);
    BOOST_TEST(wait_until([&] { return gate.handled.load() == 2; }));
}

BOOST_AUTO_TEST_CASE(ask_to_a_full_mailbox_fails_at_once)
{
    check_ask_refused(overflow_policy::fail, error::mailbox_full);
    check_ask_refused(overflow_policy::backpressure, error::mailbox_full);
    check_ask_refused(overflow_policy::drop_newest, error::mailbox_full);
}

BOOST_AUTO_TEST_CASE(drop_oldest_breaks_the_oldest_request)
{
    zctor::engine eng(two_workers());
    gated_answers gate;
    auto ref = eng.spawn<query>(actor_config{.mailbox_capacity = 1, .overflow = overflow_policy::drop_oldest},
                                gate.handler());
    eng.run();
    auto first = ref.async_ask(query{0}, zctor::no_timeout, asio::use_future);
    BOOST_REQUIRE(gate.entered.wait());
    auto oldest = ref.async_ask(query{1}, zctor::no_timeout, asio::use_future);
    auto newest = ref.async_ask(query{2}, zctor::no_timeout, asio::use_future);
    BOOST_TEST(ref.mailbox().dropped == 1u);
    gate.released.count_down();
    BOOST_TEST(first.get() == 0);
    BOOST_TEST(ask_error(oldest) == error::broken_promise); // discarded unanswered
    BOOST_TEST(newest.get() == 20);
    BOOST_TEST(gate.handled.load() == 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(backpressure, zctor_test::watched<60>)

BOOST_AUTO_TEST_CASE(async_send_completes_at_once_with_room)
{
    zctor::engine eng(two_workers());
    std::atomic<int> handled{0};
    auto ref = eng.spawn<item>(actor_config{.mailbox_capacity = 4, .overflow = overflow_policy::backpressure},
                               [&](const item&) { ++handled; });
    eng.run();
    auto f = ref.async_send(item{1}, asio::use_future);
    BOOST_REQUIRE((f.wait_for(10s) == std::future_status::ready));
    BOOST_CHECK_NO_THROW(f.get());
    BOOST_TEST(wait_until([&] { return handled.load() == 1; }));

    // Unbounded, and other policies: completes with what send() would report.
    auto plain = eng.spawn<item>([](const item&) {});
    auto g = plain.async_send(item{1}, asio::use_future);
    BOOST_CHECK_NO_THROW(g.get());
    zctor::actor_ref<zctor::receives<item>> empty;
    auto h = empty.async_send(item{1}, asio::use_future);
    BOOST_CHECK_EXCEPTION(h.get(), boost::system::system_error,
                          [](const auto& e) { return e.code() == error::actor_not_found; });
}

BOOST_AUTO_TEST_CASE(threads_wait_for_room_and_lose_nothing)
{
    zctor::engine eng(two_workers());
    gated_consumer gate;
    constexpr int capacity = 4;
    auto ref = blocked_consumer(
        eng, gate, actor_config{.mailbox_capacity = capacity, .overflow = overflow_policy::backpressure});
    constexpr int producers = 3;
    constexpr int per_producer = 300;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p)
        threads.emplace_back([&, p] {
            for (int i = 0; i < per_producer; ++i)
            {
                auto f = ref.async_send(item{1 + p * per_producer + i}, asio::use_future);
                if (f.wait_for(20s) != std::future_status::ready)
                {
                    ++failures;
                    return;
                }
                try
                {
                    f.get();
                }
                catch (...)
                {
                    ++failures;
                }
            }
        });
    // While the consumer is blocked: the mailbox fills, then every producer waits.
    BOOST_TEST(wait_until([&] {
        const auto m = ref.mailbox();
        return m.size == capacity && m.waiting_sends == producers;
    }));
    BOOST_TEST(gate.handled_count() == 0u);
    gate.release();
    for (auto& t : threads)
        t.join();
    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(wait_until([&] { return gate.handled_count() == 1 + producers * per_producer; }));
    // Each message handled exactly once, each producer's in order.
    auto handled = gate.handled();
    std::vector<int> seen(1 + producers * per_producer, 0);
    std::vector<int> last(producers, -1);
    bool in_order = true;
    for (int v : handled)
    {
        ++seen[v];
        if (v == 0)
            continue;
        const int p = (v - 1) / per_producer;
        const int seq = (v - 1) % per_producer;
        in_order = in_order && seq == last[p] + 1;
        last[p] = seq;
    }
    BOOST_TEST(in_order);
    BOOST_TEST(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
    const auto m = ref.mailbox();
    BOOST_TEST(m.rejected == 0u);
    BOOST_TEST(m.dropped == 0u);
    BOOST_TEST(m.waiting_sends == 0u);
}

// A consumer whose first message suspends its coroutine handler until the test sends on `gate`:
// its mailbox waits meanwhile, without holding its worker.
struct start
{
    int producer = 0;
};

BOOST_AUTO_TEST_CASE(coroutine_producers_on_the_consumers_worker_never_block_it)
{
    // One worker for everything: a producer that blocked its thread while waiting would stop the
    // consumer, and every other producer, for good.
    zctor::engine eng(one_worker());
    zctor::oneshot_channel<int> gate;
    constexpr int producers = 3;
    constexpr int per_producer = 200;
    std::mutex mutex;
    std::vector<int> handled;
    auto consumer =
        eng.spawn<item>(actor_config{.mailbox_capacity = 2, .overflow = overflow_policy::backpressure},
                        [&](const item& m) -> asio::awaitable<void> {
                            if (m.value == 0)
                                co_await gate.async_receive(asio::use_awaitable);
                            std::lock_guard lock(mutex);
                            handled.push_back(m.value);
                        });
    std::atomic<int> done{0};
    std::atomic<int> failures{0};
    std::vector<zctor::actor_ref<zctor::receives<start>>> senders;
    for (int p = 0; p < producers; ++p)
        senders.push_back(eng.spawn<start>([&](const start& s) -> asio::awaitable<void> {
            for (int i = 0; i < per_producer; ++i)
            {
                try
                {
                    co_await consumer.async_send(item{1 + s.producer * per_producer + i},
                                                 asio::use_awaitable);
                }
                catch (...)
                {
                    ++failures;
                }
            }
            ++done;
        }));
    eng.run();
    consumer.send(item{0});
    for (int p = 0; p < producers; ++p)
        senders[p].send(start{p});
    // The consumer is suspended: the mailbox fills and every producer waits, on the one worker.
    BOOST_TEST(wait_until([&] {
        const auto m = consumer.mailbox();
        return m.size == 2 && m.waiting_sends == producers;
    }));
    gate.send(1);
    BOOST_TEST(wait_until([&] { return done.load() == producers; }));
    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(wait_until([&] {
        std::lock_guard lock(mutex);
        return handled.size() == 1 + producers * per_producer;
    }));
    std::lock_guard lock(mutex);
    std::vector<int> seen(1 + producers * per_producer, 0);
    for (int v : handled)
        ++seen[v];
    BOOST_TEST(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
}

BOOST_AUTO_TEST_CASE(waiters_fail_when_the_target_stops)
{
    zctor::engine eng(two_workers());
    gated_consumer gate;
    auto ref = blocked_consumer(
        eng, gate, actor_config{.mailbox_capacity = 1, .overflow = overflow_policy::backpressure});
    ref.send(item{1});
    auto waiting = ref.async_send(item{2}, asio::use_future);
    BOOST_TEST(wait_until([&] { return ref.mailbox().waiting_sends == 1; }));
    ref.stop();
    gate.release(); // the stop takes effect once the blocked handler returns
    BOOST_REQUIRE((waiting.wait_for(10s) == std::future_status::ready));
    BOOST_CHECK_EXCEPTION(waiting.get(), boost::system::system_error,
                          [](const auto& e) { return e.code() == error::actor_stopped; });
    BOOST_TEST(wait_until([&] { return ref.stopped(); }));
    BOOST_TEST(gate.handled() == std::vector<int>({0})); // 1 dropped with the actor, 2 never accepted
    // A send started after the stop fails at once.
    auto late = ref.async_send(item{3}, asio::use_future);
    BOOST_CHECK_EXCEPTION(late.get(), boost::system::system_error,
                          [](const auto& e) { return e.code() == error::actor_stopped; });
}

BOOST_AUTO_TEST_CASE(waiters_fail_at_once_when_the_engine_stops)
{
    zctor::engine eng(two_workers());
    gated_consumer gate;
    auto ref = blocked_consumer(
        eng, gate, actor_config{.mailbox_capacity = 1, .overflow = overflow_policy::backpressure});
    ref.send(item{1});
    auto a = ref.async_send(item{2}, asio::use_future);
    auto b = ref.async_send(item{3}, asio::use_future);
    BOOST_TEST(wait_until([&] { return ref.mailbox().waiting_sends == 2; }));
    eng.stop();
    // Told while the consumer is still blocked: the stop does not wait for the drain.
    for (auto* f : {&a, &b})
    {
        BOOST_REQUIRE((f->wait_for(10s) == std::future_status::ready));
        BOOST_CHECK_EXCEPTION(f->get(), boost::system::system_error,
                              [](const auto& e) { return e.code() == error::engine_stopped; });
    }
    BOOST_TEST(ref.mailbox().waiting_sends == 0u);
    gate.release();
    eng.join();
    BOOST_TEST(gate.handled() == range(0, 1)); // the accepted message is drained
}

BOOST_AUTO_TEST_CASE(a_waiting_send_is_cancelled)
{
    zctor::engine eng(two_workers());
    gated_consumer gate;
    auto ref = blocked_consumer(
        eng, gate, actor_config{.mailbox_capacity = 1, .overflow = overflow_policy::backpressure});
    ref.send(item{1});
    asio::cancellation_signal signal;
    std::promise<error_code> result;
    ref.async_send(item{2},
                   asio::bind_cancellation_slot(signal.slot(), [&](error_code ec) { result.set_value(ec); }));
    auto behind = ref.async_send(item{3}, asio::use_future);
    BOOST_TEST(wait_until([&] { return ref.mailbox().waiting_sends == 2; }));
    signal.emit(asio::cancellation_type::terminal);
    auto f = result.get_future();
    BOOST_REQUIRE((f.wait_for(10s) == std::future_status::ready));
    BOOST_TEST((f.get() == asio::error::operation_aborted));
    BOOST_TEST(ref.mailbox().waiting_sends == 1u);
    gate.release();
    BOOST_REQUIRE((behind.wait_for(10s) == std::future_status::ready));
    BOOST_CHECK_NO_THROW(behind.get());
    BOOST_TEST(wait_until([&] { return gate.handled_count() == 3; }));
    BOOST_TEST(gate.handled() == std::vector<int>({0, 1, 3})); // 2 withdrawn, never handled
}

BOOST_AUTO_TEST_CASE(a_cancelled_send_destroys_its_message_once)
{
    zctor::engine eng(two_workers());
    zctor_test::lifetime life;
    latch entered(1);
    latch release(1);
    std::atomic<int> handled{0};
    auto ref = eng.spawn<zctor_test::counted>(
        actor_config{.mailbox_capacity = 1, .overflow = overflow_policy::backpressure},
        [&](const zctor_test::counted& c) {
            if (c.value() == 0)
            {
                entered.count_down();
                (void)release.wait();
            }
            ++handled;
        });
    eng.run();
    ref.send(zctor_test::counted(life, 0));
    BOOST_REQUIRE(entered.wait());
    ref.send(zctor_test::counted(life, 1));
    asio::cancellation_signal signal;
    std::promise<error_code> result;
    ref.async_send(zctor_test::counted(life, 2),
                   asio::bind_cancellation_slot(signal.slot(), [&](error_code ec) { result.set_value(ec); }));
    BOOST_TEST(wait_until([&] { return ref.mailbox().waiting_sends == 1; }));
    signal.emit(asio::cancellation_type::partial);
    auto f = result.get_future();
    BOOST_REQUIRE((f.wait_for(10s) == std::future_status::ready));
    BOOST_TEST((f.get() == asio::error::operation_aborted));
    release.count_down();
    BOOST_TEST(wait_until([&] { return handled.load() == 2; }));
    eng.stop();
    eng.join();
    BOOST_TEST(life.alive() == 0); // every message destroyed, the withdrawn one included
}

BOOST_AUTO_TEST_CASE(a_coroutine_waiting_for_its_own_mailbox_would_deadlock)
{
    zctor::engine eng(two_workers());
    std::promise<error_code> result;
    struct self_sender
    {
        std::promise<error_code>* result;
        asio::awaitable<void> handle(zctor::context& ctx, const item& m)
        {
            if (m.value != 0)
                co_return;
            auto self = ctx.self<self_sender>();
            self.send(item{1}); // fills the mailbox (capacity 1)
            auto [ec] = co_await self.async_send(item{2}, asio::as_tuple(asio::use_awaitable));
            result->set_value(ec);
        }
    };
    auto ref = eng.spawn<self_sender>(
        actor_config{.mailbox_capacity = 1, .overflow = overflow_policy::backpressure}, &result);
    eng.run();
    ref.send(item{0});
    auto f = result.get_future();
    BOOST_REQUIRE((f.wait_for(10s) == std::future_status::ready));
    BOOST_TEST((f.get() == error::would_deadlock));
}

BOOST_AUTO_TEST_CASE(routed_async_send_waits_too)
{
    zctor::engine eng(two_workers());
    gated_consumer gate;
    auto ref = blocked_consumer(
        eng, gate, actor_config{.mailbox_capacity = 1, .overflow = overflow_policy::backpressure});
    eng.send(item{1});
    auto waiting = eng.async_send(item{2}, asio::use_future);
    BOOST_TEST(wait_until([&] { return ref.mailbox().waiting_sends == 1; }));
    BOOST_TEST((waiting.wait_for(0s) == std::future_status::timeout));
    gate.release();
    BOOST_REQUIRE((waiting.wait_for(10s) == std::future_status::ready));
    BOOST_CHECK_NO_THROW(waiting.get());
    BOOST_TEST(wait_until([&] { return gate.handled_count() == 3; }));
    auto missing = eng.async_send(query{1}, asio::use_future);
    BOOST_CHECK_EXCEPTION(missing.get(), boost::system::system_error,
                          [](const auto& e) { return e.code() == error::actor_not_found; });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(validation, zctor_test::watched<60>)

namespace {

void check_actor_rejected(const actor_config& config, const std::string& field,
                          const engine_config& engine = {})
{
    std::string reported;
    BOOST_TEST((zctor::validate(config, engine, &reported) == error::invalid_configuration));
    BOOST_TEST(reported == field);
    zctor::engine eng(engine);
    error_code ec;
    auto ref = eng.spawn<item>(ec, config, [](const item&) {});
    BOOST_TEST((ec == error::invalid_configuration));
    BOOST_TEST(!ref);
    try
    {
        eng.spawn<item>(config, [](const item&) {});
        BOOST_ERROR("spawn accepted an invalid " << field);
    }
    catch (const boost::system::system_error& e)
    {
        BOOST_TEST((e.code() == error::invalid_configuration));
        BOOST_TEST(std::string(e.what()).find("actor_config::" + field) != std::string::npos,
                   "what(): " << e.what());
    }
    BOOST_TEST(eng.stats().actors_spawned == 0u);
}

void check_actor_accepted(const actor_config& config, const engine_config& engine = {})
{
    std::string reported = "(not set)";
    BOOST_TEST(!zctor::validate(config, engine, &reported));
    BOOST_TEST(reported == "(not set)");
    zctor::engine eng(engine);
    error_code ec;
    auto ref = eng.spawn<item>(ec, config, [](const item&) {});
    BOOST_TEST(!ec);
    BOOST_TEST(static_cast<bool>(ref));
}

} // namespace

BOOST_AUTO_TEST_CASE(engine_fields)
{
    engine_config c;
    c.thread_count = 1;
    c.default_mailbox_capacity = engine_config::max_mailbox_capacity + 1;
    check_rejected(c, "default_mailbox_capacity");
    c.default_mailbox_capacity = engine_config::max_mailbox_capacity;
    BOOST_TEST(!zctor::validate(c));
    c.default_mailbox_capacity = 0;
    c.default_overflow = static_cast<overflow_policy>(42);
    check_rejected(c, "default_overflow");
    // A default policy with unbounded default mailboxes is fine: it applies to actors that set
    // only a capacity.
    for (auto p : {overflow_policy::fail, overflow_policy::drop_newest, overflow_policy::drop_oldest,
                   overflow_policy::backpressure})
    {
        c.default_overflow = p;
        BOOST_TEST(!zctor::validate(c));
    }
}

BOOST_AUTO_TEST_CASE(actor_fields)
{
    engine_config one = one_worker();
    check_actor_rejected(actor_config{.mailbox_capacity = engine_config::max_mailbox_capacity + 1},
                         "mailbox_capacity", one);
    check_actor_accepted(actor_config{.mailbox_capacity = engine_config::max_mailbox_capacity}, one);

    check_actor_rejected(actor_config{.mailbox_capacity = 4, .overflow = static_cast<overflow_policy>(42)},
                         "overflow", one);
    // A policy for an unbounded mailbox would never apply: explicit 0, or the engine's default 0.
    check_actor_rejected(actor_config{.mailbox_capacity = 0, .overflow = overflow_policy::drop_oldest},
                         "overflow", one);
    check_actor_rejected(actor_config{.overflow = overflow_policy::backpressure}, "overflow", one);
    engine_config bounded = one;
    bounded.default_mailbox_capacity = 8;
    check_actor_accepted(actor_config{.overflow = overflow_policy::backpressure}, bounded);

    check_actor_rejected(actor_config{.mailbox_capacity = 4, .initial_queue_capacity = 5},
                         "initial_queue_capacity", one);
    check_actor_accepted(actor_config{.mailbox_capacity = 4, .initial_queue_capacity = 4}, one);
    check_actor_rejected(actor_config{.initial_queue_capacity = 9}, "initial_queue_capacity", bounded);
    check_actor_rejected(actor_config{.initial_queue_capacity = engine_config::max_mailbox_capacity + 1},
                         "initial_queue_capacity", one);
    check_actor_accepted(actor_config{.initial_queue_capacity = 16}, one); // unbounded: the book's default

    // validate() without an engine checks against the default engine_config (unbounded).
    std::string field;
    BOOST_TEST((zctor::validate(actor_config{.overflow = overflow_policy::fail}, &field) ==
                error::invalid_configuration));
    BOOST_TEST(field == "overflow");
    BOOST_TEST(!zctor::validate(actor_config{.mailbox_capacity = 1, .overflow = overflow_policy::fail}));
}

BOOST_AUTO_TEST_SUITE_END()
