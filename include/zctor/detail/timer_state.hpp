//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_TIMER_STATE_HPP
#define ZCTOR_DETAIL_TIMER_STATE_HPP

#include <zctor/detail/actor_base.hpp>

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <type_traits>
#include <utility>

namespace zctor::detail {

/// A delayed or periodic message for one actor. The Asio timer lives on the actor's strand, and so
/// does everything that touches it; only `cancelled` is shared with other threads.
///
/// Exact cancellation: when the timer fires, it queues a timer_message, which checks `cancelled`
/// on the strand right before the handler would run. So once cancel() has returned on the actor's
/// strand, the message is never handled, even if the timer had already fired.
class timer_state
{
public:
    timer_state(actor_ptr target, message_node::run_fn fn, std::chrono::steady_clock::duration interval)
        : fn_(fn), target_(std::move(target)), interval_(interval), timer_(target_->strand())
    {}
    timer_state(const timer_state&) = delete;
    timer_state& operator=(const timer_state&) = delete;
    virtual ~timer_state() = default;

    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept
    {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete this;
    }

    /// Any thread. Returns whether the timer was active (not cancelled or finished before).
    bool cancel() noexcept;

    /// Any thread: neither cancelled nor finished (a one-shot timer finishes when its message
    /// has been handled, a periodic one when its actor stops), and its actor not stopped. The
    /// last check matters when the timer never reached the strand to be registered (an engine
    /// stopped before it ran): no finalize() then finishes it, yet it can deliver nothing.
    bool active() const noexcept
    {
        return !cancelled_.load(std::memory_order_acquire) && !finished_.load(std::memory_order_acquire) &&
               !target_->stopped();
    }

    /// Strand only: whether a tick may still run its handler.
    bool tick_allowed() const noexcept { return !cancelled_.load(std::memory_order_acquire); }

    /// No tick will come any more.
    void finished() noexcept { finished_.store(true, std::memory_order_release); }

    /// Any thread: arms the timer on the actor's strand (inline when already there).
    void start(std::chrono::steady_clock::duration delay);

    /// Strand only: the actor stops.
    void stop_on_strand() noexcept;

    // The actor's list of live timers (strand only).
    timer_state* prev = nullptr;
    timer_state* next = nullptr;

protected:
    /// The message to queue for one tick: moved out for a one-shot timer, copied for a periodic one.
    virtual message_node* make_message(bool last) = 0;

    message_node::run_fn fn_;

private:
    void arm(std::chrono::steady_clock::time_point expiry);
    void fire();

    std::atomic<int> refs_{1};
    std::atomic<bool> cancelled_{false};
    std::atomic<bool> finished_{false};
    bool registered_ = false; // strand only
    actor_ptr target_;
    std::chrono::steady_clock::duration interval_; // zero: one-shot
    boost::asio::steady_timer timer_;
};

/// An intrusive reference to a timer_state.
class timer_ptr
{
public:
    timer_ptr() noexcept = default;
    explicit timer_ptr(timer_state* p, bool add_ref = true) noexcept : p_(p)
    {
        if (p_ != nullptr && add_ref)
            p_->add_ref();
    }
    timer_ptr(const timer_ptr& o) noexcept : timer_ptr(o.p_) {}
    timer_ptr(timer_ptr&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    timer_ptr& operator=(timer_ptr o) noexcept
    {
        std::swap(p_, o.p_);
        return *this;
    }
    ~timer_ptr()
    {
        if (p_ != nullptr)
            p_->release();
    }
    timer_state* get() const noexcept { return p_; }
    timer_state* operator->() const noexcept { return p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }

private:
    timer_state* p_ = nullptr;
};

/// One tick of a timer in the mailbox: runs the actor's handler for `M` unless the timer was
/// cancelled by then.
template <class M>
struct timer_message final : message_node
{
    static void* operator new(std::size_t n) { return message_pool::allocate(n); }
    static void operator delete(void* p, std::size_t n) noexcept { message_pool::deallocate(p, n); }

    timer_message(timer_ptr t, std::unique_ptr<message<M>> m, bool last_tick) noexcept
        : timer(std::move(t)), inner(std::move(m)), last(last_tick)
    {
        run = &run_tick;
    }

    static run_result run_tick(message_node* node, actor_base& a, bool handle) noexcept
    {
        std::unique_ptr<timer_message> self(static_cast<timer_message*>(node));
        if (self->last)
            self->timer->finished();
        if (!handle)
        {
            message_node* m = self->inner.release();
            m->run(m, a, false); // frees it, as a dead letter when the actor's mailbox is dropped
            return run_result::skipped;
        }
        if (!self->timer->tick_allowed())
            return run_result::skipped;
        message_node* m = self->inner.release();
        return m->run(m, a, true);
    }

    timer_ptr timer;
    std::unique_ptr<message<M>> inner;
    bool last;
};

/// A timer sending copies (periodic) or the one value (one-shot) of `M`.
template <class M>
class timer_state_impl final : public timer_state
{
public:
    template <class Arg>
    timer_state_impl(actor_ptr target, message_node::run_fn fn, std::chrono::steady_clock::duration interval,
                     Arg&& value)
        : timer_state(std::move(target), fn, interval), value_(std::forward<Arg>(value))
    {}

private:
    message_node* make_message(bool last) override
    {
        std::unique_ptr<message<M>> m;
        // Only the periodic branch copies: a one-shot timer takes move-only messages, as send does
        // (send_every rejects a message type that cannot be copied).
        if constexpr (std::is_copy_constructible_v<M>)
            m.reset(last ? new message<M>(fn_, std::move(value_)) : new message<M>(fn_, value_));
        else
            m.reset(new message<M>(fn_, std::move(value_)));
        return new timer_message<M>(timer_ptr(this), std::move(m), last);
    }

    M value_;
};

} // namespace zctor::detail

#endif
