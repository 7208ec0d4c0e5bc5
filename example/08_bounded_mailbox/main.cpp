//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Bounded mailboxes: a producer sends ten readings to a consumer whose mailbox holds four, while
// the consumer is busy, under each overflow policy, and prints what became of them. Under
// backpressure the producer is an actor whose coroutine handler waits for room with
// co_await async_send, on the same worker as the consumer, without blocking it.
//

#include <zctor.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <iostream>
#include <thread>

namespace asio = boost::asio;

struct reading
{
    int value = 0;
};
// Keeps the consumer busy until main sends on `until`.
struct busy
{
    zctor::oneshot_channel<int>* until = nullptr;
    std::promise<void>* started = nullptr;
};

//[consumer
class consumer
{
public:
    explicit consumer(std::atomic<int>& handled) : handled_(handled) {}

    // A coroutine handler: while it waits, the actor takes no other message (its mailbox fills),
    // but its worker goes on running other actors.
    asio::awaitable<void> handle(const busy& b)
    {
        b.started->set_value();
        co_await b.until->async_receive(asio::use_awaitable);
    }

    void handle(const reading&) { ++handled_; }

private:
    std::atomic<int>& handled_;
};
//]

struct produce
{
    int count = 0;
};

namespace {

constexpr int sent = 10;

const char* name(zctor::overflow_policy p)
{
    switch (p)
    {
    case zctor::overflow_policy::fail: return "fail";
    case zctor::overflow_policy::drop_newest: return "drop_newest";
    case zctor::overflow_policy::drop_oldest: return "drop_oldest";
    case zctor::overflow_policy::backpressure: return "backpressure";
    }
    return "?";
}

// Returns whether the counts add up.
bool run(zctor::overflow_policy policy)
{
    zctor::engine_config config;
    config.thread_count = 1; // producer and consumer share one worker
    zctor::engine eng(config);
    std::atomic<int> handled{0};

    //[spawn_bounded
    auto sink = eng.spawn<consumer>(zctor::actor_config{.mailbox_capacity = 4, .overflow = policy}, handled);
    //]
    eng.run();

    // Make the consumer busy, so that what follows stays queued.
    zctor::oneshot_channel<int> until;
    std::promise<void> started;
    sink.send(busy{&until, &started});
    started.get_future().wait();

    int accepted = 0;
    int refused = 0;
    std::promise<void> produced;
    if (policy != zctor::overflow_policy::backpressure)
    {
        //[send_to_full
        for (int i = 0; i < sent; ++i)
        {
            boost::system::error_code ec;
            sink.send(reading{i}, ec);
            if (ec == zctor::error::mailbox_full)
                ++refused; // fail: the reading is not taken, the producer may retry later
            else if (!ec)
                ++accepted; // queued, or discarded by a drop policy (counted in mailbox().dropped)
        }
        //]
        produced.set_value();
    }
    else
    {
        //[async_send
        auto producer = eng.spawn<produce>([&](const produce& p) -> asio::awaitable<void> {
            for (int i = 0; i < p.count; ++i)
                co_await sink.async_send(reading{i}, asio::use_awaitable); // waits for room
            produced.set_value();
        });
        producer.send(produce{sent});
        //]
        // The producer now waits for room; release the consumer so that it makes some.
        while (sink.mailbox().waiting_sends == 0)
            std::this_thread::yield();
        accepted = sent; // every reading gets in, in time
    }
    const zctor::mailbox_stats before = sink.mailbox();
    until.send(1); // the consumer is done being busy
    produced.get_future().wait();
    eng.stop(); // drains what was accepted, then stops
    eng.join();

    const zctor::engine_stats s = eng.stats();
    std::cout << name(policy) << ": sent " << sent << ", accepted " << accepted << ", refused " << refused
              << ", dropped " << before.dropped << ", handled " << handled.load()
              << " (engine: mailbox_dropped " << s.mailbox_dropped << ", mailbox_rejected "
              << s.mailbox_rejected << ")\n";
    // Every reading is accounted for.
    if (policy == zctor::overflow_policy::backpressure)
        return handled.load() == sent;
    return accepted + refused == sent && static_cast<int>(before.dropped) + handled.load() == accepted &&
           s.mailbox_rejected == static_cast<std::uint64_t>(refused);
}

} // namespace

int main()
{
    bool ok = true;
    for (auto p : {zctor::overflow_policy::fail, zctor::overflow_policy::drop_newest,
                   zctor::overflow_policy::drop_oldest, zctor::overflow_policy::backpressure})
        ok = run(p) && ok;
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
