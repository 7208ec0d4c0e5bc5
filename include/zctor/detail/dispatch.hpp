//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_DISPATCH_HPP
#define ZCTOR_DETAIL_DISPATCH_HPP

#include <zctor/context.hpp>
#include <zctor/detail/actor_base.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/execution/allocator.hpp>
#include <boost/asio/execution/blocking.hpp>
#include <boost/asio/execution/relationship.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>

#include <algorithm>
#include <concepts>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>

namespace zctor {

/// The interface of a handler actor, or a view of a class actor: the message types it accepts.
/// `actor_ref<receives<M>>` is what `spawn<M>(handler)` returns.
template <class... Ms>
struct receives
{};

namespace detail {

template <class>
inline constexpr bool dependent_false = false;

template <class T>
struct is_receives : std::false_type
{};
template <class... Ms>
struct is_receives<receives<Ms...>> : std::true_type
{};

/// A class actor handles `M` with `handle(context&, M)` or `handle(M)`.
template <class A, class M>
concept class_handles = requires(A& a, context& c, M&& m)
{
    a.handle(c, std::move(m));
}
|| requires(A& a, M&& m) { a.handle(std::move(m)); };

/// A book-style handler for messages `M`: `f(context&, M)` or `f(M)`.
template <class F, class M>
concept message_handler = std::invocable<F&, context&, M&&> || std::invocable<F&, M&&>;

template <class M, class... Ms>
constexpr std::size_t index_in() noexcept
{
    constexpr bool same[] = {std::is_same_v<M, Ms>...};
    for (std::size_t i = 0; i < sizeof...(Ms); ++i)
        if (same[i])
            return i;
    return sizeof...(Ms);
}

/// Which of `receives<Ms...>` a message `Arg` goes in as: an exact type, or, for a single
/// message type, anything that type is constructible from (variant alternatives).
template <class Arg, class... Ms>
constexpr std::size_t slot_of() noexcept
{
    using M = std::remove_cvref_t<Arg>;
    constexpr std::size_t exact = index_in<M, Ms...>();
    if constexpr (exact < sizeof...(Ms))
        // The message is moved or copied in: an lvalue of a move-only type is not accepted.
        return std::is_constructible_v<M, Arg&&> ? exact : sizeof...(Ms);
    else if constexpr (sizeof...(Ms) == 1 && (std::is_constructible_v<Ms, Arg&&> && ...))
        return 0;
    else
        return sizeof...(Ms);
}

/// The message type an actor with `Behavior` receives `Arg` as.
template <class Behavior, class Arg>
struct message_for
{
    using type = std::remove_cvref_t<Arg>;
};
template <class... Ms, class Arg>
struct message_for<receives<Ms...>, Arg>
{
    using type = std::tuple_element_t<std::min(slot_of<Arg, Ms...>(), sizeof...(Ms) - 1), std::tuple<Ms...>>;
};
template <class Arg>
struct message_for<receives<>, Arg>
{
    using type = void;
};

template <class Behavior, class Arg>
struct accepts_impl : std::bool_constant<class_handles<Behavior, std::remove_cvref_t<Arg>> &&
                                         std::is_constructible_v<std::remove_cvref_t<Arg>, Arg&&>>
{};
template <class... Ms, class Arg>
struct accepts_impl<receives<Ms...>, Arg> : std::bool_constant<(slot_of<Arg, Ms...>() < sizeof...(Ms))>
{};

/// Turns a handler's result into success or failure (the book's `?void`): void succeeds;
/// `false` or a non-zero error_code fails. Returns the failure, or success.
template <class R>
boost::system::error_code outcome_of(actor_base& a, R&& r) noexcept
{
    using D = std::remove_cvref_t<R>;
    if constexpr (std::is_same_v<D, bool>)
    {
        if (r)
            return {};
        a.report_failure(error::handler_failed, nullptr);
        return error::handler_failed;
    }
    else if constexpr (std::is_convertible_v<R, boost::system::error_code>)
    {
        const boost::system::error_code ec = std::forward<R>(r);
        if (ec)
            a.report_failure(ec, nullptr);
        return ec;
    }
    else
    {
        static_assert(dependent_false<R>,
                      "zctor: a message handler returns void, bool (false = failed), "
                      "boost::system::error_code (non-zero = failed), the request's reply_type, or "
                      "boost::asio::awaitable of one of these");
        return {};
    }
}

template <class F>
boost::system::error_code call_handler(actor_base& a, F&& f)
{
    if constexpr (std::is_void_v<std::invoke_result_t<F&&>>)
    {
        std::forward<F>(f)();
        return {};
    }
    else
    {
        return outcome_of(a, std::forward<F>(f)());
    }
}

/// Whether a handler returning `R` for message `M` replies with its return value: `M` is a
/// request and `R` is its reply type (or converts to it, bool and error_code excepted, which
/// keep their success-or-failure meaning unless they are the reply type).
template <class R, class M>
constexpr bool replies_with() noexcept
{
    if constexpr (!request<M>)
        return false;
    else
    {
        using Rep = reply_type_t<M>;
        using D = std::remove_cvref_t<R>;
        if constexpr (std::is_same_v<D, Rep>)
            return true;
        else if constexpr (std::is_void_v<D> || std::is_same_v<D, bool> ||
                           std::is_same_v<D, boost::system::error_code>)
            return false;
        else
            return std::is_convertible_v<R, Rep>;
    }
}

template <class T>
struct awaitable_traits
{
    static constexpr bool value = false;
};
template <class T, class Executor>
struct awaitable_traits<boost::asio::awaitable<T, Executor>>
{
    static constexpr bool value = true;
    using value_type = T;
    using executor_type = Executor;
};

/// The executor a coroutine handler runs on: the actor's strand, each step of the coroutine
/// marked as running the actor (current_actor), as a drain marks a plain handler. Otherwise a
/// coroutine that has resumed asks as if from outside any actor: a completion handler without
/// an executor of its own runs on the replier's thread instead of the actor's strand, and a
/// blocking ask is not refused on an embedded engine's thread. Holds the actor, so that a step
/// (of the handler or of a coroutine it spawned on this executor) never refers to a freed one.
///
/// `Inner` is the actor's worker's io_context executor with this executor's properties (blocking,
/// relationship, allocator, outstanding work); the strand comes from the actor when a function is
/// executed. Two words, so any_io_executor stores it in place: a strand and the actor would take
/// four, and any_io_executor would then allocate a shared, reference-counted copy for every
/// require/prefer (each async operation started in the coroutine), whose release (a release
/// decrement, then an acquire fence) ThreadSanitizer cannot follow.
template <class Inner>
class coroutine_executor
{
public:
    coroutine_executor(Inner inner, actor_ptr actor) noexcept
        : inner_(std::move(inner)), actor_(std::move(actor))
    {}

    template <class Property>
    requires boost::asio::can_query<const Inner&, const Property&>::value auto query(const Property& p) const
        noexcept(boost::asio::is_nothrow_query<const Inner&, const Property&>::value) ->
        typename boost::asio::query_result<const Inner&, const Property&>::type
    {
        return boost::asio::query(inner_, p);
    }

    template <class Property>
    requires boost::asio::can_require<const Inner&, const Property&>::value auto
    require(const Property& p) const -> coroutine_executor<
        std::decay_t<typename boost::asio::require_result<const Inner&, const Property&>::type>>
    {
        return {boost::asio::require(inner_, p), actor_};
    }

    template <class Property>
    requires boost::asio::can_prefer<const Inner&, const Property&>::value auto
    prefer(const Property& p) const -> coroutine_executor<
        std::decay_t<typename boost::asio::prefer_result<const Inner&, const Property&>::type>>
    {
        return {boost::asio::prefer(inner_, p), actor_};
    }

    template <class F>
    void execute(F&& f) const
    {
        namespace ex = boost::asio::execution;
        step<std::decay_t<F>> s{std::forward<F>(f), actor_};
        const auto& strand = actor_->strand();
        using allocator_type = std::decay_t<decltype(boost::asio::query(inner_, ex::allocator))>;
        if constexpr (std::is_same_v<allocator_type, std::allocator<void>>)
            execute_on(strand, std::move(s));
        else
            execute_on(boost::asio::require(strand, ex::allocator(boost::asio::query(inner_, ex::allocator))),
                       std::move(s));
    }

    friend bool operator==(const coroutine_executor& a, const coroutine_executor& b) noexcept
    {
        return a.inner_ == b.inner_ && a.actor_.get() == b.actor_.get();
    }
    friend bool operator!=(const coroutine_executor& a, const coroutine_executor& b) noexcept
    {
        return !(a == b);
    }

private:
    template <class>
    friend class coroutine_executor;

    template <class F>
    struct step
    {
        F f;
        actor_ptr actor;
        void operator()()
        {
            const current_actor_scope running(actor.get());
            std::move(f)();
        }
    };

    // Runs `s` on `strand` with inner_'s blocking and relationship, as strand<Inner>::execute
    // would. (Its outstanding work is inner_'s own: the strand holds work while it has any.)
    template <class Strand, class Step>
    void execute_on(const Strand& strand, Step&& s) const
    {
        namespace ex = boost::asio::execution;
        const bool never = boost::asio::query(inner_, ex::blocking) == ex::blocking.never;
        const bool continuation =
            boost::asio::query(inner_, ex::relationship) == ex::relationship.continuation;
        if (never && continuation)
            boost::asio::require(strand, ex::blocking.never, ex::relationship.continuation)
                .execute(std::move(s));
        else if (never)
            boost::asio::require(strand, ex::blocking.never).execute(std::move(s));
        else if (continuation)
            boost::asio::require(strand, ex::relationship.continuation).execute(std::move(s));
        else
            strand.execute(std::move(s));
    }

    Inner inner_;
    actor_ptr actor_;
};

// any_io_executor keeps an executor of up to a shared_ptr and a pointer in place (Asio 1.81).
static_assert(sizeof(coroutine_executor<actor_base::strand_type::inner_executor_type>) <=
                  sizeof(std::shared_ptr<void>) + sizeof(void*),
              "a coroutine handler's executor must fit in any_io_executor without allocating");

/// The end of a coroutine handler, on the actor's strand: its result becomes the reply or the
/// success or failure, the message and context are freed, and the mailbox resumes.
template <class M, class T>
struct coroutine_done
{
    actor_ptr self;
    std::unique_ptr<message<M>> node;
    std::unique_ptr<context> ctx;
    boost::asio::cancellation_slot slot; // emitted when the actor stops

    // A slot of its own, and no executor (it runs on the coroutine's): what co_spawn leaves in the
    // actor's cancellation slot then holds no executor, which would hold the actor, for good.
    using cancellation_slot_type = boost::asio::cancellation_slot;
    cancellation_slot_type get_cancellation_slot() const noexcept { return slot; }

    template <class... V>
    void operator()(std::exception_ptr ep, V&&... v) noexcept
    {
        actor_base& a = *self;
        const current_actor_scope running(&a);
        // Stopping cancels a suspended coroutine: its unwinding is not a failure of the actor.
        const bool stopped = a.stopped();
        boost::system::error_code ec;
        if (ep)
        {
            ec = error::handler_failed;
            if (!stopped)
                a.report_failure(ec, ep);
        }
        else if constexpr (sizeof...(V) == 1)
        {
            if constexpr (replies_with<T, M>())
            {
                try
                {
                    node->reply.deliver(reply_type_t<M>(std::forward<V>(v)...));
                }
                catch (...)
                {
                    ec = error::handler_failed;
                    a.report_failure(ec, std::current_exception());
                }
            }
            else if (!stopped)
            {
                // After a stop, the result is the coroutine's answer to its cancellation (such as
                // the operation_aborted its wait completed with): like a throw, not a failure.
                ec = outcome_of(a, std::forward<V>(v)...);
            }
        }
        if constexpr (request<M>)
        {
            if (ec)
                node->reply.fail(stopped ? make_error_code(error::broken_promise) : ec);
        }
        node.reset();
        ctx.reset();
        a.end_coroutine(ec && !stopped);
    }
};

/// Starts a coroutine handler on the actor's strand. The mailbox waits until it finishes, so an
/// actor's messages stay sequential even while one of them is suspended.
template <class Actor, class M, class Awaitable>
run_result start_coroutine(std::unique_ptr<message<M>>& n, actor_base& a) noexcept
{
    using T = typename awaitable_traits<Awaitable>::value_type;
    try
    {
        // The coroutine refers to both after this call returns: they live until it finishes.
        auto ctx = std::make_unique<context>(a);
        if constexpr (request<M> && !replies_with<T, M>())
            ctx->set_reply(&n->reply);
        Awaitable aw = static_cast<Actor&>(a).invoke(*ctx, std::move(n->value));
        auto slot = a.begin_coroutine();
        try
        {
            coroutine_done<M, T> done{actor_ptr(&a), std::move(n), std::move(ctx), slot};
            using coroutine_executor_type = coroutine_executor<actor_base::strand_type::inner_executor_type>;
            if constexpr (std::is_convertible_v<coroutine_executor_type,
                                                typename awaitable_traits<Awaitable>::executor_type>)
                boost::asio::co_spawn(coroutine_executor_type(a.strand().get_inner_executor(), actor_ptr(&a)),
                                      std::move(aw), std::move(done));
            else // an awaitable on a concrete executor type: the strand, unmarked
                boost::asio::co_spawn(a.strand(), std::move(aw), std::move(done));
        }
        catch (...)
        {
            a.end_coroutine(false);
            throw;
        }
        return run_result::suspended;
    }
    catch (...)
    {
        a.report_failure(error::handler_failed, std::current_exception());
        if constexpr (request<M>)
        {
            if (n)
                n->reply.fail(error::handler_failed);
        }
        return run_result::failed;
    }
}

// A class actor's lifecycle members, found by name.
template <class A>
concept has_on_start = requires(A& a, context& c)
{
    a.on_start(c);
}
|| requires(A& a) { a.on_start(); };
template <class A>
concept has_on_stop = requires(A& a, context& c, const stop_reason& r)
{
    a.on_stop(c, r);
}
|| requires(A& a, const stop_reason& r) { a.on_stop(r); }
|| requires(A& a) { a.on_stop(); };
template <class A>
concept has_on_down = requires(A& a, context& c, const down& d)
{
    a.on_down(c, d);
}
|| requires(A& a, const down& d) { a.on_down(d); };
template <class A>
concept has_on_exit = requires(A& a, context& c, const exit_signal& e)
{
    a.on_exit(c, e);
}
|| requires(A& a, const exit_signal& e) { a.on_exit(e); };

/// A class actor's failure policy: `static constexpr zctor::failure_policy on_failure`.
template <class A>
constexpr failure_policy class_failure_policy() noexcept
{
    if constexpr (requires { A::on_failure; })
    {
        static_assert(std::is_same_v<std::remove_cv_t<decltype(A::on_failure)>, failure_policy>,
                      "zctor: a class actor's `on_failure` must be a zctor::failure_policy");
        return A::on_failure;
    }
    else
        return failure_policy::resume;
}

/// What an on_start hook's result means: void succeeds, false or a non-zero error_code fails.
template <class F>
boost::system::error_code start_outcome(F&& f)
{
    using R = std::invoke_result_t<F&&>;
    if constexpr (std::is_void_v<R>)
    {
        std::forward<F>(f)();
        return {};
    }
    else if constexpr (std::is_same_v<std::remove_cvref_t<R>, bool>)
        return std::forward<F>(f)() ? boost::system::error_code() : make_error_code(error::handler_failed);
    else
    {
        static_assert(std::is_convertible_v<R, boost::system::error_code>,
                      "zctor: on_start returns void, bool (false = failed) or boost::system::error_code");
        return std::forward<F>(f)();
    }
}

/// The actor_type_info shared by every actor of type `Actor` (class_actor<A>, function_actor<M,
/// F>): `static constexpr actor_type_info value`. Specialised at the end of this file.
template <class Actor>
struct actor_type_of;

/// A class-based actor: the user's object plus the runtime's part.
template <class A>
class class_actor final : public actor_base
{
public:
    template <class... Args>
    class_actor(engine_core& core, std::uint32_t worker, std::uint64_t id, Args&&... args)
        : actor_base(core, worker, id)
    {
        constexpr failure_policy policy = class_failure_policy<A>();
        if constexpr (policy == failure_policy::restart)
        {
            // A restart builds a fresh object from copies of the constructor's arguments.
            static_assert((std::is_copy_constructible_v<std::decay_t<Args>> && ...),
                          "zctor: failure_policy::restart rebuilds the actor from copies of its "
                          "constructor arguments, which must be copyable");
            set_rebuild([this, saved = std::tuple<std::decay_t<Args>...>(args...)] {
                std::apply([this](const auto&... a) { this->emplace(a...); }, saved);
            });
        }
        emplace(std::forward<Args>(args)...);
        set_lifecycle(has_on_start<A>, policy);
    }

    /// Calls the handle overload for `M`; returns what it returns.
    template <class M>
    decltype(auto) invoke(context& ctx, M&& msg)
    {
        if constexpr (requires { object_->handle(ctx, std::move(msg)); })
            return object_->handle(ctx, std::move(msg));
        else
            return object_->handle(std::move(msg));
    }

    /// Valid until the actor stops; handlers never run after that.
    A& object() noexcept { return *object_; }

private:
    template <class... Args>
    void emplace(Args&&... args)
    {
        if constexpr (std::is_constructible_v<A, Args&&...>)
            object_.emplace(std::forward<Args>(args)...);
        else
            object_.emplace(A{std::forward<Args>(args)...});
    }

    void destroy_behavior() noexcept override { object_.reset(); }
    const actor_type_info& type_info() const noexcept override { return actor_type_of<class_actor>::value; }

    boost::system::error_code start_behavior(context& ctx) override
    {
        if constexpr (requires { object_->on_start(ctx); })
            return start_outcome([&]() -> decltype(auto) { return object_->on_start(ctx); });
        else if constexpr (has_on_start<A>)
            return start_outcome([&]() -> decltype(auto) { return object_->on_start(); });
        else
            return {};
    }

    void stop_behavior(context& ctx, const stop_reason& why) override
    {
        if constexpr (requires { object_->on_stop(ctx, why); })
            object_->on_stop(ctx, why);
        else if constexpr (requires { object_->on_stop(why); })
            object_->on_stop(why);
        else if constexpr (has_on_stop<A>)
            object_->on_stop();
    }

    bool behavior_down(context& ctx, const down& d) override
    {
        if constexpr (requires { object_->on_down(ctx, d); })
            object_->on_down(ctx, d);
        else if constexpr (has_on_down<A>)
            object_->on_down(d);
        return has_on_down<A>;
    }

    bool behavior_exit(context& ctx, const exit_signal& e) override
    {
        if constexpr (requires { object_->on_exit(ctx, e); })
            object_->on_exit(ctx, e);
        else if constexpr (has_on_exit<A>)
            object_->on_exit(e);
        return has_on_exit<A>;
    }

    std::optional<A> object_;
};

/// Runs one message on `Actor` (handle = true) or only frees it. The node's run function.
/// A request freed unhandled, or handled without a reply, completes its ask with broken_promise.
template <class Actor, class M>
run_result run_message(message_node* node, actor_base& a, bool handle) noexcept
{
    std::unique_ptr<message<M>> n(static_cast<message<M>*>(node));
    if (!handle)
    {
        if (dead_letter_actor == &a) [[unlikely]]
            a.report_dead_letter(typeid(M), &n->value);
        return run_result::handled;
    }
    using R = decltype(std::declval<Actor&>().invoke(std::declval<context&>(), std::declval<M&&>()));
    if constexpr (awaitable_traits<std::remove_cvref_t<R>>::value)
    {
        return start_coroutine<Actor, M, std::remove_cvref_t<R>>(n, a);
    }
    else
    {
        context ctx(a);
        try
        {
            if constexpr (replies_with<R, M>())
            {
                n->reply.deliver(reply_type_t<M>(static_cast<Actor&>(a).invoke(ctx, std::move(n->value))));
            }
            else
            {
                if constexpr (request<M>)
                    ctx.set_reply(&n->reply);
                const boost::system::error_code ec = call_handler(a, [&]() -> decltype(auto) {
                    return static_cast<Actor&>(a).invoke(ctx, std::move(n->value));
                });
                if constexpr (request<M>)
                {
                    if (ec)
                        n->reply.fail(ec);
                }
                if (ec)
                    return run_result::failed;
            }
#ifndef NDEBUG
            // The book's state validation, in debug builds (actor_config::validate_state).
            if (a.state_invalid())
            {
                a.report_failure(error::state_corrupted, nullptr);
                return run_result::failed;
            }
#endif
            return run_result::handled;
        }
        catch (...)
        {
            a.report_failure(error::handler_failed, std::current_exception());
            if constexpr (request<M>)
                n->reply.fail(error::handler_failed);
            return run_result::failed;
        }
    }
}

template <class A, class M>
inline constexpr message_node::run_fn run_class = &run_message<class_actor<A>, M>;

/// A book-style actor: one message type `M` and a handler function.
template <class M, class F>
class function_actor final : public actor_base
{
public:
    template <class G>
    function_actor(engine_core& core, std::uint32_t worker, std::uint64_t id, G&& f)
        : actor_base(core, worker, id), fn_(std::forward<G>(f))
    {}

    /// With lifecycle hooks. failure_policy::restart needs a copyable F (spawn checks it).
    template <class G>
    function_actor(engine_core& core, std::uint32_t worker, std::uint64_t id, G&& f, hooks h)
        : function_actor(core, worker, id, std::forward<G>(f))
    {
        if constexpr (std::is_copy_constructible_v<F>)
        {
            if (h.on_failure == failure_policy::restart)
                set_rebuild([this, proto = F(*fn_)] { fn_.emplace(proto); });
        }
        set_lifecycle(static_cast<bool>(h.on_start), h.on_failure);
        set_hooks(std::move(h));
    }

    /// Calls the handler; returns what it returns.
    decltype(auto) invoke(context& ctx, M&& msg)
    {
        if constexpr (std::invocable<F&, context&, M&&>)
            return std::invoke(*fn_, ctx, std::move(msg));
        else
            return std::invoke(*fn_, std::move(msg));
    }

private:
    void destroy_behavior() noexcept override { fn_.reset(); }
    const actor_type_info& type_info() const noexcept override
    {
        return actor_type_of<function_actor>::value;
    }

    std::optional<F> fn_;
};

template <class M, class F>
inline constexpr message_node::run_fn run_function = &run_message<function_actor<M, F>, M>;

template <class A, class... Ms>
inline constexpr message_node::run_fn class_fns[] = {run_class<A, Ms>...};

template <class... Ms>
inline constexpr type_key keys_of[] = {key_of<Ms>()...};

/// Message types a class actor asks to be routed to it (`using messages = receives<...>`).
template <class A>
struct routed_messages
{
    using type = receives<>;
};
template <class A>
requires requires { typename A::messages; }
struct routed_messages<A>
{
    using type = typename A::messages;
    static_assert(is_receives<type>::value,
                  "zctor: a class actor's `messages` must be zctor::receives<M...>");
};

/// A class actor's routes: the message types it lists in `messages`, if any.
template <class A, class... Ms>
constexpr route_info class_routes(receives<Ms...>) noexcept
{
    if constexpr (sizeof...(Ms) > 0)
        return route_info{keys_of<Ms...>, class_fns<A, Ms...>, sizeof...(Ms)};
    else
        return route_info{};
}

template <class A>
struct actor_type_of<class_actor<A>>
{
    static constexpr actor_type_info value{key_of<A>(), class_routes<A>(typename routed_messages<A>::type{})};
};

template <class M, class F>
struct actor_type_of<function_actor<M, F>>
{
    static constexpr message_node::run_fn fns[] = {run_function<M, F>};
    static constexpr type_key keys[] = {key_of<M>()};
    static constexpr actor_type_info value{key_of<receives<M>>(), route_info{keys, fns, 1}};
};

} // namespace detail
} // namespace zctor

#endif
