//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Embedding: the engine runs on an io_context that the application owns and runs on its own
// threads. An actor drives an Asio timer created on its executor (its strand), so the timer's
// completions never run concurrently with the actor's handlers. A handler stops the engine;
// io.run() returns once the engine has stopped, because the engine holds work on the io_context
// until then and the timers owned by actor state are cancelled when the actor stops.
//

#include <zctor.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

using namespace std::chrono_literals;

struct start_ticking
{
    int count = 0;
    std::chrono::milliseconds period{};
};
struct done
{};
using ticker_message = std::variant<start_ticking, done>;
using ticker_ref = zctor::actor_ref<zctor::receives<ticker_message>>;

// What the program checks at the end.
struct results
{
    std::atomic<int> ticks{0};
    std::atomic<bool> all_on_strand{true};
    std::atomic<bool> watchdog_cancelled{false};
};

//[embedding_timer
// Actor state owning Asio timers made on the actor's strand. The state is destroyed when the
// actor stops, which cancels whatever the timers still wait for.
struct ticker_state
{
    explicit ticker_state(const zctor::context::executor_type& strand)
        : strand(strand), timer(strand), watchdog(strand)
    {}
    zctor::context::executor_type strand;
    boost::asio::steady_timer timer;
    boost::asio::steady_timer watchdog;
    int remaining = 0;
};

// Completions run on the actor's strand, so they may use the state as a handler would, as long
// as they check for operation_aborted first: then the actor has stopped and the state is gone.
void arm(ticker_state& st, std::chrono::milliseconds period, ticker_ref self, results& out)
{
    st.timer.expires_after(period);
    st.timer.async_wait([&st, period, self, &out](boost::system::error_code ec) {
        if (ec)
            return;
        const bool on_strand = st.strand.running_in_this_thread();
        if (!on_strand)
            out.all_on_strand = false;
        const int n = ++out.ticks;
        std::cout << "tick " << n << (on_strand ? " on the actor's strand\n" : " OFF the strand\n");
        if (--st.remaining > 0)
            return arm(st, period, self, out);
        // Back to message handling; a completion handler must not throw into io.run().
        boost::system::error_code send_ec;
        self.send(done{}, send_ec);
    });
}

void handle_ticker(zctor::context& ctx, ticker_message msg, results& out)
{
    if (auto* m = std::get_if<start_ticking>(&msg))
    {
        auto& st = ctx.emplace_state<ticker_state>(ctx.get_executor());
        st.remaining = m->count;
        arm(st, m->period, ctx.self<zctor::receives<ticker_message>>(), out);

        // Never fires: cancelled when the actor's state is destroyed at shutdown.
        st.watchdog.expires_after(1h);
        st.watchdog.async_wait([&out](boost::system::error_code ec) {
            out.watchdog_cancelled = ec == boost::asio::error::operation_aborted;
        });
    }
    else
    {
        std::cout << "done: stopping the engine\n";
        ctx.get_engine().stop();
    }
}
//]

int main()
{
    results out;

    //[embedding_main
    boost::asio::io_context io; // the application's own io_context, declared before the engine

    zctor::engine engine(io); // running at once: actors are placed on strands over io
    ticker_ref ticker = engine.spawn<ticker_message>(
        [&out](zctor::context& ctx, ticker_message msg) { handle_ticker(ctx, std::move(msg), out); });
    ticker.send(start_ticking{3, 20ms});

    // The application's own work shares the io_context with the actors.
    boost::asio::steady_timer app_timer(io, 5ms);
    app_timer.async_wait([](boost::system::error_code) { std::cout << "application timer fired\n"; });

    // The application runs the io_context on threads of its choosing. run() returns when the
    // engine has stopped (it holds a work guard until then) and no other work is left.
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i)
        threads.emplace_back([&io] { io.run(); });
    for (auto& t : threads)
        t.join();
    //]

    std::cout << "io.run() returned; engine stopped: " << std::boolalpha << engine.stopped() << "\n";
    const bool ok = engine.stopped() && out.ticks == 3 && out.all_on_strand && out.watchdog_cancelled &&
                    engine.stats().handler_failures == 0;
    return ok ? 0 : 1;
}
