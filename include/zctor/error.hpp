//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_ERROR_HPP
#define ZCTOR_ERROR_HPP

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <ostream>
#include <type_traits>

namespace zctor {

/// Errors reported by zctor. The values of the book's errors are the absolute values of its codes.
enum class error
{
    // Engine errors (the book's ActorEngine table)
    out_of_memory = 1,         ///< Insufficient memory for the operation.
    thread_pool_full = 2,      ///< Every worker holds its configured maximum of actors.
    invalid_configuration = 3, ///< A configuration field is out of range.
    already_started = 4,       ///< The engine is already running.
    not_started = 5,           ///< The engine has not been started.

    // Actor errors (the book's Actor table)
    invalid_message = 10, ///< The message failed validation (for example a valueless variant).
    actor_not_found = 11, ///< No actor handles the message type, or the reference is empty.
    state_corrupted = 12, ///< Actor state was requested as a type other than the one it holds.
    handler_failed = 13,  ///< A message handler reported failure or threw.

    // Threading errors (the book's Threading table)
    thread_creation_failed = 20, ///< The operating system refused to create a worker thread.
    thread_join_failed = 21,     ///< A worker thread cannot be joined (for example from itself).
    event_loop_failed = 22,      ///< A handler run by a worker's event loop threw.

    // Runtime errors beyond the book
    engine_stopped = 30,   ///< The engine is stopping or stopped and accepts no more work.
    actor_stopped = 31,    ///< The target actor has stopped.
    mailbox_full = 32,     ///< The target's bounded mailbox has no room.
    timed_out = 33,        ///< The operation did not complete in time.
    broken_promise = 34,   ///< The reply can never come: the request or its promise was dropped unanswered.
    would_deadlock = 35,   ///< A blocking call from an engine worker, or a coroutine asking its own actor.
    already_received = 36, ///< A one-shot channel's value was already taken by another receive.
    name_in_use = 37,      ///< Another actor is registered under the name.
    restart_limit_reached = 38, ///< A supervisor's restart intensity was exceeded.
};

/// The category of zctor::error.
const boost::system::error_category& error_category() noexcept;

/// Makes an error_code from a zctor::error (found by argument-dependent lookup).
inline boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

/// Writes the error's message (for logs and test diagnostics).
inline std::ostream& operator<<(std::ostream& os, error e)
{
    return os << error_category().message(static_cast<int>(e));
}

namespace detail {
[[noreturn]] void throw_error(const boost::system::error_code& ec, const char* what);
inline void throw_if(const boost::system::error_code& ec, const char* what)
{
    if (ec)
        throw_error(ec, what);
}
} // namespace detail

} // namespace zctor

template <>
struct boost::system::is_error_code_enum<zctor::error> : std::true_type
{};

#endif
