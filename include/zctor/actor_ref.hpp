//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_ACTOR_REF_HPP
#define ZCTOR_ACTOR_REF_HPP

#include <zctor/ask.hpp>
#include <zctor/detail/actor_base.hpp>
#include <zctor/detail/ask_op.hpp>
#include <zctor/detail/dispatch.hpp>
#include <zctor/detail/send_op.hpp>
#include <zctor/error.hpp>
#include <zctor/stats.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <utility>

namespace zctor {

/// Whether an actor with behaviour `Behavior` (a class actor, or receives<M...>) accepts `Message`.
template <class Behavior, class Message>
concept accepts = detail::accepts_impl<Behavior, Message>::value;

/// Whether an actor with behaviour `Behavior` can be asked `Message`: it accepts it, and the
/// message type it receives it as is a request (declares a reply_type).
template <class Behavior, class Message>
concept answers =
    accepts<Behavior, Message> && request<typename detail::message_for<Behavior, Message>::type>;

/// A typed, counted reference to an actor. `Behavior` is the actor's class for class-based
/// actors, or `receives<M...>` for handler actors; `send` only compiles for messages it accepts.
///
/// Thread safety: distinct objects, safe; shared const object, safe. A reference keeps the
/// actor's memory alive, never the actor itself: once the actor stops, sends fail with
/// error::actor_stopped.
template <class Behavior>
class actor_ref
{
public:
    actor_ref() noexcept = default;

    /// A view of a class actor through the message types it handles.
    template <class A>
    requires(detail::is_receives<Behavior>::value && !detail::is_receives<A>::value)
        actor_ref(const actor_ref<A>& other)
    noexcept : actor_ref(other, Behavior{}) {}

    /// Sends `msg` to the actor. The message is moved into the runtime. Throws
    /// boost::system::system_error on failure (see the error_code overload).
    template <class Message>
    requires accepts<Behavior, Message>
    void send(Message&& msg) const
    {
        boost::system::error_code ec;
        send(std::forward<Message>(msg), ec);
        detail::throw_if(ec, "zctor::actor_ref::send");
    }

    /// Sends `msg` to the actor. Errors: actor_not_found (empty reference), actor_stopped,
    /// engine_stopped, invalid_message (valueless variant), out_of_memory, mailbox_full (a full
    /// bounded mailbox under overflow_policy::fail or backpressure: `msg` is then left as it was,
    /// not moved from). Under drop_newest a send to a full mailbox succeeds and the message is
    /// discarded and counted (mailbox().dropped).
    /// Messages from one sender to one actor are handled in the order they were sent.
    template <class Message>
    requires accepts<Behavior, Message>
    void send(Message&& msg, boost::system::error_code& ec) const
    {
        if (!ptr_)
        {
            ec = error::actor_not_found;
            return;
        }
        ec = push(std::forward<Message>(msg), static_cast<Behavior*>(nullptr));
    }

    template <class Message>
    requires(!accepts<Behavior, Message>) void send(Message&&) const
    {
        static_assert(accepts<Behavior, Message>,
                      "zctor: this actor does not handle that message type (a class actor needs "
                      "handle(context&, M) or handle(M); receives<M...> lists what it takes)");
    }
    template <class Message>
    requires(!accepts<Behavior, Message>) void send(Message&&, boost::system::error_code&) const
    {
        static_assert(accepts<Behavior, Message>,
                      "zctor: this actor does not handle that message type (a class actor needs "
                      "handle(context&, M) or handle(M); receives<M...> lists what it takes)");
    }

    /// Sends `msg` and completes, `void(boost::system::error_code)`, once the actor's mailbox has
    /// accepted it: the asynchronous send that waits for room (backpressure).
    ///
    /// On a full mailbox under overflow_policy::backpressure the message waits, outside the
    /// mailbox, until the actor takes one of its messages; waiting sends are accepted in the order
    /// they started. A coroutine `co_await ref.async_send(m, asio::use_awaitable)` is suspended
    /// meanwhile, never its thread, so an actor may wait for an actor on its own worker. Under the
    /// other policies, and for unbounded mailboxes, it completes at once with what send() would
    /// have reported.
    ///
    /// Errors: those of send(); actor_stopped or engine_stopped when the actor or the engine
    /// stops while the message waits (the message is destroyed unsent);
    /// boost::asio::error::operation_aborted when cancelled through the handler's cancellation
    /// slot while waiting (any cancellation type: the send has had no effect); would_deadlock when
    /// a coroutine handler would wait for room in its own actor's mailbox. The message is taken
    /// in any case.
    ///
    /// The handler runs on its associated executor; without one, on the sending actor's strand
    /// when sent from a handler, or on the thread that completes the send otherwise. Never inside
    /// this call. Thread safety: any thread.
    template <class Message, class CompletionToken = boost::asio::deferred_t>
    requires accepts<Behavior, Message>
    auto async_send(Message&& msg, CompletionToken&& token = {}) const
    {
        using M = typename detail::message_for<Behavior, Message>::type;
        return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
            detail::initiate_send{}, token,
            detail::send_target<M>{ptr_, run_fn<M, Message>(static_cast<Behavior*>(nullptr)),
                                   M(std::forward<Message>(msg))});
    }

    /// The mailbox's capacity, policy, size and overflow counters (all zero for an empty
    /// reference and for unbounded mailboxes, which count nothing).
    zctor::mailbox_stats mailbox() const noexcept
    {
        return ptr_ ? ptr_->mailbox_stats() : zctor::mailbox_stats{};
    }

    /// Asks the actor: sends request `req` and completes with its reply,
    /// `void(boost::system::error_code, reply_type_t<M>)` where M is the request's message type.
    ///
    /// The reply is what the handler returns, or what it delivers later through a
    /// response_promise. Fails fast, without waiting for the timeout: actor_not_found (empty
    /// reference), actor_stopped, engine_stopped (the engine stopped before the ask),
    /// invalid_message (a valueless variant), broken_promise (the request was dropped unanswered:
    /// the actor or the engine stopped with it queued, or its promise was destroyed),
    /// handler_failed or the handler's own error_code (the handler failed), would_deadlock (a
    /// coroutine handler asking its own actor), mailbox_full (a full bounded mailbox: at once,
    /// without waiting for room, under fail, backpressure and drop_newest; under drop_oldest a
    /// request discarded to make room completes with broken_promise). timed_out after `timeout`
    /// (zctor::no_timeout for none); boost::asio::error::operation_aborted when cancelled through the
    /// handler's cancellation slot (terminal, partial or total). A reply that comes after the ask gave up is
    /// discarded and counted (engine_stats::replies_discarded).
    ///
    /// The completion handler runs on its associated executor; without one, on the asking
    /// actor's strand when asked from a handler (so the actor's state stays single-threaded),
    /// or on the thread that completes the ask when asked from outside any actor. Never inside
    /// this call. A handler without an executor of its own, asked from an actor that has stopped
    /// by the time the ask completes, is destroyed uncalled (its actor's object is gone), as Asio
    /// does with handlers of a shut-down execution context. Thread safety: any thread.
    template <class Request, class CompletionToken = boost::asio::deferred_t>
    requires answers<Behavior, Request>
    auto async_ask(Request&& req, std::chrono::steady_clock::duration timeout,
                   CompletionToken&& token = {}) const
    {
        using M = typename detail::message_for<Behavior, Request>::type;
        using R = reply_type_t<M>;
        return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, R)>(
            detail::initiate_ask<R>{}, token,
            detail::ask_target<M>{ptr_, run_fn<M, Request>(static_cast<Behavior*>(nullptr)),
                                  M(std::forward<Request>(req))},
            timeout);
    }

    /// Asks and blocks the calling thread for the reply (see async_ask). Throws
    /// boost::system::system_error; would_deadlock when called on one of the engine's threads.
    template <class Request>
    requires answers<Behavior, Request>
    auto ask(Request&& req, std::chrono::steady_clock::duration timeout) const
    {
        boost::system::error_code ec;
        auto reply = ask(std::forward<Request>(req), timeout, ec);
        detail::throw_if(ec, "zctor::actor_ref::ask");
        return reply;
    }

    /// Asks and blocks the calling thread for the reply; on error sets `ec` and returns a
    /// default-constructed reply.
    template <class Request>
    requires answers<Behavior, Request>
    auto ask(Request&& req, std::chrono::steady_clock::duration timeout, boost::system::error_code& ec) const
    {
        using R = reply_type_t<typename detail::message_for<Behavior, Request>::type>;
        return detail::sync_ask<R>(
            [&](auto&& handler) { async_ask(std::forward<Request>(req), timeout, std::move(handler)); }, ec);
    }

    /// Asks the actor to stop once its current message, if any, is handled. Queued messages
    /// are dropped and counted. Harmless on a stopped actor or an empty reference.
    void stop() const
    {
        if (ptr_)
            ptr_->request_stop();
    }

    /// Whether the actor has stopped (an empty reference counts as stopped).
    bool stopped() const noexcept { return !ptr_ || ptr_->stopped(); }

    /// The actor's id, unique within its engine; 0 for an empty reference.
    std::uint64_t id() const noexcept { return ptr_ ? ptr_->id() : 0; }

    /// The worker the actor is placed on.
    std::size_t worker_index() const noexcept { return ptr_ ? ptr_->worker() : 0; }

    explicit operator bool() const noexcept { return static_cast<bool>(ptr_); }

    template <class Other>
    bool operator==(const actor_ref<Other>& other) const noexcept
    {
        return ptr_.get() == other.ptr_.get();
    }

    // For the runtime.
    actor_ref(detail::actor_ptr p, const detail::message_node::run_fn* fns) noexcept
        : ptr_(std::move(p)), fns_(fns)
    {}
    const detail::actor_ptr& pointer() const noexcept { return ptr_; }
    template <class Message>
    detail::message_node::run_fn runner() const noexcept
    {
        return run_fn<typename detail::message_for<Behavior, Message>::type, Message>(
            static_cast<Behavior*>(nullptr));
    }

private:
    template <class>
    friend class actor_ref;

    template <class A, class... Ms>
    actor_ref(const actor_ref<A>& other, receives<Ms...>) noexcept
        : ptr_(other.ptr_), fns_(detail::class_fns<A, Ms...>)
    {
        static_assert((detail::class_handles<A, Ms> && ...),
                      "zctor: the class actor does not handle every message of this view");
    }

    template <class Message, class A>
    boost::system::error_code push(Message&& msg, A*) const
    {
        using M = std::remove_cvref_t<Message>;
        return ptr_->template push_value<M>(detail::run_class<A, M>, std::forward<Message>(msg));
    }

    template <class Message, class... Ms>
    boost::system::error_code push(Message&& msg, receives<Ms...>*) const
    {
        constexpr std::size_t slot = detail::slot_of<Message, Ms...>();
        using M = std::tuple_element_t<slot, std::tuple<Ms...>>;
        return ptr_->template push_value<M>(fns_[slot], std::forward<Message>(msg));
    }

    template <class M, class Message, class A>
    detail::message_node::run_fn run_fn(A*) const noexcept
    {
        return detail::run_class<A, M>;
    }

    template <class M, class Message, class... Ms>
    detail::message_node::run_fn run_fn(receives<Ms...>*) const noexcept
    {
        return fns_ != nullptr ? fns_[detail::slot_of<Message, Ms...>()] : nullptr;
    }

    detail::actor_ptr ptr_;
    const detail::message_node::run_fn* fns_ = nullptr;
};

} // namespace zctor

#endif
