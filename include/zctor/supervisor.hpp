//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_SUPERVISOR_HPP
#define ZCTOR_SUPERVISOR_HPP

#include <zctor/engine.hpp>
#include <zctor/lifecycle.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace zctor {

/// When a supervisor restarts a child that stopped (Erlang/OTP's restart types).
enum class restart_type : std::uint8_t
{
    permanent, ///< Always restarted, whatever the reason it stopped.
    transient, ///< Restarted only after an abnormal stop (failure, killed, linked).
    temporary, ///< Never restarted; removed from the supervisor once it has stopped.
};

/// Which children a supervisor restarts when one of them has to be restarted.
enum class restart_strategy : std::uint8_t
{
    one_for_one,  ///< Only that child.
    one_for_all,  ///< All of them: the others are stopped in reverse start order, then all restarted in start
                  ///< order.
    rest_for_one, ///< That child and those started after it (stopped in reverse order, restarted in order).
};

/// A reference to an actor of any behaviour: what a child factory returns, and what a supervisor
/// reports about its children. Like actor_ref, it keeps the actor's memory alive, never the actor.
class child_ref
{
public:
    child_ref() noexcept = default;

    /// From any typed reference.
    template <class Behavior>
    child_ref(const actor_ref<Behavior>& ref) noexcept : ptr_(ref.pointer())
    {}

    /// The typed reference: `Behavior` is the actor's class, or receives<M> for a handler actor.
    /// Errors: actor_not_found (empty), invalid_message (the actor's behaviour is another).
    template <class Behavior>
    actor_ref<Behavior> as(boost::system::error_code& ec) const
    {
        ec = {};
        if (!ptr_)
            ec = error::actor_not_found;
        else if (ptr_->behavior() != detail::key_of<Behavior>())
            ec = error::invalid_message;
        if (ec)
            return {};
        return actor_ref<Behavior>(ptr_, ptr_->routes().fns);
    }
    template <class Behavior>
    actor_ref<Behavior> as() const
    {
        boost::system::error_code ec;
        auto ref = as<Behavior>(ec);
        detail::throw_if(ec, "zctor::child_ref::as");
        return ref;
    }

    /// Asks the actor to stop (stop_kind::killed); harmless when empty or stopped.
    void stop() const
    {
        if (ptr_)
            ptr_->request_stop();
    }
    bool stopped() const noexcept { return !ptr_ || ptr_->stopped(); }
    std::uint64_t id() const noexcept { return ptr_ ? ptr_->id() : 0; }
    explicit operator bool() const noexcept { return static_cast<bool>(ptr_); }

    // For the runtime.
    explicit child_ref(detail::actor_ptr p) noexcept : ptr_(std::move(p)) {}
    const detail::actor_ptr& pointer() const noexcept { return ptr_; }

private:
    detail::actor_ptr ptr_;
};

/// A supervisor's child: how to start it and when to restart it.
struct child_spec
{
    /// Unique within the supervisor (supervisor_child, which_children, events).
    std::string id;

    /// Starts one incarnation of the child, on the supervisor's strand, with the supervisor's
    /// context: `[](zctor::context& ctx) { return ctx.spawn<worker>(); }`. Returns its reference.
    /// An empty reference or an exception is a failure to start. It should spawn one actor.
    std::function<child_ref(context&)> start;

    restart_type restart = restart_type::permanent;

    /// When not empty, each incarnation is registered in the engine under this name (see
    /// engine::register_name), so that `engine.lookup<B>(name)` reaches the current one.
    std::string name{};
};

/// What a supervisor went through (supervisor_options::on_event).
enum class supervisor_event_kind : std::uint8_t
{
    child_started,     ///< An incarnation started (first start or restart): `actor_id`, `restarts`.
    child_stopped,     ///< A child stopped by itself or from outside: `actor_id`, `why`.
    restart_scheduled, ///< A restart is due after `delay` (the backoff; zero without one).
    gave_up,           ///< The restart intensity was exceeded (or a child failed to start): `why`.
    stopped,           ///< The supervisor itself stopped, after its children: `why`.
};

/// An event, given to supervisor_options::on_event on the supervisor's strand.
struct supervisor_event
{
    supervisor_event_kind kind = supervisor_event_kind::child_started;
    std::string child;                           ///< the child spec's id (empty for gave_up)
    std::uint64_t actor_id = 0;                  ///< the incarnation concerned
    stop_reason why{};                           ///< child_stopped, gave_up
    std::size_t restarts = 0;                    ///< child_started: how often this child has been restarted
    std::chrono::steady_clock::duration delay{}; ///< restart_scheduled
};

/// How a supervisor restarts, and how often it may.
struct supervisor_options
{
    restart_strategy strategy = restart_strategy::one_for_one;

    /// Restart intensity: at most `max_restarts` restarts within any `within` (a sliding window).
    /// One more, and the supervisor stops its children in reverse start order, then stops itself
    /// with stop_kind::failure and error::restart_limit_reached, which its own supervisor sees
    /// as a failing child (escalation).
    std::size_t max_restarts = 3;
    std::chrono::steady_clock::duration within = std::chrono::seconds(5);

    /// Exponential backoff: the n-th restart within the intensity window waits
    /// min(initial * multiplier^(n-1), max) first. `initial` zero (the default) restarts at once.
    struct backoff_options
    {
        std::chrono::steady_clock::duration initial{};
        double multiplier = 2.0;
        std::chrono::steady_clock::duration max = std::chrono::seconds(30);
    } backoff{};

    /// Told of every start, stop, scheduled restart and of giving up, on the supervisor's strand.
    /// Must not block; what it throws is discarded.
    std::function<void(const supervisor_event&)> on_event{};
};

/// A child's state, as which_children reports it.
struct child_status
{
    std::string id;
    restart_type restart = restart_type::permanent;
    child_ref ref;                ///< the current incarnation; empty when it is not running
    std::size_t restarts = 0;     ///< how often it has been restarted
    bool restart_pending = false; ///< stopped, to be restarted (waiting for its backoff, or its turn)
};

/// Request to a supervisor: its children in start order (temporary children that stopped are gone).
struct which_children
{
    using reply_type = std::vector<child_status>;
};

/// Request to a supervisor: the current incarnation of child `id` (empty when it is not running,
/// or there is no such child).
struct get_child
{
    using reply_type = child_ref;
    std::string id;
};

namespace detail {
struct supervisor_impl;
/// Sent by the supervisor to itself when a backoff has passed.
struct supervisor_tick
{
    std::uint64_t generation = 0;
};
} // namespace detail

/// A supervisor (Erlang/OTP's supervisor, Akka's supervision): a class actor that starts its
/// children in order, watches them, and restarts them as its strategy, their restart types and
/// its intensity say:
///
/// ```
/// auto sup = engine.spawn<zctor::supervisor>(options, std::vector<zctor::child_spec>{...});
/// ```
///
/// A restarted child is a new actor (a new id, fresh state); references to the old incarnation
/// see it stopped (sends fail with actor_stopped, asks fail fast). The current incarnation is
/// reached through the child's registered name (child_spec::name) or get_child.
///
/// A supervisor stops its children in reverse start order, each one after the previous has
/// stopped (its on_stop has run), when it gives up, when one_for_all or rest_for_one restart
/// several, and when the engine stops (trees from the top, children before parents). Children it
/// stops get stop_kind::shutdown. A supervisor stopped from outside (ref.stop(), a link) asks its
/// running children to stop as it goes, without waiting for them.
class supervisor
{
public:
    /// Errors: invalid_configuration (as system_error) for a child without a start function or
    /// an id used twice, a backoff multiplier below 1, or a negative duration.
    supervisor(supervisor_options options, std::vector<child_spec> children);

    void on_start(context& ctx);
    void on_stop(context& ctx, const stop_reason& why);
    void on_down(context& ctx, const down& d);

    std::vector<child_status> handle(const which_children&);
    child_ref handle(const get_child& m);
    void handle(context& ctx, const detail::supervisor_tick& t);

    // For the runtime.
    const std::shared_ptr<detail::supervisor_impl>& impl() const noexcept { return impl_; }

private:
    std::shared_ptr<detail::supervisor_impl> impl_;
};

/// A child spec that starts a supervisor: nested trees.
inline child_spec supervisor_child(std::string id, supervisor_options options,
                                   std::vector<child_spec> children,
                                   restart_type restart = restart_type::permanent)
{
    return child_spec{std::move(id),
                      [options = std::move(options), children = std::move(children)](
                          context& ctx) -> child_ref { return ctx.spawn<supervisor>(options, children); },
                      restart};
}

} // namespace zctor

#endif
