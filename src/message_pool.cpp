//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#include <zctor/detail/message_pool.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace zctor::detail::message_pool {
namespace {

constexpr std::size_t header_size = 16; // keeps the message 16-byte aligned
constexpr std::size_t class_count = 4;  // blocks of 64, 128, 256 and 512 bytes
constexpr std::size_t keep_per_class = 4096;

struct free_block
{
    free_block* next;
};

struct cache;

/// Precedes every pooled block: whose free lists it returns to.
struct alignas(header_size) header
{
    cache* owner;
};

constexpr std::size_t block_size(std::size_t cls) noexcept { return std::size_t(64) << cls; }

constexpr std::size_t class_of(std::size_t n) noexcept
{
    const std::size_t total = n + header_size;
    std::size_t cls = 0;
    while (block_size(cls) < total)
        ++cls;
    return cls;
}

/// One thread's free lists. Never freed: a cache whose thread has exited is handed to the next
/// new thread, so blocks still in flight always have somewhere to go back to.
struct cache
{
    struct size_class
    {
        free_block* local = nullptr; // owner thread only
        std::size_t local_count = 0;
        // Blocks of another thread this thread has freed, returned to it in one CAS per batch.
        cache* pending_owner = nullptr;
        free_block* pending_head = nullptr;
        free_block* pending_tail = nullptr;
        std::size_t pending_count = 0;
        alignas(64) std::atomic<free_block*> remote{nullptr}; // pushed by other threads
    };
    size_class classes[class_count];
};

std::mutex orphans_mutex;
std::vector<cache*>* orphans = nullptr; // caches of exited threads, reused by new ones

thread_local cache* tls_cache = nullptr; // trivially destructible: readable until the thread ends
thread_local bool tls_exiting = false;

/// Hands a chain of blocks back to the thread that allocated them.
void push_remote(cache* owner, std::size_t cls, free_block* head, free_block* tail) noexcept
{
    auto& remote = owner->classes[cls].remote;
    free_block* old = remote.load(std::memory_order_relaxed);
    do
        tail->next = old;
    while (!remote.compare_exchange_weak(old, head, std::memory_order_release, std::memory_order_relaxed));
}

void flush_pending(cache::size_class& sc, std::size_t cls) noexcept
{
    if (sc.pending_count == 0)
        return;
    push_remote(sc.pending_owner, cls, sc.pending_head, sc.pending_tail);
    sc.pending_owner = nullptr;
    sc.pending_head = sc.pending_tail = nullptr;
    sc.pending_count = 0;
}

/// Hands the thread's cache to the orphans when the thread exits.
struct releaser
{
    ~releaser()
    {
        if (tls_cache != nullptr)
        {
            for (std::size_t cls = 0; cls < class_count; ++cls)
                flush_pending(tls_cache->classes[cls], cls);
            std::lock_guard lock(orphans_mutex);
            if (orphans == nullptr)
                orphans = new std::vector<cache*>;
            orphans->push_back(tls_cache);
        }
        tls_cache = nullptr;
        tls_exiting = true;
    }
};

cache* this_thread_cache()
{
    if (tls_cache != nullptr)
        return tls_cache;
    if (tls_exiting)
        return nullptr; // a thread_local destructor sending a message: plain memory
    static thread_local releaser r;
    (void)r;
    {
        std::lock_guard lock(orphans_mutex);
        if (orphans != nullptr && !orphans->empty())
        {
            tls_cache = orphans->back();
            orphans->pop_back();
            return tls_cache;
        }
    }
    tls_cache = new cache;
    return tls_cache;
}

void* fresh_block(cache* owner, std::size_t cls)
{
    auto* h = static_cast<header*>(::operator new(block_size(cls)));
    h->owner = owner;
    return h + 1;
}

} // namespace

void* allocate(std::size_t n)
{
    if (n + header_size > max_pooled)
        return ::operator new(n);
    const std::size_t cls = class_of(n);
    cache* c = this_thread_cache();
    if (c == nullptr)
        return fresh_block(nullptr, cls);
    auto& sc = c->classes[cls];
    if (sc.local == nullptr)
    {
        // Take back, at once, every block other threads have freed; keep a bounded number.
        // The plain load keeps a producer that outruns its consumers off the shared line.
        free_block* chain = nullptr;
        if (sc.remote.load(std::memory_order_relaxed) != nullptr)
            chain = sc.remote.exchange(nullptr, std::memory_order_acquire);
        while (chain != nullptr)
        {
            free_block* next = chain->next;
            if (sc.local_count < keep_per_class)
            {
                chain->next = sc.local;
                sc.local = chain;
                ++sc.local_count;
            }
            else
            {
                ::operator delete(reinterpret_cast<header*>(chain) - 1);
            }
            chain = next;
        }
        if (sc.local == nullptr)
            return fresh_block(c, cls);
    }
    free_block* b = sc.local;
    sc.local = b->next;
    --sc.local_count;
    return b;
}

void deallocate(void* p, std::size_t n) noexcept
{
    if (n + header_size > max_pooled)
    {
        ::operator delete(p);
        return;
    }
    const std::size_t cls = class_of(n);
    cache* owner = (static_cast<header*>(p) - 1)->owner;
    auto* b = static_cast<free_block*>(p);
    if (owner == nullptr)
    {
        ::operator delete(static_cast<header*>(p) - 1);
        return;
    }
    cache* self = tls_cache;
    if (owner == self)
    {
        auto& sc = owner->classes[cls];
        if (sc.local_count >= keep_per_class)
        {
            ::operator delete(static_cast<header*>(p) - 1);
            return;
        }
        b->next = sc.local;
        sc.local = b;
        ++sc.local_count;
        return;
    }
    if (self == nullptr)
    {
        push_remote(owner, cls, b, b);
        return;
    }
    // Another thread's block: batch it with others of the same owner.
    auto& mine = self->classes[cls];
    if (mine.pending_owner != owner)
    {
        flush_pending(mine, cls);
        mine.pending_owner = owner;
    }
    b->next = mine.pending_head;
    mine.pending_head = b;
    if (mine.pending_tail == nullptr)
        mine.pending_tail = b;
    if (++mine.pending_count == return_batch)
        flush_pending(mine, cls);
}

} // namespace zctor::detail::message_pool
