//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_DISPATCH_HPP
#define ZCTOR_DETAIL_DISPATCH_HPP

#include <zctor/context.hpp>
#include <zctor/detail/actor_base.hpp>

#include <concepts>
#include <functional>
#include <memory>
#include <optional>
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

template <class Behavior, class Arg>
struct accepts_impl : std::bool_constant<class_handles<Behavior, std::remove_cvref_t<Arg>> &&
                                         std::is_constructible_v<std::remove_cvref_t<Arg>, Arg&&>>
{};
template <class... Ms, class Arg>
struct accepts_impl<receives<Ms...>, Arg> : std::bool_constant<(slot_of<Arg, Ms...>() < sizeof...(Ms))>
{};

/// Turns a handler's result into success or failure (the book's `?void`): void succeeds;
/// `false` or a non-zero error_code fails.
template <class F>
bool call_handler(actor_base& a, F&& f)
{
    using R = std::invoke_result_t<F&&>;
    if constexpr (std::is_void_v<R>)
    {
        std::forward<F>(f)();
        return true;
    }
    else if constexpr (std::is_same_v<std::remove_cvref_t<R>, bool>)
    {
        const bool ok = std::forward<F>(f)();
        if (!ok)
            a.report_failure(error::handler_failed, nullptr);
        return ok;
    }
    else if constexpr (std::is_convertible_v<R, boost::system::error_code>)
    {
        const boost::system::error_code ec = std::forward<F>(f)();
        if (ec)
            a.report_failure(ec, nullptr);
        return !ec;
    }
    else
    {
        static_assert(dependent_false<R>, "zctor: a message handler returns void, bool (false = failed) or "
                                          "boost::system::error_code (non-zero = failed)");
        return false;
    }
}

/// A class-based actor: the user's object plus the runtime's part.
template <class A>
class class_actor final : public actor_base
{
public:
    template <class... Args>
    class_actor(engine_core& core, std::uint32_t worker, std::uint64_t id, Args&&... args)
        : actor_base(core, worker, id, key_of<A>())
    {
        if constexpr (std::is_constructible_v<A, Args&&...>)
            object_.emplace(std::forward<Args>(args)...);
        else
            object_.emplace(A{std::forward<Args>(args)...});
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
    void destroy_behavior() noexcept override { object_.reset(); }

    std::optional<A> object_;
};

/// Runs one message on `Actor` (handle = true) or only frees it. The node's run function.
template <class Actor, class M>
bool run_message(message_node* node, actor_base& a, bool handle) noexcept
{
    std::unique_ptr<message<M>> n(static_cast<message<M>*>(node));
    if (!handle)
        return true;
    context ctx(a);
    try
    {
        return call_handler(
            a, [&]() -> decltype(auto) { return static_cast<Actor&>(a).invoke(ctx, std::move(n->value)); });
    }
    catch (...)
    {
        a.report_failure(error::handler_failed, std::current_exception());
        return false;
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
        : actor_base(core, worker, id, key_of<receives<M>>()), fn_(std::forward<G>(f))
    {}

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

} // namespace detail
} // namespace zctor

#endif
