//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_ONESHOT_CORE_HPP
#define ZCTOR_DETAIL_ONESHOT_CORE_HPP

#include <zctor/detail/actor_base.hpp>
#include <zctor/detail/this_thread.hpp>
#include <zctor/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

namespace zctor::detail {

/// A pending async_receive, type-erased so that the core keeps one FIFO of them whatever their
/// handlers. complete() and destroy() free the waiter; exactly one of them is called, once.
template <class T>
class oneshot_waiter
{
public:
    oneshot_waiter(const oneshot_waiter&) = delete;
    oneshot_waiter& operator=(const oneshot_waiter&) = delete;

    /// Posts the handler to its executor with `ec` and `*value` (moved from), or `T{}` when `value`
    /// is null. Throws only what posting throws (std::bad_alloc); the waiter is freed either way.
    void complete(boost::system::error_code ec, T* value) { complete_(this, ec, value); }

    /// Frees the waiter without calling its handler (initiation failed half-way).
    void destroy() noexcept { destroy_(this); }

    std::uint64_t id = 0;
    oneshot_waiter* next = nullptr;

protected:
    using complete_fn = void (*)(oneshot_waiter*, boost::system::error_code, T*);
    using destroy_fn = void (*)(oneshot_waiter*) noexcept;

    oneshot_waiter(complete_fn c, destroy_fn d) noexcept : complete_(c), destroy_(d) {}
    ~oneshot_waiter() = default;

private:
    complete_fn complete_;
    destroy_fn destroy_;
};

/// What is posted to the handler's executor: the handler and its arguments. Clearing the
/// cancellation slot here, on the handler's executor, keeps it serialised with emit(), which Asio
/// requires to run there too; clearing it from send()'s thread could destroy the cancellation
/// handler while emit() is calling it.
template <class Handler, class T>
struct oneshot_completion
{
    oneshot_completion(Handler&& h, boost::system::error_code ec, T&& value, bool clear_slot)
        : handler_(std::move(h)), ec_(ec), value_(std::move(value)), clear_slot_(clear_slot)
    {}

    Handler handler_;
    boost::system::error_code ec_;
    T value_;
    bool clear_slot_;

    void operator()()
    {
        if (clear_slot_)
            boost::asio::get_associated_cancellation_slot(handler_).clear();
        std::move(handler_)(ec_, std::move(value_));
    }
};

template <class T>
class oneshot_core;

/// Installed in the handler's cancellation slot. Holds the core weakly: a bare channel may be
/// destroyed while its slot still holds this, and the slot is only cleared on completion.
template <class T>
struct oneshot_cancellation
{
    oneshot_cancellation(std::weak_ptr<oneshot_core<T>> c, std::uint64_t i) noexcept
        : core(std::move(c)), id(i)
    {}

    std::weak_ptr<oneshot_core<T>> core;
    std::uint64_t id;

    void operator()(boost::asio::cancellation_type_t type) const
    {
        // Nothing is consumed before completion, so every kind of cancellation is honoured.
        using ct = boost::asio::cancellation_type;
        if ((type & (ct::terminal | ct::partial | ct::total)) == ct::none)
            return;
        if (auto c = core.lock())
            c->cancel_one(id);
    }
};

/// One pending async_receive: the handler, allocated with its associated allocator, and the
/// outstanding work that keeps its executor's context running while it waits. Started from an
/// actor's handler, it also holds that actor, whose engine core owns the io_context behind the
/// fallback strand: a completion after the engine is gone then lands in a live (shut down)
/// io_context, which destroys it, instead of in freed memory.
template <class T, class Handler>
class oneshot_receive_op final : public oneshot_waiter<T>
{
public:
    using handler_executor = boost::asio::associated_executor_t<Handler, boost::asio::any_io_executor>;
    using work_executor = std::decay_t<decltype(boost::asio::prefer(
        std::declval<const handler_executor&>(), boost::asio::execution::outstanding_work.tracked))>;
    using allocator_type = typename std::allocator_traits<
        boost::asio::associated_allocator_t<Handler>>::template rebind_alloc<oneshot_receive_op>;

    /// `actor`: the actor whose handler starts the operation, or null.
    static oneshot_receive_op* create(Handler&& handler, actor_ptr actor)
    {
        allocator_type alloc(boost::asio::get_associated_allocator(handler));
        oneshot_receive_op* p = std::allocator_traits<allocator_type>::allocate(alloc, 1);
        try
        {
            return ::new (static_cast<void*>(p)) oneshot_receive_op(std::move(handler), std::move(actor));
        }
        catch (...)
        {
            std::allocator_traits<allocator_type>::deallocate(alloc, p, 1);
            throw;
        }
    }

    Handler& handler() noexcept { return handler_; }

    bool slot_installed = false;

private:
    oneshot_receive_op(Handler&& handler, actor_ptr actor)
        : oneshot_waiter<T>(&do_complete, &do_destroy), actor_(std::move(actor)),
          work_(boost::asio::prefer(boost::asio::get_associated_executor(handler, fallback(actor_)),
                                    boost::asio::execution::outstanding_work.tracked)),
          handler_(std::move(handler))
    {}

    // For a handler without an executor of its own: where a callback would be expected, on the
    // calling actor's strand (never concurrently with its message handlers), else the system
    // executor.
    static boost::asio::any_io_executor fallback(const actor_ptr& actor)
    {
        if (actor)
            return boost::asio::any_io_executor(actor->strand());
        return boost::asio::any_io_executor(boost::asio::system_executor());
    }

    // Frees an op; a holder so that the memory is returned even when moving the value throws.
    struct freer
    {
        // The allocator is copied before anything is moved out of the handler that provides it.
        explicit freer(oneshot_receive_op* o) noexcept
            : op(o), alloc(boost::asio::get_associated_allocator(o->handler_))
        {}
        freer(const freer&) = delete;
        freer& operator=(const freer&) = delete;
        ~freer()
        {
            op->~oneshot_receive_op();
            std::allocator_traits<allocator_type>::deallocate(alloc, op, 1);
        }

        oneshot_receive_op* op;
        allocator_type alloc;
    };

    static void do_complete(oneshot_waiter<T>* base, boost::system::error_code ec, T* value)
    {
        auto* self = static_cast<oneshot_receive_op*>(base);
        // Declared first, released last: it keeps the executor's io_context alive for the post.
        actor_ptr actor;
        std::optional<oneshot_completion<Handler, T>> c;
        std::optional<work_executor> work;
        {
            // The memory goes back before the handler is posted (as Asio's own operations do), so
            // a handler allocator with a single slot can serve the next operation.
            freer f(self);
            actor = std::move(self->actor_);
            work.emplace(std::move(self->work_));
            if (value != nullptr)
                c.emplace(std::move(self->handler_), ec, std::move(*value), self->slot_installed);
            else
                c.emplace(std::move(self->handler_), ec, T{}, self->slot_installed);
        }
        // post, never dispatch: the handler must not run inside send(), close() or the initiating
        // call. The work executor keeps the handler's context busy until the post has queued.
        boost::asio::post(*work, std::move(*c));
    }

    static void do_destroy(oneshot_waiter<T>* base) noexcept
    {
        freer f(static_cast<oneshot_receive_op*>(base));
    }

    actor_ptr actor_; // first: destroyed after the work executor that may refer to its io_context
    work_executor work_;
    Handler handler_;
};

/// Where a receive_for(d) gives up, or nullopt when `d` is too long to represent (waits forever).
template <class Rep, class Period>
std::optional<std::chrono::steady_clock::time_point> oneshot_deadline(std::chrono::duration<Rep, Period> d)
{
    using clock = std::chrono::steady_clock;
    const auto now = clock::now();
    if (d <= d.zero())
        return now;
    // Compared in floating point: converting hours::max() to clock ticks would overflow.
    using fp_ns = std::chrono::duration<long double, std::nano>;
    if (fp_ns(d) >= fp_ns(clock::time_point::max() - now))
        return std::nullopt;
    return now + std::chrono::ceil<clock::duration>(d);
}

/// The shared state of a one-shot channel: the value, its life cycle and who waits for it.
/// Owned by shared_ptr (the channel, or the sender and receiver handles) so that a cancellation
/// handler can reach it weakly. Every member function may be called from any thread.
template <class T>
class oneshot_core : public std::enable_shared_from_this<oneshot_core<T>>
{
    static_assert(std::is_object_v<T> && !std::is_array_v<T> && std::is_move_constructible_v<T>,
                  "zctor::oneshot_channel<T>: T must be a move-constructible object type");

public:
    enum class state : unsigned char
    {
        empty,    // nothing sent, not closed
        ready,    // a value waits to be received
        consumed, // the value was received
        closed,   // the sender gave up without sending
    };

    oneshot_core() = default;
    oneshot_core(const oneshot_core&) = delete;
    oneshot_core& operator=(const oneshot_core&) = delete;
    ~oneshot_core() = default; // waiters were completed by abandon(): the owners call it first

    bool send(T&& value)
    {
        oneshot_waiter<T>* first = nullptr;
        {
            std::lock_guard lock(mutex_);
            if (state_ != state::empty || receiver_gone_)
                return false;
            if (head_ == nullptr)
            {
                value_.emplace(std::move(value));
                state_ = state::ready;
                // Under the lock: a woken receiver may return and destroy the channel at once.
                cv_.notify_all();
                return true;
            }
            // The first registered async receive takes the value directly; it was never "ready".
            first = take_waiters();
            state_ = state::consumed;
            cv_.notify_all(); // blocking receivers: already_received
        }
        // Completed outside the lock: posting may take the executor's own locks.
        struct rest_guard
        {
            oneshot_waiter<T>* rest;
            ~rest_guard() { complete_all(rest, error::already_received); }
        } rest{std::exchange(first->next, nullptr)};
        first->complete({}, &value);
        return true;
    }

    void close() noexcept
    {
        oneshot_waiter<T>* waiters = nullptr;
        {
            std::lock_guard lock(mutex_);
            if (state_ != state::empty)
                return;
            state_ = state::closed;
            waiters = take_waiters();
            cv_.notify_all();
        }
        complete_all(waiters, error::broken_promise);
    }

    /// Blocks until settled or `deadline` (none: forever). Never blocks an engine thread.
    std::optional<T> receive(const std::chrono::steady_clock::time_point* deadline,
                             boost::system::error_code& ec)
    {
        std::unique_lock lock(mutex_);
        if (state_ == state::empty)
        {
            if (on_engine_thread())
            {
                ec = error::would_deadlock;
                return std::nullopt;
            }
            auto settled = [this] { return state_ != state::empty; };
            if (deadline == nullptr)
                cv_.wait(lock, settled);
            else if (!cv_.wait_until(lock, *deadline, settled))
            {
                ec = error::timed_out;
                return std::nullopt;
            }
        }
        return take(ec);
    }

    std::optional<T> try_receive()
    {
        std::lock_guard lock(mutex_);
        boost::system::error_code ec;
        return state_ == state::ready ? take(ec) : std::nullopt;
    }

    state current() const
    {
        std::lock_guard lock(mutex_);
        return state_;
    }

    /// Pending async receives complete with operation_aborted; the value, if any, stays.
    void cancel() noexcept
    {
        oneshot_waiter<T>* waiters = nullptr;
        {
            std::lock_guard lock(mutex_);
            waiters = take_waiters();
        }
        complete_all(waiters, boost::asio::error::operation_aborted);
    }

    /// The receiving side is gone (receiver handle or bare channel destroyed): sends fail, pending
    /// and later async receives (a deferred one launched late) complete with operation_aborted.
    void abandon() noexcept
    {
        oneshot_waiter<T>* waiters = nullptr;
        {
            std::lock_guard lock(mutex_);
            receiver_gone_ = true;
            waiters = take_waiters();
        }
        complete_all(waiters, boost::asio::error::operation_aborted);
    }

    /// From a cancellation slot: aborts that one receive if it is still waiting.
    void cancel_one(std::uint64_t id) noexcept
    {
        oneshot_waiter<T>* found = nullptr;
        {
            std::lock_guard lock(mutex_);
            oneshot_waiter<T>* prev = nullptr;
            for (auto* w = head_; w != nullptr; prev = w, w = w->next)
            {
                if (w->id != id)
                    continue;
                (prev == nullptr ? head_ : prev->next) = w->next;
                if (tail_ == w)
                    tail_ = prev;
                w->next = nullptr;
                found = w;
                break;
            }
        }
        complete_all(found, boost::asio::error::operation_aborted);
    }

    /// The initiation of async_receive.
    template <class Handler>
    void start_receive(Handler&& handler)
    {
        using op_type = oneshot_receive_op<T, std::decay_t<Handler>>;
        std::decay_t<Handler> h(std::forward<Handler>(handler));
        op_type* op = op_type::create(std::move(h), actor_ptr(current_actor));

        std::unique_lock lock(mutex_);
        if (state_ == state::empty && !receiver_gone_)
        {
            // Installed before the op becomes visible, so the completion's clear() comes after.
            auto slot = boost::asio::get_associated_cancellation_slot(op->handler());
            op->id = ++next_id_;
            if (slot.is_connected())
            {
                try
                {
                    slot.template emplace<oneshot_cancellation<T>>(this->weak_from_this(), op->id);
                }
                catch (...)
                {
                    lock.unlock();
                    op->destroy();
                    throw;
                }
                op->slot_installed = true;
            }
            (tail_ == nullptr ? head_ : tail_->next) = op;
            tail_ = op;
            return;
        }
        boost::system::error_code ec;
        std::optional<T> value = take(ec);
        lock.unlock();
        op->complete(ec, value ? &*value : nullptr);
    }

private:
    // Under the lock: the receive's outcome once the channel has settled, or the receiving side
    // is gone.
    std::optional<T> take(boost::system::error_code& ec)
    {
        switch (state_)
        {
        case state::ready:
        {
            std::optional<T> v(std::in_place, std::move(*value_));
            value_.reset();
            state_ = state::consumed;
            ec = {};
            return v;
        }
        case state::consumed: ec = error::already_received; break;
        case state::closed: ec = error::broken_promise; break;
        case state::empty: ec = boost::asio::error::operation_aborted; break; // receiver_gone_
        }
        return std::nullopt;
    }

    // Under the lock: detaches the whole FIFO.
    oneshot_waiter<T>* take_waiters() noexcept
    {
        tail_ = nullptr;
        return std::exchange(head_, nullptr);
    }

    // Outside the lock. Noexcept: a failure to post a completion here (out of memory) terminates,
    // as a waiter that can never complete would hang its owner instead.
    static void complete_all(oneshot_waiter<T>* w, boost::system::error_code ec) noexcept
    {
        while (w != nullptr)
        {
            auto* next = std::exchange(w->next, nullptr);
            w->complete(ec, nullptr);
            w = next;
        }
    }

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    state state_ = state::empty;
    bool receiver_gone_ = false;
    std::optional<T> value_;
    oneshot_waiter<T>* head_ = nullptr; // pending async receives, first registered first
    oneshot_waiter<T>* tail_ = nullptr;
    std::uint64_t next_id_ = 0;
};

/// The initiation object of async_receive. Holds the core, so that a deferred operation launched
/// after its channel is gone completes (with operation_aborted) instead of touching freed memory.
template <class T>
struct oneshot_initiate_receive
{
    std::shared_ptr<oneshot_core<T>> core;

    template <class Handler>
    void operator()(Handler&& handler) const
    {
        core->start_receive(std::forward<Handler>(handler));
    }
};

} // namespace zctor::detail

/// A completion carries its handler's associated executor, allocator and cancellation slot, as
/// Asio's own append_handler does.
template <template <class, class> class Associator, class Handler, class T, class DefaultCandidate>
struct boost::asio::associator<Associator, zctor::detail::oneshot_completion<Handler, T>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate>
{
    static typename Associator<Handler, DefaultCandidate>::type
    get(const zctor::detail::oneshot_completion<Handler, T>& h) noexcept
    {
        return Associator<Handler, DefaultCandidate>::get(h.handler_);
    }

    static auto get(const zctor::detail::oneshot_completion<Handler, T>& h,
                    const DefaultCandidate& c) noexcept
        -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler_, c))
    {
        return Associator<Handler, DefaultCandidate>::get(h.handler_, c);
    }
};

#endif
