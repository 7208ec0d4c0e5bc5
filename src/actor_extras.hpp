//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_SRC_ACTOR_EXTRAS_HPP
#define ZCTOR_SRC_ACTOR_EXTRAS_HPP

#include <zctor/context.hpp>
#include <zctor/detail/actor_base.hpp>
#include <zctor/lifecycle.hpp>

#include <boost/asio/cancellation_signal.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>

namespace zctor::detail {

/// The rarely used parts of an actor, allocated on first use to keep actors small.
struct actor_base::extras
{
    // Any thread: set before the actor is registered (flags_ says which), fixed afterwards.
    std::unique_ptr<bounded_mailbox> bounded; // a bounded mailbox's counters and waiters
    std::unique_ptr<actor_info> info;         // a name, metrics

    boost::asio::cancellation_signal coroutine_cancel;
    timer_state* timers = nullptr; // live timers, each holding a reference

    // Lifecycle (lifecycle.cpp).
    std::optional<hooks> user_hooks;      // a handler actor's
    std::function<void()> rebuild;        // failure_policy::restart: a fresh behaviour object
    boost::system::error_code last_error; // the last failure, when the policy is not resume
    std::exception_ptr last_exception;
    stop_reason stop_why; // on_stop's reason, deferred by a suspended coroutine
    std::function<void(context&, const down&)> down_handler;
    std::function<void(context&, const exit_signal&)> exit_handler;
};

} // namespace zctor::detail

#endif
