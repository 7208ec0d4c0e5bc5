//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_ASK_HPP
#define ZCTOR_ASK_HPP

#include <chrono>
#include <type_traits>

namespace zctor {

/// A request message declares the type of its reply: `struct get_user { int id; using reply_type =
/// user; };`. Specialise reply_of for a type you cannot change.
template <class M>
struct reply_of
{};
template <class M>
requires requires { typename M::reply_type; }
struct reply_of<M>
{
    using type = typename M::reply_type;
};

/// The reply type of request message `M`.
template <class M>
using reply_type_t = typename reply_of<M>::type;

/// A message type that declares a reply type: it can be asked (actor_ref::async_ask).
template <class M>
concept request = requires
{
    typename reply_of<M>::type;
}
&&!std::is_void_v<reply_type_t<M>>;

/// The timeout that means "wait for the reply as long as it takes": the ask still fails fast when
/// the request is dropped unanswered, the target stops, or the engine shuts down.
inline constexpr std::chrono::steady_clock::duration no_timeout = std::chrono::steady_clock::duration::max();

} // namespace zctor

#endif
