//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_ENGINE_HPP
#define ZCTOR_ENGINE_HPP

#include <zctor/actor_ref.hpp>
#include <zctor/config.hpp>
#include <zctor/context.hpp>
#include <zctor/detail/dispatch.hpp>
#include <zctor/detail/engine_core.hpp>
#include <zctor/error.hpp>
#include <zctor/metrics.hpp>
#include <zctor/stats.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace zctor {

namespace detail {
template <class M, class Arg>
using message_type_t = std::conditional_t<std::is_same_v<M, deduce>, std::remove_cvref_t<Arg>, M>;
} // namespace detail

/// The actor engine (the book's ActorEngine): worker threads, each running its own io_context,
/// and the actors placed round-robin across them, each on a strand over its worker's executor.
///
/// Thread safety: every member function may be called from any thread, including from inside
/// handlers, except join()/start() (not from a worker) and the destructor.
class engine
{
public:
    using executor_type = boost::asio::io_context::executor_type;

    /// An engine with its own worker threads. Throws system_error(invalid_configuration) for a
    /// configuration that validate() rejects.
    explicit engine(const engine_config& config = {});

    /// An engine embedded in io_contexts the application owns and runs: actors are placed
    /// round-robin across `contexts`, on strands over their executors. The engine runs as soon
    /// as it is constructed (run() reports already_started) and keeps the contexts busy (a work
    /// guard) until it has stopped. The contexts must outlive the engine and every actor_ref.
    explicit engine(boost::asio::io_context& context, const engine_config& config = {});
    engine(const std::vector<boost::asio::io_context*>& contexts, const engine_config& config = {});

    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    /// Stops the engine (see stop()) and waits for it, then joins the workers. Never waits for
    /// more than the drain timeout plus the handlers already running.
    ~engine();

    /// Starts the worker threads and returns. Errors: already_started, engine_stopped (the engine
    /// was stopped before), thread_creation_failed.
    void run();
    void run(boost::system::error_code& ec);

    /// Blocks until the engine has stopped and its workers have exited. Errors: not_started,
    /// thread_join_failed (called from one of the engine's own workers, where it would deadlock).
    void join();
    void join(boost::system::error_code& ec);

    /// run() then join(): blocks the caller until stop() (the book's start).
    void start();
    void start(boost::system::error_code& ec);

    /// Stops the engine: from now on spawns and sends fail with engine_stopped; messages already
    /// accepted are handled (shutdown_policy::drain, bounded by drain_timeout) or dropped and
    /// counted (shutdown_policy::drop); then every actor stops, its state and behaviour object
    /// destroyed on its strand. An engine that was never run handles nothing: its queued
    /// messages are dropped and counted, and its actors stopped on the calling thread.
    /// Returns at once; callable from any thread and from handlers; calling it again is harmless.
    void stop() noexcept;

    /// Whether stop() has completed: every actor stopped.
    bool stopped() const noexcept { return core_->state() == detail::engine_state::stopped; }

    /// Whether the engine accepts spawns and sends.
    bool accepting() const noexcept { return core_->accepting(); }

    std::size_t worker_count() const noexcept { return core_->worker_count(); }

    /// The executor of worker `i` (not a strand). Throws std::out_of_range when
    /// i >= worker_count().
    executor_type get_executor(std::size_t i = 0) const
    {
        if (i >= worker_count())
            throw std::out_of_range("zctor::engine::get_executor: no such worker");
        return core_->worker_at(i).ctx->get_executor();
    }

    /// Spawns an actor, placed round-robin on the workers unless its actor_config says otherwise
    /// (actor_config::placement, actor_config::worker).
    ///
    /// - `spawn<M>(handler)`, the book's way: `handler(context&, M)` or `handler(M)` handles every
    ///   message of type `M` and returns void, bool or error_code. Returns actor_ref<receives<M>>;
    ///   the actor is also routed for `M` (send<M>, publish<M>).
    /// - `spawn<A>(args...)`: a class actor built from `args`, with `handle(context&, X)` or
    ///   `handle(X)` per message type. Returns actor_ref<A>. If A declares
    ///   `using messages = receives<X...>;` it is also routed for each X.
    ///
    /// - Either form may start with an actor_config: `spawn<M>(actor_config{...}, handler)`,
    ///   `spawn<A>(actor_config{...}, args...)`; its mailbox settings replace the engine's
    ///   defaults (engine_config::default_mailbox_capacity, default_overflow), its name lists
    ///   the actor in the inspector (snapshot(), to_prometheus()), and its placement or worker
    ///   picks the actor's worker.
    ///
    /// Errors: invalid_configuration (an empty handler: a null function pointer, an empty
    /// std::function; an actor_config that validate() rejects, or whose `worker` is not below
    /// worker_count(), the field named in the exception's message), engine_stopped,
    /// thread_pool_full (every worker full; or the one actor_config::worker names, or the local
    /// one of placement::local, full), out_of_memory (also for std::bad_alloc from the actor's
    /// constructor). Other exceptions from the actor's constructor, or from copying the handler,
    /// propagate unchanged.
    template <class T, class... Args>
    auto spawn(Args&&... args);
    template <class T, class... Args>
    auto spawn(boost::system::error_code& ec, Args&&... args);

    /// Sends to an actor routed for `M` (the book's routing); several such actors share the load
    /// round-robin. `M` defaults to the argument's type. Errors: actor_not_found (no actor routed
    /// for M), engine_stopped, actor_stopped, invalid_message, out_of_memory, mailbox_full (the
    /// picked actor's bounded mailbox is full: see actor_ref::send).
    template <class M = detail::deduce, class Arg>
    void send(Arg&& arg);
    template <class M = detail::deduce, class Arg>
    void send(Arg&& arg, boost::system::error_code& ec);

    /// Sends to an actor routed for `M` (round-robin among several) and completes,
    /// `void(boost::system::error_code)`, once its mailbox has accepted the message: waits for
    /// room in a full backpressure mailbox. The actor is picked when the send starts. See
    /// actor_ref::async_send for the completion, errors and executors; actor_not_found when no
    /// actor is routed for `M`.
    template <class M = detail::deduce, class Arg, class CompletionToken = boost::asio::deferred_t>
    auto async_send(Arg&& arg, CompletionToken&& token = {});

    /// Sends a copy of `arg` to every actor routed for `M`; returns how many accepted it.
    /// Errors: actor_not_found (none routed for M), engine_stopped.
    template <class M = detail::deduce, class Arg>
    std::size_t publish(const Arg& arg);
    template <class M = detail::deduce, class Arg>
    std::size_t publish(const Arg& arg, boost::system::error_code& ec);

    /// Asks an actor routed for `M` (round-robin among several): see actor_ref::async_ask for
    /// the completion, errors and executors. `M` defaults to the argument's type and must be a
    /// request (declare a reply_type). actor_not_found when no actor is routed for `M`.
    template <class M = detail::deduce, class Arg, class CompletionToken = boost::asio::deferred_t>
    requires request<detail::message_type_t<M, Arg>>
    auto async_ask(Arg&& req, std::chrono::steady_clock::duration timeout, CompletionToken&& token = {});

    /// Asks an actor routed for `M` and blocks for the reply: see actor_ref::ask.
    template <class M = detail::deduce, class Arg>
    requires request<detail::message_type_t<M, Arg>>
    auto ask(Arg&& req, std::chrono::steady_clock::duration timeout);
    template <class M = detail::deduce, class Arg>
    requires request<detail::message_type_t<M, Arg>>
    auto ask(Arg&& req, std::chrono::steady_clock::duration timeout, boost::system::error_code& ec);

    /// Counters since construction.
    engine_stats stats() const noexcept { return core_->stats(); }

    /// The inspector: engine totals, every worker and every live actor (id, name, behaviour
    /// type, and its metrics when engine_config::metrics is on), read while the engine runs
    /// without stopping it. See engine_snapshot for what is consistent in it. Any thread,
    /// handlers included; costs a lock of the actor registry while it lists the actors, and one
    /// string per actor. Throws std::bad_alloc.
    engine_snapshot snapshot() const { return core_->snapshot(); }

    /// Registers `ref` under `name`, until unregister_name() or until the actor stops. Registering
    /// an actor again under its own name does nothing; an actor may have several names. Errors:
    /// invalid_message (empty name), actor_not_found (empty reference), actor_stopped,
    /// name_in_use (another actor holds the name), out_of_memory.
    template <class Behavior>
    void register_name(const std::string& name, const actor_ref<Behavior>& ref);
    template <class Behavior>
    void register_name(const std::string& name, const actor_ref<Behavior>& ref,
                       boost::system::error_code& ec);

    /// Removes `name`. Errors: actor_not_found (no such name).
    void unregister_name(const std::string& name);
    void unregister_name(const std::string& name, boost::system::error_code& ec);

    /// The actor registered under `name`, as a reference with `Behavior` (the class for a class
    /// actor, receives<M> for a handler actor). Errors: actor_not_found (no such name, or its
    /// actor has stopped), invalid_message (the actor's behaviour is not `Behavior`).
    template <class Behavior>
    actor_ref<Behavior> lookup(const std::string& name) const;
    template <class Behavior>
    actor_ref<Behavior> lookup(const std::string& name, boost::system::error_code& ec) const;

private:
    friend class context;
    std::shared_ptr<detail::engine_core> core_;
};

namespace detail {

template <class A, class... Ms, class... Args>
actor_ref<A> spawn_class(engine_core& core, boost::system::error_code& ec, const char*& field,
                         const actor_config* config, receives<Ms...>, Args&&... args)
{
    static_assert((class_handles<A, Ms> && ...),
                  "zctor: a class actor must handle every message type listed in its `messages`");
    actor_ptr p = core.make_actor<class_actor<A>>(ec, field, config, std::forward<Args>(args)...);
    if (p)
        p->started();
    return actor_ref<A>(std::move(p), nullptr);
}

template <class F>
struct is_std_function : std::false_type
{};
template <class Signature>
struct is_std_function<std::function<Signature>> : std::true_type
{};

/// Whether a handler can never be called: a null function or member pointer, an empty
/// std::function. Spawning one would crash, or fail every message, far from the mistake.
template <class F>
bool is_empty_handler(const F& f) noexcept
{
    if constexpr (std::is_pointer_v<F> || std::is_member_pointer_v<F>)
        return f == nullptr;
    else if constexpr (is_std_function<F>::value)
        return !f;
    else
        return false;
}

/// Whether spawn<T>(args...) is spawn<T>(handler, hooks).
template <class T, class... Args>
struct handler_with_hooks : std::false_type
{};
template <class T, class F, class H>
struct handler_with_hooks<T, F, H>
    : std::bool_constant<std::is_same_v<std::remove_cvref_t<H>, hooks> && message_handler<std::decay_t<F>, T>>
{};

/// spawn<M>(handler, hooks): a handler actor with lifecycle hooks and a failure policy.
template <class T, class G>
auto spawn_hooked(engine_core& core, boost::system::error_code& ec, const char*& field,
                  const actor_config* config, G&& f, hooks h)
{
    using F = std::decay_t<G>;
    using actor = function_actor<T, F>;
    if (is_empty_handler<F>(f) ||
        (h.on_failure == failure_policy::restart && !std::is_copy_constructible_v<F>) ||
        (h.on_failure != failure_policy::resume && h.on_failure != failure_policy::restart &&
         h.on_failure != failure_policy::stop))
    {
        ec = error::invalid_configuration;
        return actor_ref<receives<T>>();
    }
    actor_ptr p = core.make_actor<actor>(ec, field, config, std::forward<G>(f), std::move(h));
    if (p)
        p->started();
    return actor_ref<receives<T>>(std::move(p), actor_type_of<actor>::value.routes.fns);
}

template <class T, class... Args>
auto spawn_with(engine_core& core, boost::system::error_code& ec, const char*& field,
                const actor_config* config, Args&&... args)
{
    if constexpr (handler_with_hooks<T, Args...>::value)
    {
        return spawn_hooked<T>(core, ec, field, config, std::forward<Args>(args)...);
    }
    else if constexpr (sizeof...(Args) == 1 && (message_handler<std::decay_t<Args>, T> && ...))
    {
        using F = std::decay_t<std::tuple_element_t<0, std::tuple<Args...>>>; // functions too
        using actor = function_actor<T, F>;
        if ((is_empty_handler<F>(args) || ...))
        {
            ec = error::invalid_configuration;
            return actor_ref<receives<T>>();
        }
        actor_ptr p = core.make_actor<actor>(ec, field, config, std::forward<Args>(args)...);
        return actor_ref<receives<T>>(std::move(p), actor_type_of<actor>::value.routes.fns);
    }
    else
    {
        static_assert(std::is_class_v<T>, "zctor: spawn<T>: T is neither a message type given a "
                                          "handler nor an actor class");
        // Braces too: aggregates are not is_constructible from parentheses before clang 16.
        static_assert(
            std::is_constructible_v<T, Args&&...> || requires { T{std::declval<Args&&>()...}; },
            "zctor: spawn<A>(args...): A is not constructible from these arguments");
        return spawn_class<T>(core, ec, field, config, typename routed_messages<T>::type{},
                              std::forward<Args>(args)...);
    }
}

template <class T>
inline constexpr bool is_actor_config = std::is_same_v<std::remove_cvref_t<T>, actor_config>;

// Spawns, taking a leading actor_config as the actor's configuration. On invalid_configuration
// `field` names the actor_config field at fault, if that was the cause.
template <class T, class First, class... Rest>
auto spawn_on(engine_core& core, boost::system::error_code& ec, const char*& field, First&& first,
              Rest&&... rest)
{
    if constexpr (is_actor_config<First>)
        return spawn_with<T>(core, ec, field, &std::as_const(first), std::forward<Rest>(rest)...);
    else
        return spawn_with<T>(core, ec, field, nullptr, std::forward<First>(first),
                             std::forward<Rest>(rest)...);
}

template <class T>
auto spawn_on(engine_core& core, boost::system::error_code& ec, const char*& field)
{
    return spawn_with<T>(core, ec, field, nullptr);
}

[[noreturn]] void throw_spawn_error(const boost::system::error_code& ec, const char* field, const char* what);

inline void throw_spawn_if(const boost::system::error_code& ec, const char* field, const char* what)
{
    if (ec)
        throw_spawn_error(ec, field, what);
}

} // namespace detail

template <class T, class... Args>
auto engine::spawn(Args&&... args)
{
    boost::system::error_code ec;
    const char* field = nullptr;
    auto ref = detail::spawn_on<T>(*core_, ec, field, std::forward<Args>(args)...);
    detail::throw_spawn_if(ec, field, "zctor::engine::spawn");
    return ref;
}

template <class T, class... Args>
auto engine::spawn(boost::system::error_code& ec, Args&&... args)
{
    const char* field = nullptr;
    return detail::spawn_on<T>(*core_, ec, field, std::forward<Args>(args)...);
}

template <class M, class Arg>
void engine::send(Arg&& arg)
{
    boost::system::error_code ec;
    send<M>(std::forward<Arg>(arg), ec);
    detail::throw_if(ec, "zctor::engine::send");
}

template <class M, class Arg>
void engine::send(Arg&& arg, boost::system::error_code& ec)
{
    ec = core_->route_send<detail::message_type_t<M, Arg>>(std::forward<Arg>(arg));
}

template <class M, class Arg>
std::size_t engine::publish(const Arg& arg)
{
    boost::system::error_code ec;
    std::size_t n = publish<M>(arg, ec);
    detail::throw_if(ec, "zctor::engine::publish");
    return n;
}

template <class M, class Arg>
std::size_t engine::publish(const Arg& arg, boost::system::error_code& ec)
{
    return core_->route_publish<detail::message_type_t<M, Arg>>(arg, ec);
}

namespace detail {

/// An ask by message type: the actor is picked from the routing table when the ask starts.
template <class M>
struct routed_ask_target
{
    std::shared_ptr<engine_core> core;
    M request;
    message_node::run_fn fn = nullptr;

    boost::system::error_code resolve(actor_ptr& out) { return core->route_pick<M>(out, fn); }
    boost::system::error_code push(actor_base& a, reply_slot<reply_type_t<M>>* slot)
    {
        return a.template push_value<M>(fn, std::move(request), slot);
    }
};

} // namespace detail

namespace detail {

/// An async_send by message type: the actor is picked from the routing table when it starts.
template <class M>
struct routed_send_target
{
    std::shared_ptr<engine_core> core;
    M message;
    message_node::run_fn fn = nullptr;

    boost::system::error_code resolve(actor_ptr& out) { return core->route_pick<M>(out, fn); }
    boost::system::error_code make_node(message_node*& out)
    {
        return make_message_node<M>(fn, std::move(message), out);
    }
};

} // namespace detail

template <class M, class Arg, class CompletionToken>
auto engine::async_send(Arg&& arg, CompletionToken&& token)
{
    using Msg = detail::message_type_t<M, Arg>;
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        detail::initiate_send{}, token, detail::routed_send_target<Msg>{core_, Msg(std::forward<Arg>(arg))});
}

template <class M, class Arg, class CompletionToken>
requires request<detail::message_type_t<M, Arg>>
auto engine::async_ask(Arg&& req, std::chrono::steady_clock::duration timeout, CompletionToken&& token)
{
    using Msg = detail::message_type_t<M, Arg>;
    using R = reply_type_t<Msg>;
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, R)>(
        detail::initiate_ask<R>{}, token, detail::routed_ask_target<Msg>{core_, Msg(std::forward<Arg>(req))},
        timeout);
}

template <class M, class Arg>
requires request<detail::message_type_t<M, Arg>>
auto engine::ask(Arg&& req, std::chrono::steady_clock::duration timeout)
{
    boost::system::error_code ec;
    auto reply = ask<M>(std::forward<Arg>(req), timeout, ec);
    detail::throw_if(ec, "zctor::engine::ask");
    return reply;
}

template <class M, class Arg>
requires request<detail::message_type_t<M, Arg>>
auto engine::ask(Arg&& req, std::chrono::steady_clock::duration timeout, boost::system::error_code& ec)
{
    using R = reply_type_t<detail::message_type_t<M, Arg>>;
    return detail::sync_ask<R>(
        [&](auto&& handler) { async_ask<M>(std::forward<Arg>(req), timeout, std::move(handler)); }, ec);
}

// context members that need the engine.

inline engine& context::get_engine() const noexcept { return *self_->core().owner; }

template <class Behavior>
actor_ref<Behavior> context::self() const
{
    if (self_->behavior() != detail::key_of<Behavior>())
        detail::throw_error(error::invalid_message, "zctor::context::self: not this actor's behaviour");
    return actor_ref<Behavior>(detail::actor_ptr(self_), self_->routes().fns);
}

// The context's calls go to the engine's shared core, never through get_engine(): a handler may
// destroy the engine object, and the handlers that drain after it still use their contexts.

template <class M, class Arg>
void context::send(Arg&& arg) const
{
    boost::system::error_code ec;
    send<M>(std::forward<Arg>(arg), ec);
    detail::throw_if(ec, "zctor::context::send");
}

template <class M, class Arg>
void context::send(Arg&& arg, boost::system::error_code& ec) const
{
    ec = self_->core().route_send<detail::message_type_t<M, Arg>>(std::forward<Arg>(arg));
}

template <class M, class Arg>
std::size_t context::publish(const Arg& arg) const
{
    boost::system::error_code ec;
    std::size_t n = publish<M>(arg, ec);
    detail::throw_if(ec, "zctor::context::publish");
    return n;
}

template <class M, class Arg>
std::size_t context::publish(const Arg& arg, boost::system::error_code& ec) const
{
    return self_->core().route_publish<detail::message_type_t<M, Arg>>(arg, ec);
}

template <class T, class... Args>
auto context::spawn(Args&&... args) const
{
    boost::system::error_code ec;
    const char* field = nullptr;
    auto ref = detail::spawn_on<T>(self_->core(), ec, field, std::forward<Args>(args)...);
    detail::throw_spawn_if(ec, field, "zctor::context::spawn");
    return ref;
}

template <class T, class... Args>
auto context::spawn(boost::system::error_code& ec, Args&&... args) const
{
    const char* field = nullptr;
    return detail::spawn_on<T>(self_->core(), ec, field, std::forward<Args>(args)...);
}

// Death watch.

template <class Behavior>
void context::monitor(const actor_ref<Behavior>& target) const
{
    boost::system::error_code ec;
    monitor(target, ec);
    detail::throw_if(ec, "zctor::context::monitor");
}

template <class Behavior>
void context::monitor(const actor_ref<Behavior>& target, boost::system::error_code& ec) const
{
    if (!target)
    {
        ec = error::actor_not_found;
        return;
    }
    try
    {
        ec = self_->core().monitor(*self_, *target.pointer());
    }
    catch (const std::bad_alloc&)
    {
        ec = error::out_of_memory;
    }
}

template <class Behavior>
void context::demonitor(const actor_ref<Behavior>& target, boost::system::error_code& ec) const
{
    ec =
        target ? self_->core().demonitor(*self_, *target.pointer()) : make_error_code(error::actor_not_found);
}

template <class Behavior>
void context::link(const actor_ref<Behavior>& target) const
{
    boost::system::error_code ec;
    link(target, ec);
    detail::throw_if(ec, "zctor::context::link");
}

template <class Behavior>
void context::link(const actor_ref<Behavior>& target, boost::system::error_code& ec) const
{
    if (!target)
    {
        ec = error::actor_not_found;
        return;
    }
    try
    {
        ec = self_->core().link(*self_, *target.pointer());
    }
    catch (const std::bad_alloc&)
    {
        ec = error::out_of_memory;
    }
}

template <class Behavior>
void context::unlink(const actor_ref<Behavior>& target, boost::system::error_code& ec) const
{
    ec = target ? self_->core().link(*self_, *target.pointer(), true)
                : make_error_code(error::actor_not_found);
}

// Names.

template <class Behavior>
void engine::register_name(const std::string& name, const actor_ref<Behavior>& ref)
{
    boost::system::error_code ec;
    register_name(name, ref, ec);
    detail::throw_if(ec, "zctor::engine::register_name");
}

template <class Behavior>
void engine::register_name(const std::string& name, const actor_ref<Behavior>& ref,
                           boost::system::error_code& ec)
{
    if (!ref)
    {
        ec = error::actor_not_found;
        return;
    }
    try
    {
        ec = core_->register_name(name, *ref.pointer());
    }
    catch (const std::bad_alloc&)
    {
        ec = error::out_of_memory;
    }
}

template <class Behavior>
actor_ref<Behavior> engine::lookup(const std::string& name) const
{
    boost::system::error_code ec;
    auto ref = lookup<Behavior>(name, ec);
    detail::throw_if(ec, "zctor::engine::lookup");
    return ref;
}

template <class Behavior>
actor_ref<Behavior> engine::lookup(const std::string& name, boost::system::error_code& ec) const
{
    detail::actor_ptr p;
    ec = core_->lookup(name, p);
    if (ec)
        return {};
    if (p->behavior() != detail::key_of<Behavior>())
    {
        ec = error::invalid_message;
        return {};
    }
    const auto* fns = p->routes().fns;
    return actor_ref<Behavior>(std::move(p), fns);
}

} // namespace zctor

#endif
