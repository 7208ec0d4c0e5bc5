//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// The book's supervisor: it spawns named children, learns of a child's failure through a
// monitor (a zctor::down), restarts it under the same name with a restart count, gives up after
// three restarts, and reports its children's status. Then an actor that restarts itself in place
// (failure_policy::restart): same reference, fresh object, lifecycle hooks around each
// incarnation. And a dead-letter handler that sees what a stopped child left in its mailbox.
//

#include <zctor.hpp>

#include <cstdint>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

//[supervisor_messages
// A unit of work for a child; a negative one makes it fail.
struct work
{
    int n = 0;
};

// The book's SupervisorMessage, one type per case.
struct spawn_child
{
    using reply_type = bool;
    std::string name;
};
struct restart_child
{
    std::string name;
};
struct get_status
{
    using reply_type = std::string;
};
// Answered once the supervisor has dealt with `count` failures in all (restarted, or given up).
struct wait_settled
{
    using reply_type = int;
    int count = 0;
};
//]

//[supervisor
class supervisor
{
public:
    bool handle(zctor::context& ctx, const spawn_child& m)
    {
        start(ctx, m.name);
        children_[m.name] = child_info{};
        std::cout << "Spawned child: " << m.name << "\n";
        return true;
    }

    // A child stopped: the book's ChildFailed, delivered by the monitor.
    void on_down(zctor::context& ctx, const zctor::down& d)
    {
        auto it = by_id_.find(d.who);
        if (it == by_id_.end())
            return;
        const std::string name = it->second;
        by_id_.erase(it);
        child_info& child = children_[name];
        child.status = "failed";
        std::cout << "Child " << name << " failed: " << (d.why.error ? d.why.error.message() : "stopped")
                  << "\n";
        // Auto-restart while the restart count is below the threshold: a message to itself.
        if (d.why.abnormal() && child.restart_count < 3)
        {
            ctx.self<supervisor>().send(restart_child{name});
            return;
        }
        std::cout << "Giving up on child: " << name << "\n";
        ++settled_;
        answer_waiters();
    }

    void handle(zctor::context& ctx, const restart_child& m)
    {
        child_info& child = children_[m.name];
        child.status = "restarting";
        ++child.restart_count;
        std::cout << "Restarting child: " << m.name << " (attempt " << child.restart_count << ")\n";
        start(ctx, m.name); // a fresh actor, registered under the same name
        child.status = "running";
        std::cout << "Child " << m.name << " restarted successfully\n";
        ++settled_;
        answer_waiters();
    }

    std::string handle(const get_status&)
    {
        std::string report = "Supervisor Status:\n";
        for (const auto& [name, child] : children_)
            report += "  " + name + ": " + child.status +
                      " (restarts: " + std::to_string(child.restart_count) + ")\n";
        return report;
    }

    void handle(zctor::context& ctx, const wait_settled& m)
    {
        waiters_.emplace_back(m.count, ctx.make_response_promise<int>());
        answer_waiters();
    }

private:
    struct child_info
    {
        std::string status = "running";
        int restart_count = 0;
    };

    void start(zctor::context& ctx, const std::string& name)
    {
        // A child stops when its handler fails; the supervisor hears of it through the monitor.
        auto child = ctx.spawn<work>(
            [name](work w) {
                if (w.n < 0)
                    return false;
                std::cout << "  " << name << " did work " << w.n << "\n";
                return true;
            },
            zctor::hooks{.on_failure = zctor::failure_policy::stop});
        ctx.monitor(child);
        ctx.get_engine().register_name(name, child); // the name follows the current incarnation
        by_id_[child.id()] = name;
    }

    void answer_waiters()
    {
        std::erase_if(waiters_,
                      [&](auto& w) { return w.first <= settled_ && (w.second.deliver(settled_), true); });
    }

    std::map<std::string, child_info> children_;
    std::map<std::uint64_t, std::string> by_id_;
    int settled_ = 0;
    std::vector<std::pair<int, zctor::response_promise<int>>> waiters_;
};
//]

//[in_place_restart
// An actor that restarts itself: a failed handler destroys this object and builds a fresh one
// from copies of the constructor arguments, behind the same reference.
class cache
{
public:
    static constexpr zctor::failure_policy on_failure = zctor::failure_policy::restart;

    explicit cache(std::string name) : name_(std::move(name)) {}

    void on_start() { std::cout << name_ << ": started with " << entries_ << " entries\n"; }
    void on_stop(const zctor::stop_reason& why)
    {
        std::cout << name_ << ": stopped (" << zctor::to_string(why.kind) << ") with " << entries_
                  << " entries\n";
    }

    bool handle(const work& w)
    {
        if (w.n < 0)
            return false; // corrupt input: fail, and start afresh
        ++entries_;
        return true;
    }

    int handle(const wait_settled&) { return entries_; }

private:
    std::string name_;
    int entries_ = 0;
};
//]

int main()
{
    using namespace std::chrono_literals;
    int dead_letters = 0;
    zctor::engine_config config;
    config.thread_count = 2;
    //[dead_letters
    config.on_dead_letter = [&](const zctor::dead_letter& d) {
        if (const work* w = d.get<work>())
            std::cout << "dead letter for actor " << d.actor_id << ": work " << w->n << "\n";
        ++dead_letters; // one worker thread at a time here: the failing child's
    };
    //]
    zctor::engine engine(config);
    engine.run();

    auto sup = engine.spawn<supervisor>();
    sup.ask(spawn_child{"worker-a"}, 5s);
    sup.ask(spawn_child{"worker-b"}, 5s);

    //[supervisor_main
    // Work through the registry: the name resolves to whatever incarnation runs now.
    auto a = engine.lookup<zctor::receives<work>>("worker-a");
    a.send(work{1});
    a.send(work{-1}); // fails: the child stops, the supervisor restarts it
    boost::system::error_code ec;
    a.send(work{2}, ec); // a dead letter if queued before the stop, else refused: actor_stopped
    const int settled = sup.ask(wait_settled{1}, 5s);
    std::cout << "failures dealt with: " << settled << "\n";
    engine.lookup<zctor::receives<work>>("worker-a").send(work{3}); // the new incarnation

    // worker-b keeps failing: restarted three times, then the supervisor gives up.
    for (int failure = 1; failure <= 4; ++failure)
    {
        engine.lookup<zctor::receives<work>>("worker-b").send(work{-failure});
        sup.ask(wait_settled{1 + failure}, 5s);
    }
    const std::string status = sup.ask(get_status{}, 5s);
    std::cout << status;
    //]

    auto c = engine.spawn<cache>(std::string("cache"));
    c.send(work{1});
    c.send(work{2});
    c.send(work{-1}); // restarted in place
    c.send(work{3});
    const int entries = c.ask(wait_settled{}, 5s);
    std::cout << "cache entries after the restart: " << entries << "\n";

    engine.stop();
    engine.join();
    const auto stats = engine.stats();
    std::cout << "dead letters: " << dead_letters << ", dropped: " << stats.messages_dropped
              << ", handler failures: " << stats.handler_failures << "\n";
    const bool ok = entries == 1 && stats.handler_failures == 6 &&
                    status.find("worker-a: running (restarts: 1)") != std::string::npos &&
                    status.find("worker-b: failed (restarts: 3)") != std::string::npos;
    return ok ? 0 : 1;
}
