//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_CONFIG_HPP
#define ZCTOR_CONFIG_HPP

#include <zctor/lifecycle.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>

namespace zctor {

/// What happens to messages already accepted when the engine stops.
enum class shutdown_policy
{
    drain, ///< Process them (bounded by engine_config::drain_timeout), then stop the actors.
    drop,  ///< Stop the actors at once; each message not yet handled is counted as dropped.
};

/// A failure reported to engine_config::on_failure, on the worker thread where it happened.
struct failure
{
    std::uint64_t actor_id = 0;      ///< 0 when no actor is involved (an event loop failure)
    boost::system::error_code error; ///< handler_failed, the handler's own code, event_loop_failed
    std::exception_ptr exception;    ///< what was thrown, if anything
};

/// Engine configuration (the book's EngineConfig). Checked by validate() before anything starts.
struct engine_config
{
    /// Worker threads; 0 picks the hardware thread count (at least 1). At most max_thread_count.
    std::size_t thread_count = 0;

    /// Largest number of actors one worker may hold; 0 means unlimited. Spawning when every
    /// worker is full fails with error::thread_pool_full.
    std::size_t max_actors_per_worker = 0;

    /// Messages one actor handles per activation before it yields its worker to other actors.
    std::size_t batch_size = 64;

    /// What stop() does with accepted messages.
    shutdown_policy shutdown = shutdown_policy::drain;

    /// How long the drain may take; what is left after it is dropped and counted.
    std::chrono::milliseconds drain_timeout{10'000};

    /// How long an idle worker keeps looking for work before it sleeps. Spinning briefly saves
    /// the sleep and wake-up (about 10 us) when messages come in quick succession; after the
    /// first few microseconds the worker yields its core to any other thread that wants it.
    /// 0 sleeps at once. At most max_idle_spin. Embedded engines do not spin.
    std::chrono::microseconds idle_spin{50};

    /// Stack size of worker threads in bytes; 0 keeps the system default.
    std::size_t stack_size = 0;

    /// Called on the worker thread for every failed handler and every exception that escapes
    /// other work run by a worker. Must not throw (what it throws is discarded).
    std::function<void(const failure&)> on_failure{};

    /// Called for every dead letter: a message accepted by an actor and freed unhandled because
    /// the actor stopped (by itself, through a reference, by failure, or with the engine). Each
    /// one is also counted in engine_stats::messages_dropped. Runs on the thread that frees the
    /// message (usually the actor's worker; whatever thread releases the last reference to a
    /// stopped actor for a message that raced its stop). Must not throw (what it throws is
    /// discarded) and must not block.
    std::function<void(const dead_letter&)> on_dead_letter{};

    static constexpr std::size_t max_thread_count = 1024;
    static constexpr std::size_t max_batch_size = 1 << 20;
    static constexpr std::size_t min_stack_size = 64 * 1024;
    static constexpr std::chrono::microseconds max_idle_spin{10'000};
};

/// Checks a configuration. Returns error::invalid_configuration and names the field in `field`.
boost::system::error_code validate(const engine_config& config, std::string* field = nullptr);

} // namespace zctor

#endif
