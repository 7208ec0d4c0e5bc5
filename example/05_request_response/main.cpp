//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Request/response (the book's database example): a database actor keeps users in its state and
// answers requests. main asks it with the blocking ask() and with async_ask(use_future); a client
// actor asks it with a callback and answers its own asker later through a response promise; a
// slow lookup is answered later through a response promise too. Then what can go wrong: a timeout
// (its late reply discarded and counted) and a fail-fast error.
//

#include <zctor.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

using namespace std::chrono_literals;

//[request_types
struct user
{
    std::uint32_t id = 0;
    std::string name;
};

// A request is a message that names the type of its reply.
struct set_user
{
    std::uint32_t id = 0;
    std::string name;
    using reply_type = bool; // true: created, false: an existing user was replaced
};
struct get_user
{
    std::uint32_t id = 0;
    using reply_type = std::optional<user>;
};
// Answered only after `delay`: stands for a lookup that waits on something slow.
struct get_user_slow
{
    std::uint32_t id = 0;
    std::chrono::milliseconds delay{};
    using reply_type = std::optional<user>;
};
//]

//[database
class database
{
public:
    // A handler that returns the request's reply_type replies with its return value.
    bool handle(const set_user& req)
    {
        const auto [where, created] = users_.insert_or_assign(req.id, user{req.id, req.name});
        return created;
    }

    std::optional<user> handle(const get_user& req) const
    {
        const auto found = users_.find(req.id);
        if (found == users_.end())
            return std::nullopt;
        return found->second;
    }

    // A handler that returns void takes the reply as a response_promise and delivers it later.
    void handle(zctor::context& ctx, const get_user_slow& req)
    {
        auto promise = ctx.make_response_promise<std::optional<user>>();
        // A timer on the actor's strand: its completion never runs alongside a handler. The
        // answer is read now; only its delivery waits.
        auto timer = std::make_shared<boost::asio::steady_timer>(ctx.get_executor(), req.delay);
        timer->async_wait([timer, promise = std::move(promise),
                           answer = handle(get_user{req.id})](boost::system::error_code ec) mutable {
            if (ec)
                return; // the promise is destroyed unanswered: the asker gets broken_promise
            if (!promise.deliver(std::move(answer)))
                std::cout << "database: nobody waits for this reply any more: discarded\n";
        });
    }

private:
    std::unordered_map<std::uint32_t, user> users_;
};
//]

//[greeter
struct greet
{
    std::uint32_t id = 0;
    using reply_type = std::string;
};

// A client actor: it answers greet by asking the database, with a callback.
class greeter
{
public:
    greeter(zctor::actor_ref<database> db, std::atomic<bool>& called_on_strand)
        : db_(std::move(db)), called_on_strand_(called_on_strand)
    {}

    void handle(zctor::context& ctx, const greet& req)
    {
        // The reply comes from the callback below, after this handler has returned.
        auto promise = ctx.make_response_promise<std::string>();
        // Asked from a handler, the callback runs on this actor's strand (never alongside its
        // handlers), and never inside async_ask itself.
        db_.async_ask(get_user{req.id}, 1s,
                      [promise = std::move(promise), strand = ctx.get_executor(),
                       &on_strand = called_on_strand_](boost::system::error_code ec,
                                                       std::optional<user> found) mutable {
                          on_strand = strand.running_in_this_thread(); // checked by main
                          if (ec)
                              promise.fail(ec); // the greeter's asker gets the database's error
                          else
                              promise.deliver(found ? "Hello, " + found->name + "!" : "Hello, stranger!");
                      });
    }

private:
    zctor::actor_ref<database> db_;
    std::atomic<bool>& called_on_strand_;
};
//]

int main()
{
    zctor::engine_config config;
    config.thread_count = 2;
    zctor::engine engine(config);
    zctor::actor_ref<database> db = engine.spawn<database>();
    engine.run(); // the workers run in the background while main asks

    bool ok = true;
    auto check = [&ok](bool passed, const char* what) {
        if (!passed)
        {
            std::cout << "FAILED: " << what << "\n";
            ok = false;
        }
    };

    //[blocking_ask
    // Blocks main until the reply comes; throws boost::system::system_error on failure
    // (zctor::error::timed_out after one second).
    const bool created = db.ask(set_user{1, "Alice"}, 1s);
    const bool created_again = db.ask(set_user{1, "Alice Smith"}, 1s);
    db.ask(set_user{2, "Bob"}, 1s);
    const std::optional<user> alice = db.ask(get_user{1}, 1s);
    std::cout << std::boolalpha << "created: " << created << ", created again: " << created_again
              << ", user 1: " << alice->name << "\n";
    //]
    check(created && !created_again && alice && alice->name == "Alice Smith", "blocking ask");

    //[future_ask
    // Two asks in flight at once; a future per reply.
    std::future<std::optional<user>> bob = db.async_ask(get_user{2}, 1s, boost::asio::use_future);
    std::future<std::optional<user>> carol = db.async_ask(get_user{3}, 1s, boost::asio::use_future);
    const std::optional<user> bob_found = bob.get(); // get() throws system_error on failure
    const std::optional<user> carol_found = carol.get();
    std::cout << "user 2: " << (bob_found ? bob_found->name : "none")
              << ", user 3: " << (carol_found ? carol_found->name : "none") << "\n";
    //]
    check(bob_found && bob_found->name == "Bob" && !carol_found, "async_ask with use_future");

    //[client_ask
    std::atomic<bool> called_on_strand{false};
    zctor::actor_ref<greeter> client = engine.spawn<greeter>(db, std::ref(called_on_strand));
    const std::string greeting = client.ask(greet{1}, 1s);
    std::cout << "greeter: " << greeting << "\n";
    //]
    check(greeting == "Hello, Alice Smith!" && called_on_strand, "callback on the client's strand");

    //[timeout
    // Fails with timed_out after 10 ms; the database still replies at 50 ms, and that late
    // reply is discarded and counted in engine_stats::replies_discarded.
    boost::system::error_code ec;
    const std::optional<user> too_late = db.ask(get_user_slow{2, 50ms}, 10ms, ec);
    std::cout << "slow lookup with a 10 ms timeout: " << ec.message() << "\n";
    //]
    check(ec == zctor::error::timed_out && !too_late, "timeout");

    //[promise_ask
    // Answered through the response promise, once the database's timer has fired.
    const std::optional<user> slow = db.ask(get_user_slow{2, 50ms}, 1s);
    std::cout << "slow lookup with a 1 s timeout: " << slow->name << "\n";
    //]
    // The first slow lookup's timer expired before this one's, on the same strand: its late reply
    // has been discarded by now.
    check(slow && slow->name == "Bob", "reply through a response promise");
    check(engine.stats().replies_discarded == 1, "the late reply is counted");

    const auto stop_time = std::chrono::steady_clock::now();
    //[fail_fast
    // Asking an actor that is stopping or stopped fails at once, not after the timeout:
    // broken_promise if the request reached its mailbox before the stop took effect (the stop
    // drops it unanswered), actor_stopped once the actor has stopped.
    db.stop();
    db.ask(get_user{1}, 10s, ec);
    if (ec == zctor::error::broken_promise || ec == zctor::error::actor_stopped)
        std::cout << "ask after stop: failed at once\n";
    //]
    const auto waited = std::chrono::steady_clock::now() - stop_time;
    check(ec == zctor::error::broken_promise || ec == zctor::error::actor_stopped, "ask after stop fails");
    check(waited < 1s, "ask after stop fails fast");
    db.ask(get_user{1}, 10s, ec); // the actor has stopped by now (the previous ask saw it stop)
    check(ec == zctor::error::actor_stopped, "ask to a stopped actor");
    // The client's ask fails the same way: the database's error reaches the client's asker.
    client.ask(greet{1}, 1s, ec);
    check(ec == zctor::error::actor_stopped, "the error passes through the client");

    engine.stop();
    engine.join();
    const zctor::engine_stats stats = engine.stats();
    check(stats.replies_discarded == 1 && stats.handler_failures == 0, "final counters");
    std::cout << (ok ? "all checks passed\n" : "some checks FAILED\n");
    return ok ? 0 : 1;
}
