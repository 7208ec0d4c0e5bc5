//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_TIMER_HPP
#define ZCTOR_TIMER_HPP

#include <zctor/actor_ref.hpp>
#include <zctor/detail/engine_core.hpp>
#include <zctor/detail/timer_state.hpp>
#include <zctor/error.hpp>

#include <boost/system/errc.hpp>

#include <chrono>
#include <new>
#include <type_traits>
#include <utility>

namespace zctor {

/// Cancels a timer started by send_after or send_every. Copies refer to the same timer.
/// Destroying the handle does not cancel the timer (keep it to cancel later).
///
/// Thread safety: distinct objects, safe; shared objects, safe.
class timer_handle
{
public:
    /// A handle to no timer.
    timer_handle() noexcept = default;

    /// Cancels the timer. Exact on the target actor's strand: once cancel() has returned there,
    /// none of the timer's messages is handled any more, even one whose timer had already fired
    /// and that already waits in the mailbox. From another thread, a message whose handler has
    /// not started when cancel() returns is not handled. Returns whether the timer was active.
    bool cancel() noexcept { return state_ && state_->cancel(); }

    /// Whether the timer may still deliver a message: not cancelled, its actor not stopped, and,
    /// for send_after, its message not yet handled.
    bool active() const noexcept { return state_ && state_->active(); }

    explicit operator bool() const noexcept { return static_cast<bool>(state_); }

    // For the runtime.
    explicit timer_handle(detail::timer_ptr p) noexcept : state_(std::move(p)) {}

private:
    detail::timer_ptr state_;
};

namespace detail {

template <class Behavior, class Message>
timer_handle start_timer(const actor_ref<Behavior>& target, std::chrono::steady_clock::duration delay,
                         std::chrono::steady_clock::duration interval, Message&& msg,
                         boost::system::error_code& ec)
{
    using M = typename message_for<Behavior, Message>::type;
    ec = {};
    if constexpr (is_variant<std::remove_cvref_t<Message>>::value)
    {
        if (msg.valueless_by_exception())
        {
            ec = error::invalid_message;
            return {};
        }
    }
    const actor_ptr& a = target.pointer();
    if (!a)
        ec = error::actor_not_found;
    else if (!a->core().accepting())
        ec = error::engine_stopped;
    else if (a->stopped())
        ec = error::actor_stopped;
    if (ec)
        return {};
    try
    {
        timer_ptr t(new timer_state_impl<M>(a, target.template runner<Message>(), interval,
                                            std::forward<Message>(msg)),
                    false);
        t->start(delay);
        return timer_handle(std::move(t));
    }
    catch (const std::bad_alloc&)
    {
        ec = error::out_of_memory;
        return {};
    }
}

} // namespace detail

/// Sends `msg` to `target` once `delay` has passed (the message is moved in now). The message is
/// queued in the actor's mailbox when the timer fires and handled on its strand like any other.
/// Errors: actor_not_found (empty reference), actor_stopped, engine_stopped, invalid_message
/// (valueless variant), out_of_memory. The timer stops with the actor. Any thread.
template <class Behavior, class Message>
requires accepts<Behavior, Message> timer_handle send_after(const actor_ref<Behavior>& target,
                                                            std::chrono::steady_clock::duration delay,
                                                            Message&& msg, boost::system::error_code& ec)
{
    return detail::start_timer(target, delay, std::chrono::steady_clock::duration::zero(),
                               std::forward<Message>(msg), ec);
}

/// send_after that throws boost::system::system_error.
template <class Behavior, class Message>
requires accepts<Behavior, Message> timer_handle send_after(const actor_ref<Behavior>& target,
                                                            std::chrono::steady_clock::duration delay,
                                                            Message&& msg)
{
    boost::system::error_code ec;
    timer_handle h = send_after(target, delay, std::forward<Message>(msg), ec);
    detail::throw_if(ec, "zctor::send_after");
    return h;
}

/// Sends a copy of `msg` to `target` every `interval`, the first after one interval, at a fixed
/// rate: ticks missed while the actor's worker was busy are skipped, not bunched up. Runs until
/// cancelled or the actor stops. Errors: those of send_after, and
/// boost::system::errc::invalid_argument for an interval that is not positive.
template <class Behavior, class Message>
requires accepts<Behavior, Message> timer_handle send_every(const actor_ref<Behavior>& target,
                                                            std::chrono::steady_clock::duration interval,
                                                            Message&& msg, boost::system::error_code& ec)
{
    // What is copied is the message as the actor receives it (a variant, for an alternative).
    static_assert(std::is_copy_constructible_v<typename detail::message_for<Behavior, Message>::type>,
                  "zctor: send_every sends copies: the message type must be copyable");
    if (interval <= std::chrono::steady_clock::duration::zero())
    {
        ec = make_error_code(boost::system::errc::invalid_argument);
        return {};
    }
    return detail::start_timer(target, interval, interval, std::forward<Message>(msg), ec);
}

/// send_every that throws boost::system::system_error.
template <class Behavior, class Message>
requires accepts<Behavior, Message> timer_handle send_every(const actor_ref<Behavior>& target,
                                                            std::chrono::steady_clock::duration interval,
                                                            Message&& msg)
{
    boost::system::error_code ec;
    timer_handle h = send_every(target, interval, std::forward<Message>(msg), ec);
    detail::throw_if(ec, "zctor::send_every");
    return h;
}

} // namespace zctor

#endif
