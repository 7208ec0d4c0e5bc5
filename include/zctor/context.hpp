//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_CONTEXT_HPP
#define ZCTOR_CONTEXT_HPP

#include <zctor/detail/actor_base.hpp>
#include <zctor/error.hpp>
#include <zctor/response_promise.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>

namespace zctor {

class engine;
template <class Behavior>
class actor_ref;

namespace detail {
struct deduce
{};
} // namespace detail

/// What a handler is given besides its message (the book's Context): messaging, spawning,
/// the actor's executor for Asio I/O and timers, typed state, and stopping itself.
///
/// A context is valid only during the handler call it was passed to, on the actor's strand.
class context
{
public:
    using executor_type = detail::actor_base::strand_type;

    explicit context(detail::actor_base& self) noexcept : self_(&self) {}

    /// The engine this actor runs in. Dangling once the engine object is destroyed, which a
    /// handler may do: the context's own send, publish and spawn stay valid after that.
    zctor::engine& get_engine() const noexcept;

    /// Index of the worker (thread and io_context) the actor is placed on.
    std::size_t worker_index() const noexcept { return self_->worker(); }

    /// The actor's strand. Asio timers and sockets created on it complete on the actor's strand,
    /// never concurrently with its handlers.
    const executor_type& get_executor() const noexcept { return self_->strand(); }

    /// The actor's unique id within its engine.
    std::uint64_t id() const noexcept { return self_->id(); }

    /// A typed reference to this actor. Throws error::invalid_message when `Behavior` is not
    /// this actor's behaviour (the class for class-based actors, receives<M> for handler actors).
    template <class Behavior>
    actor_ref<Behavior> self() const;

    /// Stops this actor once the current handler returns; in a coroutine handler, at once: the
    /// coroutine is cancelled where it is suspended (terminal cancellation). Queued messages
    /// become dropped.
    void stop() noexcept
    {
        if (!self_->in_coroutine())
        {
            self_->stop_after_current();
            return;
        }
        // A coroutine handler may stay suspended for long: stop now, which cancels it.
        try
        {
            self_->request_stop(stop_reason{stop_kind::normal});
        }
        catch (...)
        {
            // Out of memory for the hand-off: the flag is set, the actor stops once it returns.
        }
    }

    /// Watches `target`: when it stops, this actor receives a zctor::down (its id and stop reason)
    /// through its down handler (set_down_handler, or a class actor's `on_down(context&, const
    /// down&)` member; without either the notification is discarded). When the target has
    /// stopped already, the down comes at once, with the kind of stop only. Each call adds one
    /// watch (and one down). The record goes when either actor stops. Errors: actor_not_found
    /// (empty reference), out_of_memory (as std::bad_alloc from the throwing overload).
    template <class Behavior>
    void monitor(const actor_ref<Behavior>& target) const;
    template <class Behavior>
    void monitor(const actor_ref<Behavior>& target, boost::system::error_code& ec) const;

    /// Removes one monitor of `target` by this actor. Errors: actor_not_found (no such monitor).
    template <class Behavior>
    void demonitor(const actor_ref<Behavior>& target, boost::system::error_code& ec) const;

    /// Links this actor and `target`, both ways: when either stops abnormally (failure, killed,
    /// linked), the other stops too, with stop_kind::linked, unless it traps exits; an actor that
    /// traps exits receives a zctor::exit_signal instead (for a normal stop too) through its exit
    /// handler (set_exit_handler, or an `on_exit(context&, const exit_signal&)` member). Engine
    /// shutdown propagates nothing. Linking twice, or to itself, does nothing. Errors:
    /// actor_not_found (empty reference), actor_stopped (the target has stopped: nothing linked).
    template <class Behavior>
    void link(const actor_ref<Behavior>& target) const;
    template <class Behavior>
    void link(const actor_ref<Behavior>& target, boost::system::error_code& ec) const;

    /// Removes the link with `target`. Errors: actor_not_found (not linked).
    template <class Behavior>
    void unlink(const actor_ref<Behavior>& target, boost::system::error_code& ec) const;

    /// Whether a linked actor's stop arrives as an exit_signal instead of stopping this one.
    void trap_exit(bool on) noexcept { self_->set_trap_exit(on); }

    /// Sets the handler of this actor's down notifications (see monitor), replacing a class
    /// actor's on_down. Runs on the actor's strand, like a message. Throws std::bad_alloc.
    void set_down_handler(std::function<void(context&, const down&)> handler)
    {
        self_->set_down_handler(std::move(handler));
    }

    /// Sets the handler of this actor's exit signals (see link, trap_exit).
    void set_exit_handler(std::function<void(context&, const exit_signal&)> handler)
    {
        self_->set_exit_handler(std::move(handler));
    }

    /// Sends by message type (the book's routing): see engine::send.
    template <class M = detail::deduce, class Arg>
    void send(Arg&& arg) const;
    template <class M = detail::deduce, class Arg>
    void send(Arg&& arg, boost::system::error_code& ec) const;

    /// Sends to every actor routed for `M`: see engine::publish.
    template <class M = detail::deduce, class Arg>
    std::size_t publish(const Arg& arg) const;
    template <class M = detail::deduce, class Arg>
    std::size_t publish(const Arg& arg, boost::system::error_code& ec) const;

    /// Spawns another actor on the same engine: see engine::spawn.
    template <class T, class... Args>
    auto spawn(Args&&... args) const;
    template <class T, class... Args>
    auto spawn(boost::system::error_code& ec, Args&&... args) const;

    /// The actor's state as `T`, or nullptr when it holds none or holds another type.
    template <class T>
    T* state() noexcept
    {
        return self_->state().get<T>();
    }

    /// The actor's state as `T`. Throws system_error(error::state_corrupted) when the actor
    /// holds no state or state of another type: use state() where that is expected.
    template <class T>
    T& state_ref()
    {
        T* p = state<T>();
        if (p == nullptr)
            detail::throw_error(error::state_corrupted, "zctor::context::state_ref");
        return *p;
    }

    /// Replaces the state with `value`. The previous state, of any type, is destroyed; if its
    /// destructor throws, the exception propagates with the new state in place.
    template <class T>
    std::decay_t<T>& set_state(T&& value)
    {
        return self_->state().emplace<std::decay_t<T>>(std::forward<T>(value));
    }

    /// Replaces the state with a `T` built from `args` (see set_state).
    template <class T, class... Args>
    T& emplace_state(Args&&... args)
    {
        return self_->state().emplace<T>(std::forward<Args>(args)...);
    }

    /// Destroys the state, if any. The actor holds none afterwards, even if the destructor throws.
    void reset_state() { self_->state().reset(); }

    /// Whether the actor holds state of any type.
    bool has_state() const noexcept { return self_->state().has_value(); }

    /// Takes the reply of the request being handled, to answer it later (see response_promise):
    /// for a handler that returns void (or a success flag) instead of the reply. `R` is the
    /// request's reply_type. For a request that was sent rather than asked, the promise is empty.
    /// Throws system_error(error::invalid_message) when the handler is not handling a request
    /// with reply type `R`, when it replies with its return value, or when the reply was taken.
    template <class R>
    response_promise<R> make_response_promise()
    {
        if (reply_ == nullptr || reply_key_ != detail::key_of<R>())
            detail::throw_error(error::invalid_message,
                                "zctor::context::make_response_promise: no request with this reply type "
                                "to answer later");
        auto* r = static_cast<detail::reply_ref<R>*>(std::exchange(reply_, nullptr));
        return response_promise<R>(std::move(*r));
    }

    // For the runtime: the reply of the request being handled, when the handler may take it.
    template <class R>
    void set_reply(detail::reply_ref<R>* r) noexcept
    {
        reply_ = r;
        reply_key_ = detail::key_of<R>();
    }

private:
    detail::actor_base* self_;
    void* reply_ = nullptr;
    detail::type_key reply_key_ = nullptr;
};

} // namespace zctor

// The member templates that need the engine are defined in <zctor/engine.hpp>.

#endif
