//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Class-based actors: one handle() overload per message type, constructor arguments given to
// spawn, typed references whose send() only compiles for messages the actor handles, routing by
// message type, a child spawned from a handler, and a clean stop.
//

#include <zctor.hpp>

#include <functional>
#include <iostream>
#include <string>
#include <utility>

//[class_actor
// Messages are plain types; each actor class says which ones it handles by overloading handle().
struct increment
{
    int by = 1;
};
struct finish
{};
struct total
{
    std::string name;
    int value = 0;
};

// A child actor: receives the final total, records it and stops the engine.
class reporter
{
public:
    explicit reporter(int& result) : result_(result) {}

    void handle(zctor::context& ctx, const total& t)
    {
        std::cout << "reporter: " << t.name << " = " << t.value << "\n";
        result_ = t.value; // read by main after start() has returned
        ctx.get_engine().stop();
    }

private:
    int& result_;
};

class counter
{
public:
    // Route engine.send(increment{...}) (send by message type) to counters. Without this line
    // a counter is reached only through its actor_ref.
    using messages = zctor::receives<increment>;

    counter(std::string name, int start, int& result) : name_(std::move(name)), count_(start), result_(result)
    {}

    // A handler may take the context or not; it returns void, bool or error_code.
    void handle(const increment& m)
    {
        count_ += m.by;
        std::cout << name_ << ": +" << m.by << " -> " << count_ << "\n";
    }

    void handle(zctor::context& ctx, finish)
    {
        // Spawn a child on this actor's worker (placement::local: handing it the result wakes no
        // other thread), hand it the result, then stop this actor once this handler returns.
        //[local_spawn
        zctor::actor_ref<reporter> child =
            ctx.spawn<reporter>(zctor::actor_config{.placement = zctor::placement::local}, std::ref(result_));
        //]
        child.send(total{name_, count_});
        ctx.stop();
    }

private:
    std::string name_;
    int count_;
    int& result_;
};
//]

int main()
{
    zctor::engine_config config;
    config.thread_count = 2;
    zctor::engine engine(config);

    int result = 0;

    //[class_actor_use
    // spawn<A>(args...) builds the actor from the arguments and returns a typed reference.
    zctor::actor_ref<counter> ref = engine.spawn<counter>("clicks", 10, std::ref(result));

    ref.send(increment{5});
    // ref.send(std::string("hi")); // does not compile: counter has no handle(std::string)

    // Send by message type: reaches the counter because it lists increment in `messages`.
    engine.send(increment{2});

    // A reference restricted to some of the messages the class handles.
    zctor::actor_ref<zctor::receives<increment>> incrementer = ref;
    incrementer.send(increment{3});

    // Sending a type no actor is routed for is reported, not silently lost.
    boost::system::error_code ec;
    engine.send(std::string("anyone?"), ec);
    std::cout << "send(std::string): " << ec.message() << "\n";

    ref.send(finish{});
    engine.start(); // returns after the reporter has stopped the engine
    //]

    const zctor::engine_stats stats = engine.stats();
    std::cout << "final count: " << result << ", actors spawned: " << stats.actors_spawned
              << ", stopped: " << stats.actors_stopped << "\n";
    const bool ok = result == 20 && ec == zctor::error::actor_not_found && ref.stopped() &&
                    stats.actors_spawned == 2 && stats.actors_stopped == 2 && stats.handler_failures == 0;
    return ok ? 0 : 1;
}
