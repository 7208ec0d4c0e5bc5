//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Many producer threads send to many actors, by reference and by type, messages of four sizes
// (pooled small and medium blocks, large blocks past the pool, and heap-owning messages). Every
// message carries its producer and sequence number and a payload derived from them; the actors
// check that each arrives exactly once, intact, and after every earlier message from the same
// producer to the same actor.
//
#define BOOST_TEST_MODULE zctor_stress_exactly_once
#include <zctor/engine.hpp>
#include <zctor_test/stress.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

namespace {

using boost::system::error_code;

std::uint8_t pattern(std::uint32_t producer, std::uint64_t seq, std::size_t i)
{
    return static_cast<std::uint8_t>(producer * 131u + seq * 7u + i);
}

template <std::size_t N>
std::array<std::uint8_t, N> payload(std::uint32_t producer, std::uint64_t seq)
{
    std::array<std::uint8_t, N> a;
    for (std::size_t i = 0; i < N; ++i)
        a[i] = pattern(producer, seq, i);
    return a;
}

// Pooled small blocks, pooled medium blocks, blocks past the pool's largest class, heap-owning.
struct small_msg
{
    std::uint32_t producer;
    std::uint64_t seq;
};
struct medium_msg
{
    std::uint32_t producer;
    std::uint64_t seq;
    std::array<std::uint8_t, 200> bytes;
};
struct large_msg
{
    std::uint32_t producer;
    std::uint64_t seq;
    std::array<std::uint8_t, 700> bytes;
};
struct heap_msg
{
    std::uint32_t producer;
    std::uint64_t seq;
    std::vector<std::uint8_t> bytes;
    zctor_test::counted life; // each value destroyed exactly once
};

// What the actors saw; checked by the test once the engine has stopped.
struct ledger
{
    ledger(std::size_t producers, std::size_t per_producer)
        : per_producer(per_producer), seen(producers * per_producer)
    {}
    std::size_t per_producer;
    std::vector<std::atomic<std::uint8_t>> seen; // deliveries of each (producer, seq)
    std::atomic<std::uint64_t> handled{0};
    std::atomic<std::uint64_t> out_of_order{0};
    std::atomic<std::uint64_t> corrupt{0};
    zctor_test::lifetime heap_values;
};

class checker
{
public:
    using messages = zctor::receives<small_msg, medium_msg, large_msg, heap_msg>;

    checker(ledger& l, std::size_t producers) : ledger_(&l), last_(producers, 0) {}

    void handle(small_msg m) { record(m.producer, m.seq, true); }
    void handle(medium_msg m) { record(m.producer, m.seq, intact(m.producer, m.seq, m.bytes)); }
    void handle(large_msg m) { record(m.producer, m.seq, intact(m.producer, m.seq, m.bytes)); }
    void handle(heap_msg m)
    {
        record(m.producer, m.seq, m.bytes.size() == m.seq % 4096 && intact(m.producer, m.seq, m.bytes));
    }

private:
    template <class Bytes>
    static bool intact(std::uint32_t producer, std::uint64_t seq, const Bytes& bytes)
    {
        for (std::size_t i = 0; i < bytes.size(); ++i)
            if (bytes[i] != pattern(producer, seq, i))
                return false;
        return true;
    }

    void record(std::uint32_t producer, std::uint64_t seq, bool ok)
    {
        // Sequence numbers start at 1 per producer: each must exceed the last one seen here.
        if (seq <= last_[producer])
            ++ledger_->out_of_order;
        last_[producer] = seq;
        if (!ok)
            ++ledger_->corrupt;
        ++ledger_->seen[producer * ledger_->per_producer + (seq - 1)];
        ++ledger_->handled;
    }

    ledger* ledger_;
    std::vector<std::uint64_t> last_; // per producer; this actor's strand only
};

void run_exactly_once(const zctor::engine_config& config, std::size_t per_producer)
{
    constexpr std::size_t producers = 4, actors = 32;
    ledger led(producers, per_producer);
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> send_errors{0};
    zctor::engine_stats s;
    {
        zctor::engine e(config);
        std::vector<zctor::actor_ref<checker>> refs;
        for (std::size_t i = 0; i < actors; ++i)
            refs.push_back(e.spawn<checker>(led, producers));
        e.run();
        std::vector<std::thread> threads;
        for (std::uint32_t p = 0; p < producers; ++p)
            threads.emplace_back([&, p] {
                std::uint64_t rng = 0x9e3779b97f4a7c15ull * (p + 1);
                for (std::uint64_t seq = 1; seq <= per_producer; ++seq)
                {
                    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
                    const auto& ref = refs[(rng >> 33) % actors];
                    const bool by_type = ((rng >> 20) & 3) == 0; // a quarter: routed round-robin
                    error_code ec;
                    switch (seq % 4)
                    {
                    case 0: by_type ? e.send(small_msg{p, seq}, ec) : ref.send(small_msg{p, seq}, ec); break;
                    case 1:
                    {
                        medium_msg m{p, seq, payload<200>(p, seq)};
                        by_type ? e.send(m, ec) : ref.send(m, ec);
                        break;
                    }
                    case 2:
                    {
                        large_msg m{p, seq, payload<700>(p, seq)};
                        by_type ? e.send(std::move(m), ec) : ref.send(std::move(m), ec);
                        break;
                    }
                    default:
                    {
                        heap_msg m{p, seq, std::vector<std::uint8_t>(seq % 4096),
                                   zctor_test::counted(led.heap_values)};
                        for (std::size_t i = 0; i < m.bytes.size(); ++i)
                            m.bytes[i] = pattern(p, seq, i);
                        by_type ? e.send(std::move(m), ec) : ref.send(std::move(m), ec);
                        break;
                    }
                    }
                    if (ec)
                        ++send_errors; // Boost.Test is not thread-safe: checked below
                    else
                        ++accepted;
                }
            });
        for (auto& t : threads)
            t.join();
        BOOST_TEST(zctor_test::wait_until([&] { return led.handled.load() >= accepted.load(); },
                                          zctor_test::stress_bound()));
        e.stop();
        e.join();
        refs.clear();
        s = e.stats();
    }
    const std::uint64_t total = producers * per_producer;
    BOOST_TEST(send_errors == 0u);
    BOOST_TEST(accepted == total);
    BOOST_TEST(led.handled == total);
    BOOST_TEST(s.messages_handled == total);
    BOOST_TEST(s.messages_dropped == 0u);
    BOOST_TEST(s.handler_failures == 0u);
    BOOST_TEST(led.out_of_order == 0u);
    BOOST_TEST(led.corrupt == 0u);
    std::size_t not_once = 0;
    for (auto& n : led.seen)
        not_once += n.load() != 1;
    BOOST_TEST(not_once == 0u);
    BOOST_TEST(led.heap_values.constructed == led.heap_values.destroyed);
    std::cout << "  " << producers << " producers x " << actors << " actors: " << total
              << " messages, each handled exactly once, in sender order" << std::endl;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(stress, zctor_test::stress_fixture)

BOOST_AUTO_TEST_CASE(producers_times_actors_varied_sizes_exactly_once)
{
    zctor::engine_config c;
    c.thread_count = 2;
    run_exactly_once(c, zctor_test::scaled(80'000));
}

// Batches of one message and workers that sleep as soon as they are idle: the most handoffs
// between the actors and their workers, and the most wake-ups.
BOOST_AUTO_TEST_CASE(exactly_once_with_batches_of_one_and_no_idle_spin)
{
    zctor::engine_config c;
    c.thread_count = 2;
    c.batch_size = 1;
    c.idle_spin = std::chrono::microseconds(0);
    run_exactly_once(c, zctor_test::scaled(30'000));
}

BOOST_AUTO_TEST_SUITE_END()
