//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#define BOOST_TEST_MODULE zctor_detail_message_pool
#include <zctor/detail/message_pool.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

namespace pool = zctor::detail::message_pool;

BOOST_AUTO_TEST_CASE(blocks_are_aligned_usable_and_reused_by_their_thread)
{
    void* a = pool::allocate(40);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(a) % 16 == 0u);
    std::memset(a, 0xab, 40);
    pool::deallocate(a, 40);
    void* b = pool::allocate(40); // same size class, same thread: the block comes back
    BOOST_TEST(a == b);
    pool::deallocate(b, 40);
}

BOOST_AUTO_TEST_CASE(a_block_freed_by_another_thread_returns_to_its_owner)
{
    std::vector<void*> blocks;
    for (int i = 0; i < 100; ++i)
        blocks.push_back(pool::allocate(100));
    const std::set<void*> first(blocks.begin(), blocks.end());
    std::thread([&] {
        for (void* p : blocks)
            pool::deallocate(p, 100); // as a worker frees what a sender allocated
    }).join();
    std::set<void*> again;
    for (int i = 0; i < 100; ++i)
        again.insert(pool::allocate(100));
    BOOST_TEST(again == first); // the sender reuses its own blocks
    for (void* p : again)
        pool::deallocate(p, 100);
}

BOOST_AUTO_TEST_CASE(large_blocks_bypass_the_pool)
{
    void* p = pool::allocate(pool::max_pooled);
    std::memset(p, 1, pool::max_pooled);
    pool::deallocate(p, pool::max_pooled);
    void* q = pool::allocate(100'000);
    std::memset(q, 2, 100'000);
    pool::deallocate(q, 100'000);
    BOOST_TEST(true); // the assertion is that the sanitizers and the allocator accept this
}

BOOST_AUTO_TEST_CASE(blocks_outlive_the_thread_that_allocated_them)
{
    constexpr int n = pool::return_batch; // freed by this thread: returned as one full batch
    std::vector<void*> blocks;
    std::thread([&] {
        for (int i = 0; i < n; ++i)
            blocks.push_back(pool::allocate(64));
    }).join(); // its cache is now an orphan, handed to the next new thread
    for (void* p : blocks)
        pool::deallocate(p, 64);
    std::vector<void*> reused;
    std::thread([&] {
        for (int i = 0; i < n; ++i)
            reused.push_back(pool::allocate(64));
        for (void* p : reused)
            pool::deallocate(p, 64);
    }).join();
    BOOST_TEST(std::set<void*>(reused.begin(), reused.end()) ==
               std::set<void*>(blocks.begin(), blocks.end()));
}

BOOST_AUTO_TEST_CASE(many_threads_allocating_and_freeing_across)
{
    constexpr int producers = 4, per = 20'000;
    std::vector<std::vector<void*>> handoff(producers);
    std::vector<std::thread> threads;
    for (int t = 0; t < producers; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < per; ++i)
            {
                void* p = pool::allocate(24 + (i % 4) * 100);
                std::memset(p, t, 24);
                handoff[t].push_back(p);
            }
        });
    for (auto& th : threads)
        th.join();
    threads.clear();
    for (int t = 0; t < producers; ++t)
        threads.emplace_back([&, t] {
            int i = 0;
            for (void* p : handoff[(t + 1) % producers])
                pool::deallocate(p, 24 + (i++ % 4) * 100);
        });
    for (auto& th : threads)
        th.join();
    BOOST_TEST(true); // no crash, no sanitizer report
}
