//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Adding state (the book's "Adding State"): the handler keeps typed state in its actor, created on
// the first message and destroyed with the actor when the engine stops.
//

#include <zctor.hpp>

#include <cstdint>
#include <iostream>
#include <string>
#include <variant>

struct hello
{
    std::string name;
};
struct ping
{
    std::uint32_t value;
};
struct get_stats
{};
struct reset
{};
struct stop
{};
using chat_message = std::variant<hello, ping, get_stats, reset, stop>;

//[counter_state
// The actor's state: private to it, created on first use, destroyed when the actor stops.
struct chat_state
{
    std::uint32_t hello_count = 0;
    std::uint32_t ping_count = 0;
    ~chat_state() { std::cout << "State destroyed\n"; }
};

template <class... Fs>
struct overloaded : Fs...
{
    using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

void handle_chat(zctor::context& ctx, chat_message msg)
{
    // Get or create the state. state<T>() is nullptr when the actor holds no T.
    chat_state* state = ctx.state<chat_state>();
    if (state == nullptr)
        state = &ctx.emplace_state<chat_state>();

    std::visit(overloaded{
                   [&](const hello& m) {
                       ++state->hello_count;
                       std::cout << "Hello, " << m.name << "! (hello count: " << state->hello_count << ")\n";
                   },
                   [&](const ping& m) {
                       ++state->ping_count;
                       std::cout << "Ping: " << m.value << " (ping count: " << state->ping_count << ")\n";
                   },
                   [&](const get_stats&) {
                       std::cout << "Stats - Hellos: " << state->hello_count
                                 << ", Pings: " << state->ping_count << "\n";
                   },
                   [&](const reset&) {
                       ctx.reset_state(); // destroys it: the next message creates a fresh one
                       std::cout << "Stats reset!\n";
                   },
                   [&](const stop&) { ctx.get_engine().stop(); },
               },
               msg);
}
//]

int main()
{
    zctor::engine_config config;
    config.thread_count = 1;
    zctor::engine engine(config);

    engine.spawn<chat_message>(&handle_chat);

    engine.send<chat_message>(hello{"Alice"});
    engine.send<chat_message>(hello{"Bob"});
    engine.send<chat_message>(ping{1});
    engine.send<chat_message>(get_stats{});
    engine.send<chat_message>(reset{});
    engine.send<chat_message>(ping{2});
    engine.send<chat_message>(get_stats{});
    engine.send<chat_message>(stop{});

    engine.start();

    // Exact once the engine has stopped: 8 messages handled, none failed or dropped.
    const zctor::engine_stats stats = engine.stats();
    std::cout << "Handled " << stats.messages_handled << " messages\n";
    return stats.messages_handled == 8 && stats.handler_failures == 0 && stats.messages_dropped == 0 ? 0 : 1;
}
