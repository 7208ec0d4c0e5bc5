//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_LIFECYCLE_HPP
#define ZCTOR_LIFECYCLE_HPP

#include <boost/core/demangle.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <typeinfo>

namespace zctor {

class context;

/// Why an actor stopped.
enum class stop_kind : std::uint8_t
{
    normal,   ///< It stopped itself: context::stop().
    failure,  ///< A handler failed under failure_policy::stop, or its on_start hook failed.
    killed,   ///< It was stopped through a reference: actor_ref::stop().
    shutdown, ///< The engine stopped.
    linked,   ///< An actor linked to it stopped abnormally (see context::link).
};

/// The kind's name: "normal", "failure", "killed", "shutdown" or "linked".
constexpr const char* to_string(stop_kind k) noexcept
{
    switch (k)
    {
    case stop_kind::normal: return "normal";
    case stop_kind::failure: return "failure";
    case stop_kind::killed: return "killed";
    case stop_kind::shutdown: return "shutdown";
    case stop_kind::linked: return "linked";
    }
    return "unknown";
}

/// Why an actor stopped, given to its on_stop hook and to its watchers (down, exit_signal).
struct stop_reason
{
    stop_kind kind = stop_kind::normal;

    /// failure: what the handler returned (handler_failed for false or a throw); linked: the
    /// error of the actor whose stop caused this one, if any. Empty otherwise.
    boost::system::error_code error{};

    /// failure: what the handler threw, if anything; linked: what the linked actor's threw.
    std::exception_ptr exception{};

    /// linked: the id of the actor whose abnormal stop caused this one; 0 otherwise.
    std::uint64_t cause = 0;

    /// Whether the stop is abnormal: failure, killed or linked. An abnormal stop stops the actors
    /// linked to it (normal and shutdown stops do not).
    bool abnormal() const noexcept
    {
        return kind == stop_kind::failure || kind == stop_kind::killed || kind == stop_kind::linked;
    }
};

/// What an actor does when one of its handlers fails (returns false or a non-zero error_code,
/// or throws). The message is lost in every case; the failure is counted
/// (engine_stats::handler_failures) and reported to engine_config::on_failure first.
enum class failure_policy : std::uint8_t
{
    resume,  ///< Go on with the next message, behaviour and state unchanged (the default).
    restart, ///< on_stop (reason failure), then a fresh behaviour object and no state, on_start,
             ///< then the next message: same actor, same id, same mailbox, references stay valid.
    stop,    ///< Stop the actor with stop_kind::failure; its queued messages become dead letters.
};

/// Delivered to an actor that monitors another (context::monitor) when that one stops.
struct down
{
    std::uint64_t who = 0; ///< the id of the actor that stopped
    stop_reason why;       ///< error and exception are empty if it had stopped before monitor()
};

/// Delivered to an actor that traps exits (context::trap_exit) when an actor linked to it
/// stops, for any reason but shutdown. Named exit_signal, not exit, so that `using namespace
/// zctor;` does not make calls to std::exit ambiguous.
struct exit_signal
{
    std::uint64_t who = 0; ///< the id of the linked actor that stopped
    stop_reason why;
};

/// Lifecycle options of a handler actor: `engine.spawn<M>(handler, zctor::hooks{...})`.
/// A class actor declares the same as members instead: `on_start(context&)`,
/// `on_stop(context&, const stop_reason&)` and `static constexpr zctor::failure_policy
/// on_failure`.
struct hooks
{
    /// Runs on the actor's strand before its first message. Throwing stops the actor with
    /// stop_kind::failure (after reporting it to engine_config::on_failure).
    std::function<void(context&)> on_start{};

    /// Runs on the actor's strand after its last message, once, with the reason. Not called
    /// when on_start never ran (the engine stopped first). What it throws is reported and
    /// discarded.
    std::function<void(context&, const stop_reason&)> on_stop{};

    /// What a failed handler does to the actor. restart needs a copyable handler.
    failure_policy on_failure = failure_policy::resume;
};

/// A message freed unhandled because its actor stopped (engine_config::on_dead_letter).
/// Valid only during the call.
struct dead_letter
{
    std::uint64_t actor_id = 0;           ///< the actor the message was sent to
    const std::type_info* type = nullptr; ///< the message's type
    const void* message = nullptr;        ///< the message itself

    /// The message as `M`, or nullptr when it is of another type.
    template <class M>
    const M* get() const noexcept
    {
        return type != nullptr && *type == typeid(M) ? static_cast<const M*>(message) : nullptr;
    }

    /// The message type's name, readable (demangled).
    std::string type_name() const { return type != nullptr ? boost::core::demangle(type->name()) : ""; }
};

} // namespace zctor

#endif
