//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#define BOOST_TEST_MODULE zctor_detail_mpsc_queue
// Test that the header file is self-contained.
#include <zctor/detail/mpsc_queue.hpp>
// Other headers.
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstddef>
#include <thread>
#include <vector>

namespace {

using zctor::detail::message_node;
using zctor::detail::mpsc_queue;

// The queue only links nodes; the payload rides behind the header, as the runtime's messages do.
struct item : message_node
{
    std::size_t producer = 0;
    std::size_t seq = 0;
    int popped = 0; // consumer only
};

item* pop_item(mpsc_queue& q) { return static_cast<item*>(q.pop()); }

} // namespace

BOOST_AUTO_TEST_CASE(new_queue_is_empty)
{
    mpsc_queue q;
    BOOST_TEST(q.empty());
    BOOST_TEST(q.pop() == nullptr);
    BOOST_TEST(q.empty());
}

BOOST_AUTO_TEST_CASE(fifo_on_one_thread)
{
    mpsc_queue q;
    std::vector<item> items(100);
    for (std::size_t i = 0; i < items.size(); ++i)
    {
        items[i].seq = i;
        q.push(&items[i]);
        BOOST_TEST(!q.empty());
    }
    for (std::size_t i = 0; i < items.size(); ++i)
    {
        item* n = pop_item(q);
        BOOST_REQUIRE(n != nullptr);
        BOOST_TEST(n == &items[i]);
        BOOST_TEST(n->run == nullptr); // the queue never touches the payload or `run`
    }
    BOOST_TEST(q.pop() == nullptr);
    BOOST_TEST(q.empty());
}

BOOST_AUTO_TEST_CASE(interleaved_push_and_pop)
{
    mpsc_queue q;
    item a, b, c;

    // One element: the queue passes through its stub node.
    q.push(&a);
    BOOST_TEST(pop_item(q) == &a);
    BOOST_TEST(q.empty());
    BOOST_TEST(q.pop() == nullptr);

    q.push(&a);
    q.push(&b);
    BOOST_TEST(pop_item(q) == &a);
    q.push(&c);
    BOOST_TEST(!q.empty());
    BOOST_TEST(pop_item(q) == &b);
    BOOST_TEST(pop_item(q) == &c);
    BOOST_TEST(q.pop() == nullptr);
    BOOST_TEST(q.empty());

    // A popped node may be pushed again.
    q.push(&b);
    q.push(&a);
    BOOST_TEST(pop_item(q) == &b);
    BOOST_TEST(pop_item(q) == &a);
    BOOST_TEST(q.empty());
}

BOOST_AUTO_TEST_CASE(many_producers_one_consumer)
{
    constexpr std::size_t producers = 4;
    constexpr std::size_t per_producer = 50'000;
    constexpr std::size_t total = producers * per_producer;

    mpsc_queue q;
    std::vector<std::vector<item>> nodes(producers);
    for (std::size_t p = 0; p < producers; ++p)
    {
        nodes[p] = std::vector<item>(per_producer); // nodes are not copyable
        for (std::size_t i = 0; i < per_producer; ++i)
        {
            nodes[p][i].producer = p;
            nodes[p][i].seq = i;
        }
    }

    zctor_test::latch ready(static_cast<std::ptrdiff_t>(producers) + 1);
    std::vector<std::thread> threads;
    for (std::size_t p = 0; p < producers; ++p)
        threads.emplace_back([&, p] {
            ready.count_down();
            (void)ready.wait(); // start together, for contention
            for (auto& n : nodes[p])
                q.push(&n);
        });
    ready.count_down();

    // The consumer pops until it has every node. pop() may return nullptr while a producer is
    // between its two steps, so retry, with a deadline.
    std::vector<std::size_t> next(producers, 0);
    std::size_t popped = 0;
    std::size_t out_of_order = 0;
    const auto deadline = std::chrono::steady_clock::now() + zctor_test::default_timeout;
    while (popped < total && std::chrono::steady_clock::now() < deadline)
    {
        item* n = pop_item(q);
        if (n == nullptr)
        {
            std::this_thread::yield();
            continue;
        }
        ++n->popped;
        if (n->seq != next[n->producer])
            ++out_of_order;
        next[n->producer] = n->seq + 1;
        ++popped;
    }
    for (auto& t : threads)
        t.join();

    BOOST_TEST(popped == total);
    BOOST_TEST(out_of_order == 0u); // each producer's nodes in its order, none skipped
    BOOST_TEST(q.pop() == nullptr); // nothing left over
    BOOST_TEST(q.empty());
    for (std::size_t p = 0; p < producers; ++p)
    {
        BOOST_TEST(next[p] == per_producer);
        std::size_t not_once = 0;
        for (const auto& n : nodes[p])
            if (n.popped != 1)
                ++not_once;
        BOOST_TEST(not_once == 0u, "producer " << p << ": nodes not popped exactly once");
    }
}
