//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_SEND_OP_HPP
#define ZCTOR_DETAIL_SEND_OP_HPP

#include <zctor/detail/actor_base.hpp>
#include <zctor/detail/op_canceller.hpp>
#include <zctor/detail/this_thread.hpp>
#include <zctor/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/system_executor.hpp>

#include <atomic>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace zctor::detail {

/// One async_send: completes once its message is accepted into the target's mailbox (at once
/// when there is room, or when the consumer makes room), or fails.
///
/// The handler runs on its associated executor; without one, on the sending actor's strand when
/// sent from a handler, or on the thread that completes the send otherwise. Never inside the
/// initiating call.
template <class Handler>
class send_op final : public send_waiter
{
public:
    using fallback_type = boost::asio::any_io_executor;
    using handler_executor = boost::asio::associated_executor_t<Handler, fallback_type>;

    template <class H>
    send_op(H&& handler, actor_base* sender, actor_ptr target)
        : handler_(std::forward<H>(handler)),
          fallback_(sender != nullptr ? fallback_type(sender->strand())
                                      : fallback_type(boost::asio::system_executor())),
          work_(boost::asio::prefer(boost::asio::get_associated_executor(handler_, fallback_),
                                    boost::asio::execution::outstanding_work.tracked)),
          sender_(sender), target_(std::move(target))
    {}

    void add_ref() noexcept override { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept override
    {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete this;
    }

    /// Caller's thread, before the message may park: connects the handler's cancellation slot.
    void prepare()
    {
        auto slot = boost::asio::get_associated_cancellation_slot(handler_);
        if (slot.is_connected())
        {
            add_ref();
            slot.template emplace<canceller>(this);
        }
    }

    void complete(const boost::system::error_code& ec) noexcept override
    {
        ec_ = ec;
        int expected = initiating;
        if (phase_.compare_exchange_strong(expected, completed_early, std::memory_order_acq_rel))
            return; // end_initiation() delivers
        try
        {
            add_ref();
            boost::asio::dispatch(boost::asio::get_associated_executor(handler_, fallback_),
                                  [self = ref(this)] { self->invoke(); });
        }
        catch (...)
        {
            // Out of memory for the hand-off: the handler is destroyed uncalled with the op.
        }
    }

    /// Caller's thread, at the end of the initiation: a completion that came during it is
    /// delivered from here, posted, never inline (as Asio requires).
    void end_initiation() noexcept
    {
        int expected = initiating;
        if (phase_.compare_exchange_strong(expected, initiated, std::memory_order_acq_rel))
            return; // whoever completes delivers
        try
        {
            add_ref();
            boost::asio::post(boost::asio::get_associated_executor(handler_, fallback_),
                              [self = ref(this)] { self->invoke(); });
        }
        catch (...)
        {}
    }

private:
    struct releaser
    {
        void operator()(send_op* p) const noexcept { p->release(); }
    };
    using ref = std::unique_ptr<send_op, releaser>; // adopts a reference taken with add_ref

    friend struct op_canceller<send_op>;
    using canceller = op_canceller<send_op>;

    // Any thread (the canceller): a waiting send has had no effect yet, so any kind of
    // cancellation withdraws it.
    void cancelled() { target_->cancel_waiter(*this); }

    // Handler's executor.
    void invoke()
    {
        const bool on_sender = sender_ && sender_->strand().running_in_this_thread();
        const current_actor_scope running(on_sender ? sender_.get() : current_actor);
        boost::asio::get_associated_cancellation_slot(handler_).clear();
        auto work = std::move(work_);
        auto handler = std::move(handler_);
        if constexpr (runs_as_sender)
        {
            // The sending actor has stopped: its code never runs again (see ask_op::invoke).
            if (on_sender && sender_->stopped())
                return;
        }
        std::move(handler)(ec_);
    }

    struct no_executor
    {};
    static constexpr bool runs_as_sender =
        std::is_same_v<boost::asio::associated_executor_t<Handler, no_executor>, no_executor>;

    static constexpr int initiating = 0;
    static constexpr int initiated = 1;
    static constexpr int completed_early = 2;

    Handler handler_;
    fallback_type fallback_;
    std::decay_t<decltype(boost::asio::prefer(std::declval<handler_executor>(),
                                              boost::asio::execution::outstanding_work.tracked))>
        work_;
    actor_ptr sender_;
    actor_ptr target_;
    boost::system::error_code ec_;
    std::atomic<int> refs_{1};
    std::atomic<int> phase_{initiating};
};

/// The initiation of an async_send. `Target` resolves the actor
/// (`error_code resolve(actor_ptr&)`) and builds the message's node
/// (`error_code make_node(message_node*&)`).
struct initiate_send
{
    template <class Handler, class Target>
    void operator()(Handler&& handler, Target target) const
    {
        using op_type = send_op<std::decay_t<Handler>>;
        actor_ptr to;
        boost::system::error_code ec = target.resolve(to);
        auto* op = new op_type(std::forward<Handler>(handler), current_actor, to);
        std::unique_ptr<op_type, void (*)(op_type*)> hold(op, [](op_type* p) { p->release(); });
        message_node* node = nullptr;
        if (!ec)
            ec = target.make_node(node);
        if (!ec)
        {
            op->prepare();
            bool parked = false;
            ec = to->send_or_park(node, *op, parked);
            if (parked)
            {
                op->end_initiation();
                return;
            }
        }
        op->complete(ec);
        op->end_initiation();
    }
};

/// Builds the node of a message `M` run by `fn` from `value`.
template <class M, class Arg>
boost::system::error_code make_message_node(message_node::run_fn fn, Arg&& value, message_node*& out)
{
    if constexpr (is_variant<std::decay_t<Arg>>::value)
    {
        if (value.valueless_by_exception())
            return error::invalid_message;
    }
    try
    {
        out = new message<M>(fn, std::forward<Arg>(value));
    }
    catch (const std::bad_alloc&)
    {
        return error::out_of_memory;
    }
    return {};
}

/// An async_send through an actor_ref.
template <class M>
struct send_target
{
    actor_ptr actor;
    message_node::run_fn fn;
    M message;

    boost::system::error_code resolve(actor_ptr& out)
    {
        if (!actor)
            return error::actor_not_found;
        out = std::move(actor);
        return {};
    }
    boost::system::error_code make_node(message_node*& out)
    {
        return make_message_node<M>(fn, std::move(message), out);
    }
};

} // namespace zctor::detail

#endif
