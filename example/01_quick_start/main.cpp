//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Quick start (the book's "Your First Actor"): one actor that handles a std::variant of messages,
// spawned by message type, fed by message type, and stopping the engine from its own handler.
//

//[quick_start
#include <zctor.hpp>

#include <cstdint>
#include <iostream>
#include <string>
#include <variant>

// The messages: one struct per case, gathered in a variant (the book's tagged union).
struct hello
{
    std::string name;
};
struct ping
{
    std::uint32_t value;
};
struct stop
{};
using chat_message = std::variant<hello, ping, stop>;

// Visits a variant with a set of lambdas.
template <class... Fs>
struct overloaded : Fs...
{
    using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

int main()
{
    zctor::engine_config config;
    config.thread_count = 1; // one worker thread: the output follows the order of the sends
    zctor::engine engine(config);

    // An actor for chat_message: its handler is called for each message, one at a time.
    // engine.send<chat_message>(...) is routed to it.
    engine.spawn<chat_message>([](zctor::context& ctx, chat_message msg) {
        std::visit(overloaded{
                       [](const hello& m) { std::cout << "Hello, " << m.name << "!\n"; },
                       [](const ping& m) { std::cout << "Ping: " << m.value << "\n"; },
                       [&](const stop&) {
                           std::cout << "Stopping\n";
                           ctx.get_engine().stop(); // returns at once; start() returns once stopped
                       },
                   },
                   msg);
    });

    engine.send<chat_message>(hello{"World"});
    engine.send<chat_message>(ping{42});
    engine.send<chat_message>(stop{});

    std::cout << "Actor Engine Started\n";
    engine.start(); // runs the worker thread and blocks until the engine has stopped
    std::cout << "Engine stopped\n";
}
//]
