//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Batching with timers: a batcher collects items and flushes them when a batch is full, or when
// its first item has waited long enough (a send_after timer, armed per batch and cancelled when
// the batch fills up first). A producer sends bursts of items from a periodic send_every timer,
// which it cancels when it is done. The program checks that every item was flushed exactly once,
// in order, in batches neither empty nor over the size.
//

#include <zctor.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

struct item
{
    int value = 0;
};
struct finish
{};

struct batch
{
    std::vector<int> items;
    std::string reason; // "size", "time" or "finish"
};

//[batcher
struct flush_due // the batch timer's message
{};

class batcher
{
public:
    batcher(std::size_t max_size, std::chrono::milliseconds max_delay, std::vector<batch>& out)
        : max_size_(max_size), max_delay_(max_delay), out_(out)
    {}

    void handle(zctor::context& ctx, item it)
    {
        pending_.push_back(it.value);
        // The first item of a batch starts its clock: flush it at the latest max_delay_ from now.
        if (pending_.size() == 1)
            deadline_ = zctor::send_after(ctx.self<batcher>(), max_delay_, flush_due{});
        if (pending_.size() == max_size_)
        {
            // Full before its time: cancel the timer. Cancelling on the actor's strand is exact:
            // even if the timer has already fired and flush_due waits in the mailbox, it is not
            // handled, so it cannot cut the next batch short.
            deadline_.cancel();
            flush("size");
        }
    }

    void handle(const flush_due&) { flush("time"); }

    void handle(zctor::context& ctx, const finish&)
    {
        deadline_.cancel();
        if (!pending_.empty())
            flush("finish");
        ctx.get_engine().stop();
    }

private:
    void flush(const char* reason)
    {
        std::cout << "flush " << pending_.size() << " item(s) (" << reason << ")\n";
        out_.push_back(batch{std::exchange(pending_, {}), reason});
    }

    std::size_t max_size_;
    std::chrono::milliseconds max_delay_;
    std::vector<batch>& out_; // read by main once the engine has stopped
    std::vector<int> pending_;
    zctor::timer_handle deadline_;
};
//]

//[producer
struct start
{};
struct produce // the producer's periodic tick
{};

class producer
{
public:
    producer(zctor::actor_ref<batcher> to, std::vector<int> bursts)
        : to_(std::move(to)), bursts_(std::move(bursts))
    {}

    void handle(zctor::context& ctx, const start&)
    {
        // A tick every 10 ms, at a fixed rate, until cancelled or this actor stops.
        ticker_ = zctor::send_every(ctx.self<producer>(), 10ms, produce{});
    }

    void handle(const produce&)
    {
        for (int i = 0; i < bursts_[next_burst_]; ++i)
            to_.send(item{next_value_++});
        if (++next_burst_ == bursts_.size())
        {
            ticker_.cancel(); // no more ticks
            to_.send(finish{});
        }
    }

private:
    zctor::actor_ref<batcher> to_;
    std::vector<int> bursts_;
    std::size_t next_burst_ = 0;
    int next_value_ = 0;
    zctor::timer_handle ticker_;
};
//]

int main()
{
    zctor::engine_config config;
    config.thread_count = 2;
    zctor::engine engine(config);

    //[batching_main
    constexpr std::size_t max_size = 8;
    std::vector<batch> flushed;
    auto sink = engine.spawn<batcher>(max_size, 3ms, std::ref(flushed));
    auto source = engine.spawn<producer>(sink, std::vector<int>{20, 3, 13, 5});
    source.send(start{});
    engine.start(); // returns once the batcher has flushed the last batch and stopped the engine
    //]

    // Every item exactly once, in order; no batch empty (a cancelled timer that still flushed
    // would show as one) or over the size.
    std::vector<int> seen;
    bool sizes_ok = true;
    for (const batch& b : flushed)
    {
        sizes_ok = sizes_ok && !b.items.empty() && b.items.size() <= max_size;
        seen.insert(seen.end(), b.items.begin(), b.items.end());
    }
    constexpr int total = 20 + 3 + 13 + 5;
    bool all_once = seen.size() == total;
    for (int i = 0; all_once && i < total; ++i)
        all_once = seen[i] == i;
    const zctor::engine_stats stats = engine.stats();
    std::cout << flushed.size() << " batches, " << seen.size() << " items\n";
    const bool ok = all_once && sizes_ok && stats.handler_failures == 0 && stats.messages_dropped == 0;
    std::cout << (ok ? "every item flushed exactly once\n" : "FAILED\n");
    return ok ? 0 : 1;
}
