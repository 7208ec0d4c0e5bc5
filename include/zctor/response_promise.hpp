//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_RESPONSE_PROMISE_HPP
#define ZCTOR_RESPONSE_PROMISE_HPP

#include <zctor/detail/reply_slot.hpp>
#include <zctor/error.hpp>

#include <utility>

namespace zctor {

/// The right to answer one request later, taken in its handler with
/// `context::make_response_promise<R>()`: across the responder's own asynchronous work, another
/// ask, or a hand-off to another actor.
///
/// Move-only. Destroying a promise that still holds an unanswered request completes the ask with
/// error::broken_promise, so an asker never waits for a reply that cannot come.
///
/// Thread safety: distinct objects, safe; deliver() and fail() may be called from any thread.
template <class R>
class response_promise
{
public:
    /// An empty promise: pending() is false, deliver() returns false.
    response_promise() noexcept = default;

    response_promise(response_promise&&) noexcept = default;
    response_promise& operator=(response_promise&&) noexcept = default;

    /// Answers the request. Returns true when an asker received the reply; false when none waits:
    /// the request was sent rather than asked, the promise is empty or already used, or the asker
    /// gave up (timeout, cancellation), in which case the reply is counted in
    /// engine_stats::replies_discarded.
    bool deliver(R value) noexcept { return slot_.deliver(std::move(value)); }

    /// Fails the request: the asker completes with `ec` (error::handler_failed when `ec` is
    /// success). Returns whether an asker was waiting.
    bool fail(boost::system::error_code ec) noexcept
    {
        return slot_.fail(ec ? ec : make_error_code(error::handler_failed));
    }

    /// Whether an asker may still be waiting for this promise's reply.
    bool pending() const noexcept { return slot_.pending(); }

    // For the runtime.
    explicit response_promise(detail::reply_ref<R> slot) noexcept : slot_(std::move(slot)) {}

private:
    detail::reply_ref<R> slot_;
};

} // namespace zctor

#endif
