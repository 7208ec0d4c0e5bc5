//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_ASK_OP_HPP
#define ZCTOR_DETAIL_ASK_OP_HPP

#include <zctor/detail/actor_base.hpp>
#include <zctor/detail/message_pool.hpp>
#include <zctor/detail/op_canceller.hpp>
#include <zctor/detail/reply_slot.hpp>
#include <zctor/detail/this_thread.hpp>
#include <zctor/error.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/system_executor.hpp>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

namespace zctor::detail {

/// One ask in flight: the asker's completion handler and the timeout, completed once through
/// reply_slot::complete by the reply, a failure, the timer, cancellation or a dropped request.
///
/// Where things run: the timer is armed and cancelled on the asking actor's strand, or on a strand
/// of the system executor when asked from outside any actor; the wait of an asking actor's timer
/// completes on its worker's executor, off the strand, since all it does is complete() (any
/// thread). The handler runs on its associated executor, which defaults to the asking actor's
/// strand, or to the completing thread when asked from outside any actor. A handler that would
/// run on the asker's strand is destroyed uncalled once the asker has stopped.
///
/// The common case is kept cheap (it is paid per ask): a handler without an executor of its own,
/// asked from an actor, is completed through the asker's strand itself, not through a type-erased
/// any_io_executor; the timer is typed; its wait, cancelled or not, completes without a hop
/// through the strand; and the timer is cancelled inline on the asker's strand after the handler,
/// instead of by a post from the thread that completed the ask.
template <class R, class Handler>
class ask_op final : public reply_slot<R>
{
    struct no_executor
    {};

public:
    /// Whether the handler brings its own executor (bind_executor, use_awaitable, use_future);
    /// without one it runs where the asker runs.
    static constexpr bool own_executor =
        !std::is_same_v<boost::asio::associated_executor_t<Handler, no_executor>, no_executor>;

    // A forwarding reference: the token may be an lvalue (a named callback), which is copied.
    // `asker` is the actor asking (null from outside any actor), `target` the one asked (null
    // when none was found).
    template <class H>
    ask_op(H&& handler, actor_base* asker, const actor_ptr& target)
        : reply_slot<R>(target ? target->replies_discarded_counter() : nullptr),
          handler_(std::forward<H>(handler)), asker_(asker)
    {
        // The asker, when there is one, keeps the engine (and the counter) alive.
        if (asker == nullptr && target)
            engine_ = target->core_ptr();
        if constexpr (own_executor)
            work_.emplace(boost::asio::prefer(boost::asio::get_associated_executor(handler_),
                                              boost::asio::execution::outstanding_work.tracked));
        else if (asker != nullptr)
            work_.emplace(boost::asio::prefer(asker->strand().get_inner_executor(),
                                              boost::asio::execution::outstanding_work.tracked));
    }

    // Pooled, as messages are: allocated by the asker's thread, often freed by the replier's.
    static void* operator new(std::size_t n) { return message_pool::allocate(n); }
    static void operator delete(void* p, std::size_t n) noexcept { message_pool::deallocate(p, n); }
    static void* operator new(std::size_t n, std::align_val_t a) { return ::operator new(n, a); }
    static void operator delete(void* p, std::size_t, std::align_val_t a) noexcept
    {
        ::operator delete(p, a);
    }

    /// Caller's thread, before the request is pushed: connects the handler's cancellation slot
    /// and, with a timeout, arms the timer (inline when on the asker's strand).
    void prepare(std::chrono::steady_clock::duration timeout)
    {
        auto slot = boost::asio::get_associated_cancellation_slot(handler_);
        if (slot.is_connected())
        {
            this->add_ref();
            slot.template emplace<canceller>(this);
        }
        if (timeout == no_timeout)
            return;
        if (asker_)
        {
            arm(timer_.template emplace<actor_timer>(asker_->strand().get_inner_executor()), timeout);
        }
        else
        {
            // Not on the target's strand (nor its worker): a handler running there would hold
            // the timeout back until it returns, which is what a timeout guards against.
            auto& timer = timer_.template emplace<outside_timer>(
                boost::asio::make_strand(boost::asio::system_executor()));
            this->add_ref();
            boost::asio::post(timer.get_executor(), [self = ref(this), timeout] {
                self->arm(std::get<outside_timer>(self->timer_), timeout);
            });
        }
    }

    /// Caller's thread, after the request was pushed (or could not be): `ec` is the push's error.
    /// A completion that came during the initiation is delivered from here, posted: never inline,
    /// as Asio requires.
    void end_initiation(const boost::system::error_code& ec) noexcept
    {
        if (ec)
            this->complete(ec, nullptr); // a broken_promise from the dropped request may win...
        int expected = initiating;
        if (phase_.compare_exchange_strong(expected, initiated, std::memory_order_acq_rel))
            return; // not completed yet: whoever completes delivers
        if (ec)
            ec_ = ec; // ...but the push's error says more
        try
        {
            this->add_ref();
            auto f = [self = ref(this)] { self->invoke(); };
            if constexpr (own_executor)
                boost::asio::post(*work_, std::move(f));
            else if (asker_)
                boost::asio::post(asker_->strand(), std::move(f));
            else
                boost::asio::post(boost::asio::system_executor(), std::move(f));
            if (!cancels_in_invoke())
                cancel_timer();
        }
        catch (...)
        {
            // Out of memory: the handler is destroyed uncalled (see on_complete).
        }
    }

private:
    // Decayed: prefer() returns its argument by reference when the executor ignores the
    // property (use_future's executor does), which made this a reference to a temporary.
    template <class Executor>
    using tracked_t = std::decay_t<decltype(boost::asio::prefer(
        std::declval<const Executor&>(), boost::asio::execution::outstanding_work.tracked))>;
    using work_type = std::conditional_t<own_executor, tracked_t<boost::asio::associated_executor_t<Handler>>,
                                         tracked_t<actor_base::strand_type::inner_executor_type>>;

    // An asking actor's timer: on its worker's executor, not its strand (see arm).
    using actor_timer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                          boost::asio::wait_traits<std::chrono::steady_clock>,
                                                          actor_base::strand_type::inner_executor_type>;
    // The timer of an ask from outside any actor.
    using outside_timer =
        boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                          boost::asio::wait_traits<std::chrono::steady_clock>,
                                          boost::asio::strand<boost::asio::system_executor>>;

    struct releaser
    {
        void operator()(ask_op* p) const noexcept { p->release(); }
    };
    using ref = std::unique_ptr<ask_op, releaser>; // adopts a reference taken with add_ref

    friend struct op_canceller<ask_op>;
    using canceller = op_canceller<ask_op>;

    // Any thread (the canceller).
    void cancelled() { this->complete(boost::asio::error::operation_aborted, nullptr); }

    // Whether invoke() cancels the timer: the handler has no executor of its own and was asked
    // from an actor, so that it runs on the asker's strand, the timer's home.
    bool cancels_in_invoke() const noexcept
    {
        if constexpr (own_executor)
            return false;
        else
            return static_cast<bool>(asker_);
    }

    // Cancels an asking actor's timer when it goes out of scope, on the asker's strand.
    struct timer_canceller
    {
        actor_timer* timer;
        explicit timer_canceller(actor_timer* t) noexcept : timer(t) {}
        timer_canceller(const timer_canceller&) = delete;
        ~timer_canceller()
        {
            if (timer == nullptr)
                return;
            try
            {
                timer->cancel();
            }
            catch (...)
            {
                // Not cancelled: it fires at its deadline, finds the ask done and lets the op go.
            }
        }
    };

    // Ends the outstanding work when the handler is done, not when the op goes (a promise, or a
    // timer's wait, may hold it longer).
    struct work_releaser
    {
        std::optional<work_type>& work;
        explicit work_releaser(std::optional<work_type>& w) noexcept : work(w) {}
        work_releaser(const work_releaser&) = delete;
        ~work_releaser() { work.reset(); }
    };

    // The timer's home strand. An asking actor's wait completes on its worker's executor, outside
    // the strand: it touches nothing but complete(), which any thread may call, so that a
    // cancelled wait (one per ask answered in time) costs no strand hand-off.
    template <class Timer>
    void arm(Timer& timer, std::chrono::steady_clock::duration timeout)
    {
        if (this->done())
            return;
        timer.expires_after(timeout);
        this->add_ref();
        timer.async_wait([self = ref(this)](const boost::system::error_code& ec) {
            if (!ec)
                self->complete(error::timed_out, nullptr);
        });
    }

    // Any thread: cancels the timer on its home strand.
    void cancel_timer()
    {
        if (std::holds_alternative<actor_timer>(timer_))
        {
            this->add_ref();
            boost::asio::post(asker_->strand(),
                              [self = ref(this)] { std::get<actor_timer>(self->timer_).cancel(); });
        }
        else if (auto* timer = std::get_if<outside_timer>(&timer_))
        {
            this->add_ref();
            boost::asio::post(timer->get_executor(),
                              [self = ref(this)] { std::get<outside_timer>(self->timer_).cancel(); });
        }
    }

    void on_complete(const boost::system::error_code& ec, R* value) noexcept override
    {
        ec_ = ec;
        try
        {
            if (value != nullptr)
                value_.emplace(std::move(*value));
        }
        catch (...)
        {
            ec_ = error::out_of_memory;
        }
        int expected = initiating;
        if (phase_.compare_exchange_strong(expected, completed_early, std::memory_order_acq_rel))
            return; // end_initiation() delivers
        try
        {
            this->add_ref();
            auto f = [self = ref(this)] { self->invoke(); };
            if constexpr (own_executor)
            {
                boost::asio::dispatch(*work_, std::move(f));
                cancel_timer();
            }
            else if (asker_)
            {
                boost::asio::dispatch(asker_->strand(), std::move(f)); // invoke() cancels the timer
                asker_->nudge_worker(); // from another thread: a spinning pump lets it run now
            }
            else
            {
                // Asked from outside any actor, no executor: what the system executor's dispatch
                // does, run it here, on the completing thread (the timer first: a handler that
                // throws does not leave it armed).
                cancel_timer();
                f();
            }
        }
        catch (...)
        {
            // Out of memory for the hand-off: the handler is destroyed with the op, uncalled,
            // which a future reports as a broken promise and a coroutine as its destruction.
        }
    }

    // Handler's executor.
    void invoke()
    {
        // On the asker's strand the completion is the asker's own code: an ask it starts is an ask
        // from that actor (completing on its strand), and a blocking ask there would deadlock.
        const bool on_asker = asker_ && asker_->strand().running_in_this_thread();
        const current_actor_scope running(on_asker ? asker_.get() : current_actor);
        if (on_asker)
            asker_->keep_worker_pumping(); // the next reply finds the worker awake
        // Cancelled here, on the asker's strand (cancels_in_invoke: this handler runs there), but
        // after the handler, called or not: an ask the handler chains then arms its timer while
        // this one is still queued, so the new timer is not the reactor's earliest and costs no
        // timerfd_settime system call.
        const timer_canceller cancel_after{cancels_in_invoke() ? std::get_if<actor_timer>(&timer_) : nullptr};
        boost::asio::get_associated_cancellation_slot(handler_).clear();
        const work_releaser work{work_};
        auto handler = std::move(handler_);
        if constexpr (!own_executor)
        {
            // The asker has stopped: its behaviour and state, which the handler may use (a class
            // actor's `this`), are destroyed, and an actor's code never runs after it stops. The
            // handler is destroyed uncalled, as when an execution context shuts down.
            if (on_asker && asker_->stopped())
                return;
        }
        if (value_)
            std::move(handler)(ec_, std::move(*value_));
        else
            std::move(handler)(ec_, R{});
    }

    void destroy() noexcept override { delete this; }

    static constexpr int initiating = 0;
    static constexpr int initiated = 1;
    static constexpr int completed_early = 2;

    Handler handler_;
    // Outstanding work where the handler runs: its own executor, else the asker's worker (the
    // handler then runs on the asker's strand, reached through asker_, so that no copy of the
    // strand is made); empty for a handler without one asked from outside any actor.
    std::optional<work_type> work_;
    // Kept alive as long as the operation, which may outlive the engine (a promise kept
    // elsewhere): the asker for its strand, and the engine for the replies_discarded counter and
    // the io_contexts under the timer and the strand (the asker holds it, when there is one).
    // Not the target: the request, queued in the target's mailbox, holds this operation, and
    // the target would then hold itself.
    actor_ptr asker_;
    std::shared_ptr<engine_core> engine_;
    std::variant<std::monostate, actor_timer, outside_timer> timer_;
    boost::system::error_code ec_;
    std::optional<R> value_;
    std::atomic<int> phase_{initiating};
};

/// The initiation of an ask, for async_initiate. `Target` resolves the actor
/// (`error_code resolve(actor_ptr&)`) and queues the request with its reply going to a slot
/// (`error_code push(actor_base&, reply_slot<R>*)`).
template <class R>
struct initiate_ask
{
    template <class Handler, class Target>
    void operator()(Handler&& handler, Target target, std::chrono::steady_clock::duration timeout) const
    {
        static_assert(std::is_default_constructible_v<R>,
                      "zctor: an ask's reply_type must be default-constructible (it is passed, "
                      "default-constructed, with an error)");
        using op_type = ask_op<R, std::decay_t<Handler>>;
        actor_base* asker = current_actor;
        actor_ptr to;
        boost::system::error_code pre = target.resolve(to);
        auto* op = new op_type(std::forward<Handler>(handler), asker, to);
        std::unique_ptr<op_type, void (*)(op_type*)> hold(op, [](op_type* p) { p->release(); });
        if (!pre && to->in_coroutine() && to->strand().running_in_this_thread())
            pre = error::would_deadlock; // a sequential coroutine waiting for its own mailbox
        if (pre)
        {
            op->complete(pre, nullptr);
            op->end_initiation({});
            return;
        }
        op->prepare(timeout);
        op->end_initiation(target.push(*to, static_cast<reply_slot<R>*>(op)));
    }
};

/// An ask through an actor_ref: the actor and how it runs `M`.
template <class M>
struct ask_target
{
    actor_ptr actor;
    message_node::run_fn fn;
    M request;

    boost::system::error_code resolve(actor_ptr& out)
    {
        if (!actor)
            return error::actor_not_found;
        out = std::move(actor);
        return {};
    }
    boost::system::error_code push(actor_base& a, reply_slot<reply_type_t<M>>* slot)
    {
        return a.template push_value<M>(fn, std::move(request), slot);
    }
};

/// Where a blocking ask waits: for the first completion, or for the handler's destruction
/// uncalled (the engine's io_contexts were shut down under it).
template <class R>
class sync_ask_state
{
public:
    void set(const boost::system::error_code& ec, R* value)
    {
        std::lock_guard lock(mutex_);
        if (done_)
            return;
        done_ = true;
        ec_ = ec;
        if (value != nullptr)
            value_.emplace(std::move(*value));
        cv_.notify_all();
    }

    R wait(boost::system::error_code& ec)
    {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return done_; });
        ec = ec_;
        if (ec || !value_)
            return R{};
        return std::move(*value_);
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    boost::system::error_code ec_;
    std::optional<R> value_;
};

template <class R>
struct sync_ask_handler
{
    std::shared_ptr<sync_ask_state<R>> state;

    explicit sync_ask_handler(std::shared_ptr<sync_ask_state<R>> s) noexcept : state(std::move(s)) {}
    sync_ask_handler(sync_ask_handler&&) noexcept = default;
    sync_ask_handler& operator=(sync_ask_handler&&) = delete;
    ~sync_ask_handler()
    {
        if (state)
            state->set(error::engine_stopped, nullptr);
    }

    void operator()(const boost::system::error_code& ec, R value)
    {
        auto s = std::move(state);
        s->set(ec, &value);
    }
};

/// Blocks the calling thread until `start(handler)`'s ask completes. Refused on an engine thread,
/// where waiting could keep the reply from ever being handled.
template <class R, class Start>
R sync_ask(Start&& start, boost::system::error_code& ec)
{
    ec = {};
    if (on_engine_thread())
    {
        ec = error::would_deadlock;
        return R{};
    }
    auto state = std::make_shared<sync_ask_state<R>>();
    std::forward<Start>(start)(sync_ask_handler<R>(state));
    return state->wait(ec);
}

} // namespace zctor::detail

#endif
