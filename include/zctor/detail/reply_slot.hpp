//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_REPLY_SLOT_HPP
#define ZCTOR_DETAIL_REPLY_SLOT_HPP

#include <zctor/ask.hpp>
#include <zctor/error.hpp>

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace zctor {

namespace detail {

/// Where the reply to one ask goes. Completed exactly once, by the first of: the reply, a failure,
/// the timeout, cancellation, or the request being dropped unanswered. Reference-counted: the
/// request (or the promise taken from it) and the waiting operation each hold it.
template <class R>
class reply_slot
{
public:
    reply_slot(const reply_slot&) = delete;
    reply_slot& operator=(const reply_slot&) = delete;

    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept
    {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            destroy();
    }

    /// Any thread. Returns false when the slot was already completed: a reply that comes too late
    /// (after the timeout or a cancellation) is discarded, and counted.
    bool complete(const boost::system::error_code& ec, R* value) noexcept
    {
        if (done_.exchange(true, std::memory_order_acq_rel))
        {
            if (value != nullptr && late_ != nullptr)
                late_->fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        on_complete(ec, value);
        return true;
    }

    /// Whether the slot was completed (the asker no longer waits).
    bool done() const noexcept { return done_.load(std::memory_order_acquire); }

protected:
    explicit reply_slot(std::atomic<std::uint64_t>* late_counter) noexcept : late_(late_counter) {}
    ~reply_slot() = default;

    /// Called once, by the winner of complete(). Moves from `*value` when it is not null.
    virtual void on_complete(const boost::system::error_code& ec, R* value) noexcept = 0;
    virtual void destroy() noexcept = 0;

private:
    std::atomic<int> refs_{1};
    std::atomic<bool> done_{false};
    std::atomic<std::uint64_t>* late_;
};

/// An owning reference to a reply slot, carried by a request. Dropping it unanswered completes
/// the ask with error::broken_promise, so that an asker never waits for a reply that cannot come.
template <class R>
class reply_ref
{
public:
    reply_ref() noexcept = default;
    explicit reply_ref(reply_slot<R>* s) noexcept : slot_(s)
    {
        if (slot_ != nullptr)
            slot_->add_ref();
    }
    reply_ref(reply_ref&& o) noexcept : slot_(std::exchange(o.slot_, nullptr)) {}
    reply_ref& operator=(reply_ref&& o) noexcept
    {
        reply_ref(std::move(o)).swap(*this);
        return *this;
    }
    ~reply_ref() { reset(); }

    void swap(reply_ref& o) noexcept { std::swap(slot_, o.slot_); }

    /// Completes with `value`; false when nobody waits (no asker, or it gave up).
    bool deliver(R&& value) noexcept
    {
        reply_slot<R>* s = std::exchange(slot_, nullptr);
        if (s == nullptr)
            return false;
        const bool ok = s->complete({}, &value);
        s->release();
        return ok;
    }

    /// Completes with an error; false when nobody waits.
    bool fail(const boost::system::error_code& ec) noexcept
    {
        reply_slot<R>* s = std::exchange(slot_, nullptr);
        if (s == nullptr)
            return false;
        const bool ok = s->complete(ec, nullptr);
        s->release();
        return ok;
    }

    void reset() noexcept
    {
        if (slot_ != nullptr)
            fail(error::broken_promise);
    }

    /// Whether an asker may still be waiting for this reply.
    bool pending() const noexcept { return slot_ != nullptr && !slot_->done(); }
    explicit operator bool() const noexcept { return slot_ != nullptr; }

private:
    reply_slot<R>* slot_ = nullptr;
};

} // namespace detail
} // namespace zctor

#endif
