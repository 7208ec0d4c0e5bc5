//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#include <zctor/detail/timer_state.hpp>
#include <zctor/engine.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/core/demangle.hpp>
#include <boost/version.hpp>

#include <algorithm>
#include <future>
#include <limits>
#include <thread>
#include <unordered_map>

#include "actor_extras.hpp"
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

// The pump's direct run of an activation on its strand (actor_base::run_on_strand) relies on the
// layout of asio::strand and its strand_executor_service, unchanged from Boost 1.74 to 1.81 (the
// version we test). Build with -DZCTOR_STRAND_FAST_PATH=0 to dispatch onto the strand instead.
#ifndef ZCTOR_STRAND_FAST_PATH
#if BOOST_VERSION >= 107400 && BOOST_VERSION < 109000
#define ZCTOR_STRAND_FAST_PATH 1
#else
#define ZCTOR_STRAND_FAST_PATH 0
#endif
#endif
#if ZCTOR_STRAND_FAST_PATH
#include <boost/asio/detail/call_stack.hpp>
#endif

namespace zctor {
namespace detail {

namespace {
thread_local const engine_core* current_worker_core = nullptr;
thread_local const void* current_worker = nullptr; // the engine_core::worker this thread runs

constexpr int as_int(engine_state s) noexcept { return static_cast<int>(s); }

std::int64_t steady_ns() noexcept
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
} // namespace

std::size_t own_worker_count(const engine_config& c) noexcept
{
    return c.thread_count != 0 ? c.thread_count
                               : std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

bool on_engine_thread() noexcept { return current_worker != nullptr || current_actor != nullptr; }

void throw_spawn_error(const boost::system::error_code& ec, const char* field, const char* what)
{
    if (field == nullptr)
        throw_error(ec, what);
    throw_error(ec, (std::string(what) + ": invalid actor_config::" + field).c_str());
}

const char* check_actor_config(const actor_config& c, const engine_config& e, std::size_t workers) noexcept
{
    if (c.mailbox_capacity && *c.mailbox_capacity > engine_config::max_mailbox_capacity)
        return "mailbox_capacity";
    const std::size_t capacity = c.mailbox_capacity.value_or(e.default_mailbox_capacity);
    if (c.overflow && (!valid_policy(*c.overflow) || capacity == 0))
        return "overflow"; // unknown, or for an unbounded mailbox, where it would never apply
    if (c.initial_queue_capacity > engine_config::max_mailbox_capacity ||
        (capacity != 0 && c.initial_queue_capacity > capacity))
        return "initial_queue_capacity";
    if (c.placement != placement::round_robin && c.placement != placement::local)
        return "placement";
    if (c.worker && *c.worker >= workers)
        return "worker";
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// actor_base

actor_base::actor_base(engine_core& core, std::uint32_t worker, std::uint64_t id)
    : core_(core), strand_(boost::asio::make_strand(core.worker_at(worker).ctx->get_executor())), id_(id),
      worker_(worker)
{}

actor_base::core_hold::core_hold(engine_core& c) noexcept : core(&c) { c.hold(); }

actor_base::core_hold::~core_hold() { core->release(); }

std::shared_ptr<engine_core> actor_base::core_ptr() const noexcept { return core_->shared_from_this(); }

actor_base::~actor_base()
{
    // Nobody else holds a reference, so no producer is half-way through a push.
    drop_all();
}

struct actor_base::drain_op
{
    actor_ptr self;
    void operator()() { self->drain(); }
};

void actor_base::schedule(bool fifo) noexcept
{
    try
    {
        if (core_->owns_workers())
            core_->activate(*this, fifo); // the worker dispatches the drain onto the strand
        else
            boost::asio::post(strand_, drain_op{actor_ptr(this)});
    }
    catch (...)
    {
        // Out of memory for the handoff: leave the actor idle so the next send tries again.
        scheduled_.store(false, std::memory_order_seq_cst);
        core_->report(id_, error::out_of_memory, std::current_exception());
    }
}

namespace {
using metrics_clock = std::chrono::steady_clock;

std::uint64_t ns_between(metrics_clock::time_point a, metrics_clock::time_point b) noexcept
{
    const auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
    return d > 0 ? static_cast<std::uint64_t>(d) : 0;
}

// Strand only. The order of the stores is the one actor_metrics documents: processed, the
// histogram, the time, the maximum, failed (the snapshot reads them in reverse).
void record_handler(actor_metrics& m, std::uint64_t ns, bool failed) noexcept
{
    actor_metrics::bump(m.processed);
    actor_metrics::bump(m.latency[latency_bucket_of(ns)]);
    actor_metrics::bump(m.handler_ns, ns);
    if (ns > m.handler_max_ns.load(std::memory_order_relaxed))
        m.handler_max_ns.store(ns, std::memory_order_release);
    if (failed)
        actor_metrics::bump(m.failed);
}
} // namespace

template <bool Bounded, bool Measured>
actor_base::drain_end actor_base::drain_batch(std::size_t batch, std::size_t& handled, std::size_t& failed)
{
    [[maybe_unused]] actor_metrics* m = nullptr;
    [[maybe_unused]] metrics_clock::time_point last;
    [[maybe_unused]] bounded_mailbox* b = nullptr;
    if constexpr (Bounded)
        b = extras_->bounded.get();
    if constexpr (Measured)
    {
        m = extras_->info->metrics.get();
        last = metrics_clock::now();
    }
    for (std::size_t ran = 0; ran < batch;)
    {
        if (stop_requested_.load(std::memory_order_relaxed) != 0)
            return drain_end::stop_requested;
        if (core_->dropping())
            return drain_end::dropping;
        message_node* n = mailbox_.pop();
        if (n == nullptr)
            return drain_end::empty;
        ++ran;
        if constexpr (Measured)
        {
            // The depth peaks just before a message is taken: sampling it here finds the peak.
            const std::uint64_t taken = m->taken.load(std::memory_order_relaxed);
            const std::uint64_t depth = m->received.load(std::memory_order_acquire) - taken;
            if (depth > m->peak_depth.load(std::memory_order_relaxed))
                m->peak_depth.store(depth, std::memory_order_release);
            m->taken.store(taken + 1, std::memory_order_release);
        }
        if constexpr (Bounded)
        {
            if (b->take())
            {
                // drop_oldest: a send found the mailbox full and left this drop owed; the message
                // taken now is the oldest queued, and is discarded instead of handled.
                n->run(n, *this, false);
                core_->count_dropped(1);
                if constexpr (Measured)
                    actor_metrics::bump(m->dropped);
                continue;
            }
            // Room for one more: a waiting async_send may have it.
            if (b->has_waiters.load(std::memory_order_seq_cst))
                admit_waiters();
        }
        const run_result r = n->run(n, *this, true);
        if constexpr (Measured)
        {
            // One clock read per message: a handler's time runs from the previous one's end, so
            // it includes taking its message from the mailbox (a few nanoseconds).
            const auto now = metrics_clock::now();
            if (r != run_result::skipped)
                record_handler(*m, ns_between(last, now), r == run_result::failed);
            last = now;
        }
        if (r != run_result::skipped)
            ++handled;
        if (r == run_result::failed)
        {
            ++failed;
            if (policy_ != failure_policy::resume) [[unlikely]]
                return drain_end::failed; // the caller counts it, then applies the policy
        }
        else if (r == run_result::suspended)
            return drain_end::suspended;
    }
    return drain_end::batch_done;
}

void actor_base::drain()
{
    if (status_.load(std::memory_order_relaxed) == actor_status::stopped)
    {
        // A stopped actor's mailbox stays "scheduled" for good: no further handoff is posted, and
        // whatever arrives late is freed (and counted) with the actor.
        drop_all();
        return;
    }
    switch (handle_queued())
    {
    case drain_end::stop_requested:
        // Stopped from elsewhere: the finalize posted to the strand carries the reason.
        if ((stop_requested_.load(std::memory_order_relaxed) & stop_posted) == 0)
            finalize(stop_reason{stop_kind::normal});
        return;
    case drain_end::stopped:   // by its failure policy, or its on_start failed
    case drain_end::failed:    // (handle_queued() applies the policy and never returns this)
    case drain_end::dropping:  // shutdown without drain: the coordinator's finalize drops the rest
    case drain_end::suspended: // the mailbox stays "scheduled" (no handoff) until end_coroutine()
        return;
    case drain_end::batch_done:
        // Fairness: let the worker's other actors run before the next batch.
        schedule(true);
        return;
    case drain_end::empty: break;
    }
    scheduled_.store(false, std::memory_order_seq_cst);
    if (!mailbox_.empty() && !scheduled_.exchange(true, std::memory_order_seq_cst))
        schedule();
}

actor_base::drain_end actor_base::handle_queued()
{
    // Metrics cost one well-predicted branch per activation when they are off.
    if ((flags_ & flag_measured) != 0) [[unlikely]]
        return handle_queued_as<true>();
    return handle_queued_as<false>();
}

template <bool Measured>
actor_base::drain_end actor_base::handle_queued_as()
{
    const current_actor_scope running(this);
    if (start_pending_) [[unlikely]]
    {
        if (!run_start()) // failed: the actor stopped
            return drain_end::stopped;
    }
    auto& w = core_->worker_at(worker_);
    const std::size_t batch = core_->config().batch_size;
    std::size_t handled = 0; // handler calls: messages taken minus cancelled timer messages
    std::size_t failed = 0;
    [[maybe_unused]] metrics_clock::time_point begin;
    if constexpr (Measured)
        begin = metrics_clock::now();
    // Unbounded mailboxes (the default) run the loop without the bounded mailbox's accounting.
    drain_end e = (flags_ & flag_bounded) != 0 ? drain_batch<true, Measured>(batch, handled, failed)
                                               : drain_batch<false, Measured>(batch, handled, failed);
    if constexpr (Measured)
    {
        // Before the message counts, which publish them (release): a snapshot that sees the
        // messages of this activation sees its time too.
        w.activations.fetch_add(1, std::memory_order_relaxed);
        w.busy_ns.fetch_add(ns_between(begin, metrics_clock::now()), std::memory_order_relaxed);
    }
    if (failed != 0)
        w.failed.fetch_add(failed, std::memory_order_relaxed);
    if (handled != 0)
        w.handled.fetch_add(handled, std::memory_order_release);
    if (e == drain_end::failed)
    {
        // A failure under the restart or stop policy, counted above before the actor restarts
        // or stops. After a restart the next batch waits for its turn, like a full batch.
        e = apply_failure_policy() ? drain_end::batch_done : drain_end::stopped;
    }
    return e;
}

void actor_base::finalize_after_drain(std::chrono::steady_clock::time_point deadline)
{
    // A send that passed the engine's "still running" check just before stop() may land after the
    // coordinator saw this actor idle. Under the drain policy it is still handled (until the
    // deadline), not dropped. A suspended coroutine handler is cancelled by finalize() as usual.
    if (status_.load(std::memory_order_relaxed) != actor_status::stopped &&
        !coroutine_active_.load(std::memory_order_relaxed))
    {
        // This is the posted stop finalize_all() flagged: the drain here must not yield to it.
        stop_requested_.fetch_and(static_cast<std::uint8_t>(~stop_posted), std::memory_order_relaxed);
        while (std::chrono::steady_clock::now() < deadline && handle_queued() == drain_end::batch_done)
        {}
    }
    finalize(stop_reason{stop_kind::shutdown});
}

#if ZCTOR_STRAND_FAST_PATH
namespace {
// The pump runs an activation on its actor's strand without the strand's queue and mutex (see
// run_on_strand below). For that it needs the strand's implementation, which asio::strand keeps
// private: this is the standard explicit-instantiation idiom for naming a private member, whose
// access is not checked in an explicit instantiation ([temp.spec.general]/6). It is instantiated
// in this file only.
using strand_impl = boost::asio::detail::strand_executor_service::strand_impl;
using strand_impl_member =
    boost::asio::detail::strand_executor_service::implementation_type actor_base::strand_type::*;

strand_impl_member strand_impl_of() noexcept;

template <strand_impl_member Member>
struct strand_impl_access
{
    friend strand_impl_member strand_impl_of() noexcept { return Member; }
};
template struct strand_impl_access<&actor_base::strand_type::impl_>;
} // namespace
#endif

void actor_base::run_on_strand(actor_ptr self)
{
#if ZCTOR_STRAND_FAST_PATH
    // Only the pump calls this, on the actor's own worker, whose io_context exactly one thread
    // runs (owned workers; embedded engines post to the strand instead). Every handler of the
    // actor's strand runs on that thread, one at a time, so none of them is running now: the
    // drain can run here directly, as the strand's invoker would run it, but without the
    // strand's mutex, its queue and the allocation of the queued operation (about 480 of the
    // 880 instructions of an activation, measured with callgrind; 20-27% of a cross-thread
    // hop). Marking the strand as running on this thread, as the invoker does, keeps
    // strand.running_in_this_thread() true in handlers, and a dispatch() onto the strand from
    // inside the drain runs inline as before. Handlers posted to the strand meanwhile (a stop,
    // a timer) stay queued in it and run after the drain, as they would behind the invoker.
    boost::asio::detail::call_stack<strand_impl>::context on_strand((self->strand_.*strand_impl_of()).get());
    self->drain();
#else
    auto& strand = self->strand_;
    boost::asio::dispatch(strand, drain_op{std::move(self)});
#endif
}

void actor_base::request_stop(const stop_reason& why)
{
    // The posted finalize stops the actor with the reason; the flag, set once it is posted, makes
    // a running drain yield to it between two messages.
    boost::asio::post(strand_, [self = actor_ptr(this), why] { self->finalize(why); });
    stop_requested_.fetch_or(stop_posted, std::memory_order_relaxed);
}

void actor_base::finalize(const stop_reason& why, bool on_strand)
{
    if (status_.load(std::memory_order_relaxed) == actor_status::stopped)
        return;
    actor_ptr keep(this);
    // on_start comes before anything else, a stop too; not when nothing ever ran the actor.
    if (start_pending_) [[unlikely]]
    {
        if (on_strand)
            (void)call_start(); // a failure is reported; the actor stops for `why` anyway
        start_pending_ = false;
    }
    // Out of the routing table first, so that once stopped() is true no send by type finds it;
    // a direct send in between is accepted and then dropped (and counted) below.
    core_->unregister_actor(*this);
    final_kind_ = why.kind;
    // seq_cst: a monitor() or register_name() racing this sees the actor stopped, or is seen
    // through `watched` below.
    status_.store(actor_status::stopped, std::memory_order_seq_cst);
    if (coroutine_active_.load(std::memory_order_relaxed))
    {
        // A suspended coroutine handler may still refer to the state and the behaviour: cancel it
        // and let end_coroutine() run on_stop and destroy them once it has unwound. It never runs
        // a handler again.
        core_->hold_finish(); // released by end_coroutine()
        extras_->stop_why = why;
        extras_->coroutine_cancel.emit(boost::asio::cancellation_type::terminal);
    }
    else
    {
        run_stop(why);
        destroy_state_and_behavior();
    }
    // An actor's timers stop with it.
    while (extras_ && extras_->timers != nullptr)
        timer_ptr(extras_->timers)->stop_on_strand();
    // Close the mailbox: from now on no sender posts a drain, and the actor never runs again.
    scheduled_.exchange(true, std::memory_order_seq_cst);
    // Senders waiting for room will not get it (they see "stopped" from now on, and do not park).
    if ((flags_ & flag_bounded) != 0)
        fail_waiters(core_->accepting() ? make_error_code(error::actor_stopped)
                                        : make_error_code(error::engine_stopped));
    drop_all();
    if (watched.load(std::memory_order_seq_cst)) [[unlikely]]
        core_->watched_actor_stopped(*this, why);
    core_->actor_finished(*this);
}

void actor_base::add_timer(timer_state& t)
{
    if (!extras_)
        extras_ = std::make_unique<extras>();
    t.add_ref();
    t.prev = nullptr;
    t.next = extras_->timers;
    if (t.next != nullptr)
        t.next->prev = &t;
    extras_->timers = &t;
}

void actor_base::remove_timer(timer_state& t) noexcept
{
    if (t.prev != nullptr)
        t.prev->next = t.next;
    else
        extras_->timers = t.next;
    if (t.next != nullptr)
        t.next->prev = t.prev;
    t.prev = t.next = nullptr;
    t.release();
}

// ---------------------------------------------------------------------------------------------
// timer_state

bool timer_state::cancel() noexcept
{
    // A stopped actor's timer is over even if it never got registered (see active()).
    if (finished_.load(std::memory_order_acquire) || target_->stopped() ||
        cancelled_.exchange(true, std::memory_order_acq_rel))
        return false;
    try
    {
        // Frees the timer now rather than at its expiry; the flag alone already stops its messages.
        boost::asio::dispatch(target_->strand(), [self = timer_ptr(this)] { self->timer_.cancel(); });
    }
    catch (...)
    {}
    return true;
}

void timer_state::start(std::chrono::steady_clock::duration delay)
{
    const auto now = std::chrono::steady_clock::now();
    delay = std::max(delay, std::chrono::steady_clock::duration::zero());
    const auto expiry = delay < std::chrono::steady_clock::time_point::max() - now
                            ? now + delay
                            : std::chrono::steady_clock::time_point::max();
    boost::asio::dispatch(target_->strand(), [self = timer_ptr(this), expiry] {
        if (self->cancelled_.load(std::memory_order_acquire) || self->target_->stopped())
        {
            self->finished();
            return;
        }
        try
        {
            self->target_->add_timer(*self.get());
            self->registered_ = true;
            self->arm(expiry);
        }
        catch (...)
        {
            // Out of memory for the actor's timer list or the wait: the timer ends here.
            self->target_->report_failure(error::out_of_memory, std::current_exception());
            self->stop_on_strand();
        }
    });
}

void timer_state::arm(std::chrono::steady_clock::time_point expiry)
{
    timer_.expires_at(expiry);
    timer_.async_wait([self = timer_ptr(this)](const boost::system::error_code& ec) {
        if (ec || !self->tick_allowed() || self->target_->stopped())
            self->stop_on_strand();
        else
            self->fire();
    });
}

void timer_state::fire()
{
    const bool last = interval_ == std::chrono::steady_clock::duration::zero();
    message_node* n = nullptr;
    try
    {
        n = make_message(last);
    }
    catch (const std::bad_alloc&)
    {
        target_->report_failure(error::out_of_memory, std::current_exception());
        stop_on_strand();
        return;
    }
    catch (...)
    {
        // The message's copy constructor threw: the timer cannot go on.
        target_->report_failure(error::handler_failed, std::current_exception());
        stop_on_strand();
        return;
    }
    // A one-shot timer is finished by its message (handled, skipped or dropped); a periodic one
    // goes on until cancelled or its actor stops. A tick refused by a full bounded mailbox is
    // lost (and counted), like one discarded by its overflow policy: the timer goes on.
    const boost::system::error_code push_ec = target_->push(n);
    const bool rejected = push_ec && push_ec != error::mailbox_full; // the actor or engine stopped
    if (rejected || last)
    {
        if (rejected)
            finished();
        if (registered_)
        {
            registered_ = false;
            target_->remove_timer(*this);
        }
        return;
    }
    // Fixed rate; ticks missed while the worker was busy are skipped, not bunched up.
    const auto now = std::chrono::steady_clock::now();
    auto next = timer_.expiry() + interval_;
    if (next < now)
        next = now + interval_;
    arm(next);
}

void timer_state::stop_on_strand() noexcept
{
    finished();
    timer_.cancel();
    if (registered_)
    {
        registered_ = false;
        target_->remove_timer(*this); // may release the last list reference: callers hold one
    }
}

void actor_base::destroy_state_and_behavior() noexcept
{
    try
    {
        state_.reset();
    }
    catch (...)
    {
        report_failure(error::handler_failed, std::current_exception());
    }
    // The behaviour (a class actor's object, a handler's captures) is state too.
    destroy_behavior();
}

boost::asio::cancellation_slot actor_base::begin_coroutine()
{
    if (!extras_)
        extras_ = std::make_unique<extras>();
    coroutine_active_.store(true, std::memory_order_relaxed);
    return extras_->coroutine_cancel.slot();
}

void actor_base::end_coroutine(bool failed) noexcept
{
    coroutine_active_.store(false, std::memory_order_relaxed);
    if (failed)
    {
        core_->worker_at(worker_).failed.fetch_add(1, std::memory_order_relaxed);
        if ((flags_ & flag_measured) != 0)
            actor_metrics::bump(extras_->info->metrics->failed);
    }
    if (status_.load(std::memory_order_relaxed) == actor_status::stopped)
    {
        run_stop(extras_->stop_why); // deferred by finalize()
        destroy_state_and_behavior();
        core_->release_finish();
        return;
    }
    if (failed && policy_ != failure_policy::resume)
    {
        const current_actor_scope running(this);
        if (!apply_failure_policy()) // stopped
            return;
    }
    // The mailbox is still "scheduled": carry on with it like a drain that reached its batch end.
    schedule(true);
}

void actor_base::drop_late() noexcept
{
    // A message pushed after the actor's finalize emptied the mailbox: no drain will take it, and
    // only the actor's destructor would free it. That can be never: a request holds its asker's
    // operation, which may hold this actor. Free it now, on the strand, where the finalize freed
    // the others (the strand serializes the mailbox's consumers).
    try
    {
        boost::asio::post(strand_, [self = actor_ptr(this)] { self->drop_all(); });
    }
    catch (...)
    {
        // Out of memory: freed with the actor.
    }
}

void actor_base::drop_all() noexcept
{
    // Each message freed here is a dead letter: its run function hands it to the handler.
    actor_base* const saved = dead_letter_actor;
    if (core_->config().on_dead_letter) [[unlikely]]
        dead_letter_actor = this;
    bounded_mailbox* const b = bounded();
    std::size_t n = 0;
    while (message_node* m = mailbox_.pop())
    {
        if (b != nullptr)
            b->take(); // keeps the mailbox's count; an owed drop was counted when owed
        m->run(m, *this, false);
        ++n;
    }
    dead_letter_actor = saved;
    if (n != 0)
    {
        core_->count_dropped(n);
        if ((flags_ & flag_measured) != 0)
        {
            actor_metrics::bump(extras_->info->metrics->taken, n);
            actor_metrics::bump(extras_->info->metrics->dropped, n);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bounded mailboxes, names and metrics (kept in extras_, flags_ says which)

void actor_base::make_bounded(std::size_t capacity, overflow_policy policy)
{
    extras_needed();
    extras_->bounded = std::make_unique<bounded_mailbox>(capacity, policy);
    flags_ |= flag_bounded;
}

void actor_base::set_info(std::unique_ptr<actor_info> info)
{
    if (info == nullptr)
        return;
    extras_needed();
    flags_ = static_cast<std::uint8_t>(flags_ | flag_info | (info->metrics != nullptr ? flag_measured : 0));
    extras_->info = std::move(info);
}

bounded_mailbox* actor_base::bounded() const noexcept
{
    return (flags_ & flag_bounded) != 0 ? extras_->bounded.get() : nullptr;
}

const actor_info* actor_base::info() const noexcept
{
    return (flags_ & flag_info) != 0 ? extras_->info.get() : nullptr;
}

bool actor_base::has_waiters() const noexcept
{
    return (flags_ & flag_bounded) != 0 && extras_->bounded->has_waiters.load(std::memory_order_acquire);
}

void actor_base::count_received() noexcept
{
    extras_->info->metrics->received.fetch_add(1, std::memory_order_relaxed);
}

boost::system::error_code actor_base::push_flagged(message_node* n) noexcept
{
    if ((flags_ & flag_bounded) != 0)
        return push_bounded(n);
    return push_unbounded(n);
}

void actor_base::count_overflow_drop() noexcept
{
    extras_->bounded->dropped.fetch_add(1, std::memory_order_relaxed);
    core_->count_mailbox_dropped();
}

boost::system::error_code actor_base::push_bounded(message_node* n) noexcept
{
    if (!core_->accepting() || stopped())
        return push_unbounded(n); // refuses it
    bounded_mailbox& b = *extras_->bounded;
    if (b.policy == overflow_policy::drop_oldest)
    {
        // Always accepted. When full, the consumer discards the oldest queued message before it
        // handles another (it cannot unlink one from the middle of the lock-free queue).
        if (b.reserve_or_owe())
            count_overflow_drop();
        enqueue(n);
        return {};
    }
    if (b.try_reserve())
    {
        enqueue(n);
        return {};
    }
    n->run(n, *this, false); // an ask's request completes it with broken_promise
    if (b.policy == overflow_policy::drop_newest)
    {
        count_overflow_drop();
        core_->count_dropped(1);
        return {};
    }
    b.rejected.fetch_add(1, std::memory_order_relaxed);
    core_->count_mailbox_rejected();
    return error::mailbox_full;
}

actor_base::reservation actor_base::reserve_bounded(bool ask, boost::system::error_code& ec) noexcept
{
    bounded_mailbox& b = *extras_->bounded;
    if (b.policy == overflow_policy::drop_oldest)
        return reservation::not_needed;
    if (b.try_reserve())
        return reservation::reserved;
    if (b.policy == overflow_policy::drop_newest)
    {
        count_overflow_drop();
        core_->count_dropped(1);
        // A plain send is told nothing; an ask learns at once that no reply will come.
        if (ask)
            ec = error::mailbox_full;
        return reservation::refused;
    }
    b.rejected.fetch_add(1, std::memory_order_relaxed);
    core_->count_mailbox_rejected();
    ec = error::mailbox_full;
    return reservation::refused;
}

void actor_base::unreserve() noexcept
{
    bounded_mailbox& b = *extras_->bounded;
    b.word.fetch_sub(bounded_mailbox::one_queued, std::memory_order_seq_cst);
    if (b.has_waiters.load(std::memory_order_seq_cst))
        admit_waiters();
}

send_waiter* actor_base::admit_locked() noexcept
{
    // Caller holds the waiter mutex. Waiters are admitted in the order they parked.
    bounded_mailbox& b = *extras_->bounded;
    send_waiter* done = nullptr;
    send_waiter** done_tail = &done;
    while (b.head != nullptr && core_->accepting() && !stopped() && b.try_reserve())
    {
        send_waiter* w = b.head;
        b.head = w->next;
        if (b.head != nullptr)
            b.head->prev = nullptr;
        else
            b.tail = nullptr;
        --b.waiting;
        w->linked = false;
        w->prev = w->next = nullptr;
        enqueue(std::exchange(w->node, nullptr));
        *done_tail = w;
        done_tail = &w->next;
    }
    if (b.head == nullptr)
        b.has_waiters.store(false, std::memory_order_seq_cst);
    return done;
}

void actor_base::complete_admitted(send_waiter* done) noexcept
{
    while (done != nullptr)
    {
        send_waiter* next = std::exchange(done->next, nullptr);
        done->complete({});
        done->release(); // the list's reference
        done = next;
    }
}

void actor_base::admit_waiters() noexcept
{
    send_waiter* done;
    {
        std::lock_guard lock(extras_->bounded->mutex);
        done = admit_locked();
    }
    complete_admitted(done);
}

boost::system::error_code actor_base::send_or_park(message_node* n, send_waiter& w, bool& parked) noexcept
{
    parked = false;
    bounded_mailbox* b = bounded();
    if (b == nullptr || b->policy != overflow_policy::backpressure)
        return push(n);
    boost::system::error_code ec;
    if (!core_->accepting())
        ec = error::engine_stopped;
    else if (stopped())
        ec = error::actor_stopped;
    else if (!b->has_waiters.load(std::memory_order_seq_cst) && b->try_reserve())
    {
        enqueue(n); // room, and nobody waiting before us
        return {};
    }
    send_waiter* done = nullptr;
    if (!ec)
    {
        std::lock_guard lock(b->mutex);
        // Checked again under the mutex: stop and cancellation take it before they look at the list.
        if (!core_->accepting())
            ec = error::engine_stopped;
        else if (stopped())
            ec = error::actor_stopped;
        else if (w.cancel_requested)
            ec = boost::asio::error::operation_aborted;
        else if (b->head == nullptr && b->try_reserve())
        {
            enqueue(n);
            return {};
        }
        else if (current_actor == this && in_coroutine())
            ec = error::would_deadlock; // a coroutine handler waiting for room in its own mailbox
        else
        {
            w.node = n;
            w.linked = true;
            w.prev = b->tail;
            w.next = nullptr;
            if (b->tail != nullptr)
                b->tail->next = &w;
            else
                b->head = &w;
            b->tail = &w;
            ++b->waiting;
            w.add_ref(); // the list's
            parked = true;
            // Announced before looking for room again, so that a consumer making room either sees
            // the waiter or leaves the room for this look (both sides are sequentially consistent).
            b->has_waiters.store(true, std::memory_order_seq_cst);
            done = admit_locked();
        }
    }
    if (!parked)
    {
        n->run(n, *this, false);
        return ec;
    }
    complete_admitted(done);
    return {};
}

void actor_base::cancel_waiter(send_waiter& w) noexcept
{
    bounded_mailbox* b = bounded();
    if (b == nullptr)
        return;
    message_node* n = nullptr;
    {
        std::lock_guard lock(b->mutex);
        w.cancel_requested = true;
        if (!w.linked)
            return;
        (w.prev != nullptr ? w.prev->next : b->head) = w.next;
        (w.next != nullptr ? w.next->prev : b->tail) = w.prev;
        w.prev = w.next = nullptr;
        w.linked = false;
        --b->waiting;
        if (b->head == nullptr)
            b->has_waiters.store(false, std::memory_order_seq_cst);
        n = std::exchange(w.node, nullptr);
    }
    n->run(n, *this, false);
    w.complete(boost::asio::error::operation_aborted);
    w.release(); // the list's
}

void actor_base::fail_waiters(const boost::system::error_code& ec) noexcept
{
    bounded_mailbox* b = bounded();
    if (b == nullptr)
        return;
    send_waiter* list;
    {
        std::lock_guard lock(b->mutex);
        list = std::exchange(b->head, nullptr);
        b->tail = nullptr;
        b->waiting = 0;
        b->has_waiters.store(false, std::memory_order_seq_cst);
        for (send_waiter* w = list; w != nullptr; w = w->next)
            w->linked = false;
    }
    while (list != nullptr)
    {
        send_waiter* next = std::exchange(list->next, nullptr);
        list->prev = nullptr;
        message_node* n = std::exchange(list->node, nullptr);
        n->run(n, *this, false);
        list->complete(ec);
        list->release();
        list = next;
    }
}

zctor::mailbox_stats actor_base::mailbox_stats() const noexcept
{
    zctor::mailbox_stats s;
    const bounded_mailbox* b = bounded();
    if (b == nullptr)
        return s;
    s.capacity = b->capacity;
    s.overflow = b->policy;
    const std::uint64_t w = b->word.load(std::memory_order_acquire);
    s.size = static_cast<std::size_t>(bounded_mailbox::queued(w) - bounded_mailbox::owed(w));
    s.dropped = b->dropped.load(std::memory_order_relaxed);
    s.rejected = b->rejected.load(std::memory_order_relaxed);
    {
        std::lock_guard lock(b->mutex);
        s.waiting_sends = b->waiting;
    }
    return s;
}

std::atomic<std::uint64_t>* actor_base::replies_discarded_counter() const noexcept
{
    return &core_->replies_discarded;
}

void actor_base::report_failure(const boost::system::error_code& ec, std::exception_ptr ex) noexcept
{
    if (policy_ != failure_policy::resume && extras_) [[unlikely]]
    {
        // The reason the failure policy stops or restarts the actor with (see set_lifecycle).
        extras_->last_error = ec;
        extras_->last_exception = ex;
    }
    core_->report(id_, ec, std::move(ex));
}

// ---------------------------------------------------------------------------------------------
// engine_core

engine_core::engine_core(const engine_config& config, const std::vector<boost::asio::io_context*>& external)
    : config_(config), embedded_(!external.empty()), drop_on_stop_(config.shutdown == shutdown_policy::drop)
{
    const std::size_t n = embedded_ ? external.size() : own_worker_count(config);
    workers_.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
    {
        auto w = std::make_unique<worker>();
        w->index = static_cast<std::uint32_t>(i);
        if (embedded_)
        {
            w->ctx = external[i];
        }
        else
        {
            w->owned = std::make_unique<owned_context>();
            w->ctx = w->owned.get();
        }
        w->guard.emplace(w->ctx->get_executor());
        workers_.push_back(std::move(w));
    }
    if (embedded_)
    {
        started_ns_.store(steady_ns(), std::memory_order_relaxed);
        state_.store(as_int(engine_state::running));
    }
}

engine_core::~engine_core() = default;

/// What a new worker thread is given: the core, its worker, and the thread options to apply to
/// itself before it runs anything. It answers through `applied` (0, or the errno value).
struct engine_core::thread_start
{
    std::shared_ptr<engine_core> core;
    worker* w = nullptr;
    std::vector<unsigned> cpus; // empty: not pinned
    bool set_nice = false;
    int nice = 0;
    std::promise<int> applied;
};

namespace {
int apply_thread_options(const std::vector<unsigned>& cpus, bool set_nice, int nice) noexcept
{
#if defined(__linux__)
    if (!cpus.empty())
    {
        cpu_set_t set;
        CPU_ZERO(&set);
        for (unsigned c : cpus)
            CPU_SET(c, &set);
        if (int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set); rc != 0)
            return rc;
    }
    // On Linux a nice value belongs to a thread (PRIO_PROCESS with a thread id).
    if (set_nice && setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice) != 0)
        return errno;
    return 0;
#else
    return cpus.empty() && !set_nice ? 0 : ENOTSUP;
#endif
}

} // namespace

void* engine_core::worker_main(void* arg) noexcept
{
    std::unique_ptr<thread_start> start(static_cast<thread_start*>(arg));
    std::shared_ptr<engine_core> core = std::move(start->core);
    worker* w = start->w;
    const int err = apply_thread_options(start->cpus, start->set_nice, start->nice);
    start->applied.set_value(err);
    start.reset();
    if (err != 0)
        return nullptr; // run() undoes the start
    current_worker_core = core.get();
    current_worker = w;
    for (;;)
    {
        try
        {
            w->ctx->run();
            break;
        }
        catch (...)
        {
            core->loop_failures_.fetch_add(1, std::memory_order_relaxed);
            core->report(0, error::event_loop_failed, std::current_exception());
        }
    }
    current_worker_core = nullptr;
    current_worker = nullptr;
    return nullptr;
}

boost::system::error_code engine_core::start_threads()
{
    // The CPUs each worker is pinned to, if any (validate() checked the configuration).
    std::vector<std::vector<unsigned>> sets = config_.cpu_affinity;
    if (config_.pin_workers)
    {
#if defined(__linux__)
        cpu_set_t allowed;
        CPU_ZERO(&allowed);
        if (int rc = pthread_getaffinity_np(pthread_self(), sizeof(allowed), &allowed); rc != 0)
            return {rc, boost::system::system_category()};
        for (unsigned c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &allowed))
                sets.push_back({c});
#else
        return {ENOTSUP, boost::system::system_category()};
#endif
    }
    const bool set_nice = config_.priority != thread_priority::normal;
    const int nice = config_.priority == thread_priority::high ? engine_config::high_priority_nice
                                                               : engine_config::low_priority_nice;
    for (std::size_t i = 0; i < workers_.size(); ++i)
    {
        auto& w = workers_[i];
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        int rc = 0;
        if (config_.stack_size != 0)
            rc = pthread_attr_setstacksize(&attr, config_.stack_size);
        std::future<int> applied;
        thread_start* arg = nullptr;
        try
        {
            arg = new thread_start{shared_from_this(), w.get(), {}, set_nice, nice, {}};
            if (!sets.empty())
                arg->cpus = sets[i % sets.size()];
            applied = arg->applied.get_future();
        }
        catch (const std::bad_alloc&)
        {
            delete arg;
            pthread_attr_destroy(&attr);
            return error::out_of_memory;
        }
        if (rc == 0)
            rc = pthread_create(&w->thread, &attr, &engine_core::worker_main, arg);
        pthread_attr_destroy(&attr);
        if (rc != 0)
        {
            delete arg;
            return error::thread_creation_failed;
        }
        w->has_thread = true;
        // The worker applies its options before it runs anything: wait for its answer, so that
        // a refused option fails run() rather than leaving a worker on the wrong CPUs.
        if (const int err = applied.get(); err != 0)
            return {err, boost::system::system_category()};
    }
    return {};
}

boost::system::error_code engine_core::run()
{
    if (embedded_)
        return error::already_started;
    // Published before "running", so a concurrent stop() that sees "running" also knows the
    // workers run, and leaves the actors to them instead of stopping them on its own thread.
    // Left true if the engine was stopped meanwhile: nothing reads it once it is stopping.
    threads_started_.store(true);
    int expected = as_int(engine_state::idle);
    if (!state_.compare_exchange_strong(expected, as_int(engine_state::running)))
        return expected == as_int(engine_state::running) ? error::already_started : error::engine_stopped;
    started_ns_.store(steady_ns(), std::memory_order_relaxed);
    auto ec = start_threads();
    if (ec)
    {
        // Undo: stop the workers that did start, then stop the actors here.
        state_.store(as_int(engine_state::stopping));
        for (auto& w : workers_)
            w->owned->stop();
        for (auto& w : workers_)
            if (std::exchange(w->has_thread, false))
                pthread_join(w->thread, nullptr);
        threads_started_.store(false);
        // A stop() racing this may already have begun an asynchronous shutdown that can no
        // longer run: finish it here, now that no worker runs.
        coordination_taken_.store(true);
        finalize_inline();
        return ec;
    }
    return {};
}

bool engine_core::on_worker_thread() const noexcept
{
    if (current_worker_core == this)
        return true;
    if (embedded_)
        for (auto& w : workers_)
            if (w->ctx->get_executor().running_in_this_thread())
                return true;
    return false;
}

bool engine_core::contexts_live() const noexcept
{
    if (!embedded_)
        return threads_started_.load();
    return std::none_of(workers_.begin(), workers_.end(), [](auto& w) { return w->ctx->stopped(); });
}

void engine_core::activate(actor_base& a, bool fifo)
{
    worker& w = *workers_[a.worker()];
    a.add_ref(); // owned by the ready queue until the pump takes it
    if (!fifo && current_worker == &w)
        w.local.push_back(&a); // activated by its own worker: run it next (depth first)
    else
        w.ready.push(&a);
    // Only a sleeping worker is woken, with one post; a busy or spinning one finds the actor.
    if (!w.pumping.load(std::memory_order_seq_cst) && !w.pumping.exchange(true, std::memory_order_seq_cst))
    {
        try
        {
            boost::asio::post(*w.ctx, [this, &w] { pump(w, std::chrono::steady_clock::now()); });
        }
        catch (...)
        {
            w.pumping.store(false, std::memory_order_seq_cst);
            throw;
        }
    }
}

void engine_core::nudge(std::uint32_t index) noexcept
{
    if (embedded_)
        return;
    worker& w = *workers_[index];
    if (current_worker != &w && !w.nudged.load(std::memory_order_relaxed))
        w.nudged.store(true, std::memory_order_release);
}

void engine_core::keep_pumping(std::uint32_t index) noexcept
{
    if (embedded_)
        return;
    worker& w = *workers_[index];
    if (current_worker != &w || w.pumping.load(std::memory_order_relaxed) || config_.idle_spin.count() == 0)
        return;
    if (w.pumping.exchange(true, std::memory_order_seq_cst))
        return;
    try
    {
        boost::asio::post(*w.ctx, [this, &w, now = std::chrono::steady_clock::now()] { pump(w, now); });
    }
    catch (...)
    {
        w.pumping.store(false, std::memory_order_seq_cst); // out of memory: the worker just sleeps
    }
}

void actor_base::nudge_worker() noexcept { core_->nudge(worker_); }
void actor_base::keep_worker_pumping() noexcept { core_->keep_pumping(worker_); }

namespace {
inline void cpu_relax() noexcept
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}
} // namespace

void engine_core::pump(worker& w, std::chrono::steady_clock::time_point idle_since)
{
    // One visit of the pump, a handler of the worker's io_context: run the ready actors (each
    // drain is dispatched inline onto its strand), or look for more for a moment. Then either
    // post itself again, so that timers, I/O and strand posts run in between, or let the worker
    // sleep. (It never calls poll() from inside itself: Asio's nested poll() miscounts the work
    // a handler posts and can stop the io_context.)
    constexpr std::size_t budget = 256;               // activations per visit
    constexpr unsigned max_lifo_run = 64;             // own activations in a row
    constexpr unsigned spins_per_visit = 64;          // empty looks at the ready queue per visit
    constexpr std::chrono::microseconds hard_spin{5}; // then idle visits yield the core
    using clock = std::chrono::steady_clock;
    if (w.ctx->stopped())
    {
        w.pumping.store(false, std::memory_order_seq_cst);
        return;
    }
    if (clock::now() - idle_since > hard_spin)
        std::this_thread::yield(); // when another thread wants this core, let it have it
    std::size_t work = 0;
    unsigned lifo_run = 0;
    bool shared_turn = false;
    for (unsigned spins = 0; work < budget && spins < spins_per_visit;)
    {
        // The worker's own activations first (last in, first out: depth first, cache-warm).
        // After 64 of them in a row, the oldest waiting activation gets a turn, taken in turn
        // from the shared queue and from the bottom of the worker's own list, so that actors
        // that keep activating each other on this worker starve neither.
        ready_link* l = nullptr;
        if (lifo_run == max_lifo_run || w.local.empty())
        {
            lifo_run = 0;
            shared_turn = !shared_turn;
            if (shared_turn || w.local.empty())
            {
                // Take a generation of the shared queue and run it newest first too: the
                // newest activations are the deepest of a spawning tree (skynet's children),
                // so the tree is walked depth first, with few actors alive at once.
                std::size_t taken = 0;
                while (taken < max_lifo_run)
                {
                    ready_link* r = w.ready.pop();
                    if (r == nullptr)
                        break;
                    w.local.push_back(static_cast<actor_base*>(r));
                    ++taken;
                }
                if (taken != 0)
                {
                    l = w.local.back();
                    w.local.pop_back();
                }
            }
            if (l == nullptr && !w.local.empty())
            {
                l = w.local.front();
                w.local.pop_front();
            }
        }
        else
        {
            l = w.local.back();
            w.local.pop_back();
            ++lifo_run;
        }
        if (l == nullptr)
        {
            if (w.nudged.load(std::memory_order_relaxed)) [[unlikely]]
            {
                // A post from another thread waits in the io_context: let it run now.
                w.nudged.store(false, std::memory_order_relaxed);
                ++work;
                break;
            }
            ++spins;
            cpu_relax();
            continue;
        }
        actor_base::run_on_strand(actor_ptr(static_cast<actor_base*>(l), false));
        ++work;
        spins = 0;
    }
    const auto now = clock::now();
    if (work != 0)
        idle_since = now;
    if (now - idle_since < config_.idle_spin)
    {
        boost::asio::post(*w.ctx, [this, &w, idle_since] { pump(w, idle_since); });
        return;
    }
    // Idle for the whole spin: sleep in the io_context until a post wakes it.
    w.pumping.store(false, std::memory_order_seq_cst);
    if ((!w.ready.empty() || !w.local.empty()) && !w.pumping.exchange(true, std::memory_order_seq_cst))
        boost::asio::post(*w.ctx, [this, &w, now] { pump(w, now); });
}

void engine_core::stop() noexcept
{
    int s = state_.load();
    while (s < as_int(engine_state::stopping))
    {
        if (state_.compare_exchange_weak(s, as_int(engine_state::stopping)))
        {
            {
                std::lock_guard lock(state_mutex_);
            }
            state_cv_.notify_all();
            fail_send_waiters();
            if (s == as_int(engine_state::running) && contexts_live())
            {
                try
                {
                    boost::asio::post(*workers_[0]->ctx,
                                      [self = shared_from_this()] { self->coordinate_async(); });
                    return;
                }
                catch (...)
                {}
            }
            // Nothing runs the workers: stop the actors here and now.
            coordinate_inline();
            return;
        }
    }
}

void engine_core::fail_send_waiters() noexcept
{
    // Senders waiting for room learn at once that their message will not be accepted, rather
    // than when their target is finalized (after the drain).
    std::vector<actor_ptr> waiting;
    try
    {
        std::lock_guard lock(registry_mutex_);
        for (actor_base* a = registry_head_; a != nullptr; a = a->reg_next)
            if (a->has_waiters())
                waiting.emplace_back(a);
    }
    catch (...)
    {
        // Out of memory: each actor's finalize completes its waiters instead.
    }
    for (auto& a : waiting)
        a->fail_waiters(error::engine_stopped);
}

std::vector<actor_ptr> engine_core::take_registry()
{
    std::vector<actor_ptr> out;
    std::lock_guard lock(registry_mutex_);
    registry_closed_ = true;
    for (actor_base* a = registry_head_; a != nullptr; a = a->reg_next)
        out.emplace_back(a);
    return out;
}

void engine_core::coordinate_async()
{
    if (coordination_taken_.exchange(true))
        return;
    auto actors = std::make_shared<std::vector<actor_ptr>>(take_registry());
    if (config_.shutdown == shutdown_policy::drain)
        wait_quiescent(std::move(actors), 0, std::chrono::steady_clock::now() + config_.drain_timeout,
                       std::chrono::microseconds(50));
    else
        run_ordered_stops(std::move(actors), {}); // nothing more is handled
}

void engine_core::wait_quiescent(std::shared_ptr<std::vector<actor_ptr>> actors, std::size_t pos,
                                 std::chrono::steady_clock::time_point deadline,
                                 std::chrono::microseconds backoff)
{
    // No new messages are accepted, so each actor goes idle for good once its mailbox is empty.
    auto& list = *actors;
    while (pos < list.size() &&
           (list[pos]->stopped() || !list[pos]->scheduled_.load(std::memory_order_seq_cst)))
        ++pos;
    if (pos == list.size() || std::chrono::steady_clock::now() >= deadline)
    {
        run_ordered_stops(std::move(actors), deadline);
        return;
    }
    auto timer = std::make_shared<boost::asio::steady_timer>(*workers_[0]->ctx, backoff);
    timer->async_wait([self = shared_from_this(), actors = std::move(actors), pos, deadline, backoff,
                       timer](const boost::system::error_code&) mutable {
        self->wait_quiescent(std::move(actors), pos, deadline,
                             std::min(backoff * 2, std::chrono::microseconds(5000)));
    });
}

std::uint64_t engine_core::add_ordered_stop(ordered_stop f)
{
    std::lock_guard lock(ordered_mutex_);
    ordered_stops_.emplace_back(++ordered_next_, std::move(f));
    return ordered_next_;
}

void engine_core::remove_ordered_stop(std::uint64_t key) noexcept
{
    ordered_stop removed; // destroyed outside the lock: it may hold the last reference to an actor
    std::lock_guard lock(ordered_mutex_);
    auto it = std::find_if(ordered_stops_.begin(), ordered_stops_.end(),
                           [&](const auto& e) { return e.first == key; });
    if (it != ordered_stops_.end())
    {
        removed = std::move(it->second);
        ordered_stops_.erase(it);
    }
}

namespace {

// One shutdown's ordered groups, run one after the other on whatever thread reports each done.
struct ordered_run : std::enable_shared_from_this<ordered_run>
{
    std::shared_ptr<engine_core> core;
    std::vector<std::pair<std::uint64_t, engine_core::ordered_stop>> groups;
    std::function<void()> then; // finalizes the rest, once
    std::atomic<bool> done{false};
    std::shared_ptr<boost::asio::steady_timer> deadline;

    void next()
    {
        if (done.load() || groups.empty())
        {
            finish();
            return;
        }
        engine_core::ordered_stop f = std::move(groups.back().second);
        groups.pop_back();
        f([self = shared_from_this()] { self->next(); });
    }

    void finish()
    {
        if (!done.exchange(true))
            then();
    }
};

} // namespace

void engine_core::run_ordered_stops(std::shared_ptr<std::vector<actor_ptr>> actors,
                                    std::chrono::steady_clock::time_point deadline)
{
    // The groups (supervision trees) stop one after the other, the last added first; then the
    // other actors are finalized together. Groups that do not report in time are cut short by
    // the drain timeout.
    std::vector<std::pair<std::uint64_t, ordered_stop>> groups;
    {
        std::lock_guard lock(ordered_mutex_);
        groups.swap(ordered_stops_);
    }
    if (groups.empty())
    {
        finalize_all(std::move(actors), deadline);
        return;
    }
    auto r = std::make_shared<ordered_run>();
    r->core = shared_from_this();
    r->groups = std::move(groups);
    r->deadline = std::make_shared<boost::asio::steady_timer>(*workers_[0]->ctx, config_.drain_timeout);
    r->then = [self = shared_from_this(), actors = std::move(actors), timer = r->deadline,
               deadline]() mutable {
        // On the timer's worker: the timer is not safe to touch from any thread.
        boost::asio::post(*self->workers_[0]->ctx,
                          [self, actors = std::move(actors), timer, deadline]() mutable {
                              timer->cancel();
                              self->finalize_all(std::move(actors), deadline);
                          });
    };
    r->deadline->async_wait([r](const boost::system::error_code& ec) {
        if (!ec)
            r->finish();
    });
    r->next();
}

void engine_core::finalize_all(std::shared_ptr<std::vector<actor_ptr>> actors,
                               std::chrono::steady_clock::time_point deadline)
{
    // Once every actor is finalized, the workers stop when no cancelled coroutine handler is
    // still unwinding (each holds the finish), or after the drain timeout at the latest.
    auto all_finalized = [self = shared_from_this()] {
        if (self->finish_holds_.load() > 1)
        {
            // Set before the release below, so finish() sees it and cancels it.
            self->finish_timer_ = std::make_shared<boost::asio::steady_timer>(*self->workers_[0]->ctx,
                                                                              self->config_.drain_timeout);
            self->finish_timer_->async_wait([self](const boost::system::error_code&) { self->finish(); });
        }
        self->release_finish();
    };
    if (actors->empty())
    {
        all_finalized();
        return;
    }
    auto remaining = std::make_shared<std::atomic<std::size_t>>(actors->size());
    for (auto& a : *actors)
    {
        // A drain running now (the pump runs drains beside the strand's queue) yields to the
        // finalize posted here between two messages, as it does to a posted stop.
        a->stop_requested_.fetch_or(actor_base::stop_posted, std::memory_order_relaxed);
        boost::asio::post(a->strand(), [a, remaining, all_finalized, deadline] {
            a->finalize_after_drain(deadline);
            if (remaining->fetch_sub(1) == 1)
                all_finalized();
        });
    }
}

void engine_core::coordinate_inline() noexcept
{
    if (coordination_taken_.exchange(true))
        return;
    finalize_inline();
}

void engine_core::finalize_inline() noexcept
{
    for (auto& a : take_registry())
        a->finalize(stop_reason{stop_kind::shutdown}, false);
    finish();
}

void engine_core::hold_self()
{
    self_ = shared_from_this();
    hold();
}

void engine_core::drop_self() noexcept
{
    // The last hold is gone: no actor exists and the engine object is destroyed, so nothing can
    // take a new one. The core may be destroyed here.
    std::shared_ptr<engine_core> last = std::move(self_);
}

void engine_core::finish() noexcept
{
    if (finished_.exchange(true)) // the last unwinding coroutine, or the timeout: the first wins
        return;
    if (started_ns_.load(std::memory_order_relaxed) != 0)
        stopped_ns_.store(steady_ns(), std::memory_order_relaxed);
    if (auto timer = finish_timer_)
    {
        // An application's io_context runs on until the timer is gone (an owned one is stopped below).
        try
        {
            boost::asio::post(*workers_[0]->ctx, [timer] { timer->cancel(); });
        }
        catch (...)
        {}
    }
    for (auto& w : workers_)
    {
        w->guard.reset();
        if (w->owned)
            w->owned->stop();
    }
    {
        std::lock_guard lock(state_mutex_);
        state_.store(as_int(engine_state::stopped));
    }
    state_cv_.notify_all();
}

void engine_core::join_threads() noexcept
{
    std::lock_guard lock(join_mutex_);
    if (threads_joined_)
        return;
    for (auto& w : workers_)
        if (w->has_thread)
            pthread_join(w->thread, nullptr);
    threads_joined_ = true;
    // Release the actors still marked ready (their messages are freed, and counted, with them).
    for (auto& w : workers_)
        while (ready_link* l = w->ready.pop())
            actor_ptr(static_cast<actor_base*>(l), false);
    for (auto& w : workers_)
        for (actor_base* a : std::exchange(w->local, {}))
            actor_ptr(a, false);
    // Destroy what is still queued (user timers, late handoffs): it may hold actors, which hold us.
    for (auto& w : workers_)
        if (w->owned)
            w->owned->shutdown();
}

boost::system::error_code engine_core::join()
{
    if (on_worker_thread())
        return error::thread_join_failed;
    std::unique_lock lock(state_mutex_);
    if (state_.load() == as_int(engine_state::idle) && !embedded_)
        return error::not_started;
    state_cv_.wait(lock, [&] { return state_.load() == as_int(engine_state::stopped); });
    lock.unlock();
    join_threads();
    return {};
}

void engine_core::shutdown_from_destructor() noexcept
{
    stop();
    if (on_worker_thread())
    {
        // Destroyed from inside one of its own handlers: the workers hold the core and finish
        // the shutdown by themselves.
        std::lock_guard lock(join_mutex_);
        for (auto& w : workers_)
            if (w->has_thread)
                pthread_detach(w->thread);
        threads_joined_ = true;
        return;
    }
    if (embedded_)
    {
        // The application may have stopped its contexts, or never run them, and then nothing
        // would carry out the shutdown: help run them, or finish it here once they are stopped.
        std::unique_lock lock(state_mutex_);
        while (state_.load() != as_int(engine_state::stopped))
        {
            lock.unlock();
            bool live = false;
            for (auto& w : workers_)
            {
                if (w->ctx->stopped())
                    continue;
                live = true;
                try
                {
                    w->ctx->poll();
                }
                catch (...)
                {
                    loop_failures_.fetch_add(1, std::memory_order_relaxed);
                    report(0, error::event_loop_failed, std::current_exception());
                }
            }
            if (!live)
                finalize_inline();
            lock.lock();
            state_cv_.wait_for(lock, std::chrono::milliseconds(1),
                               [&] { return state_.load() == as_int(engine_state::stopped); });
        }
        return;
    }
    std::unique_lock lock(state_mutex_);
    state_cv_.wait(lock, [&] { return state_.load() == as_int(engine_state::stopped); });
    lock.unlock();
    join_threads();
}

const engine_core::worker* engine_core::this_thread_worker() const noexcept
{
    if (current_worker_core == this)
        return static_cast<const worker*>(current_worker);
    if (embedded_)
        for (auto& w : workers_)
            if (w->ctx->get_executor().running_in_this_thread())
                return w.get();
    return nullptr;
}

boost::system::error_code engine_core::place_on(std::size_t idx, std::uint32_t& out) noexcept
{
    const std::size_t max = config_.max_actors_per_worker;
    auto& count = workers_[idx]->actors;
    std::size_t cur = count.load(std::memory_order_relaxed);
    while (max == 0 || cur < max)
    {
        if (count.compare_exchange_weak(cur, cur + 1, std::memory_order_relaxed))
        {
            out = static_cast<std::uint32_t>(idx);
            return {};
        }
    }
    return error::thread_pool_full;
}

boost::system::error_code engine_core::place(std::uint32_t& out, const actor_config* config) noexcept
{
    if (config != nullptr)
    {
        // An explicit or local worker that is full fails the spawn: the caller asked for that
        // worker (to share it with other actors, or its io_context), not for any worker.
        if (config->worker) // checked against workers_.size() by check_actor_config
            return place_on(*config->worker, out);
        if (config->placement == placement::local)
            if (const worker* here = this_thread_worker())
                return place_on(here->index, out);
    }
    const std::size_t n = workers_.size();
    const std::size_t start = next_worker_.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t i = 0; i < n; ++i)
        if (!place_on((start + i) % n, out))
            return {};
    return error::thread_pool_full;
}

void engine_core::unplace(std::uint32_t worker) noexcept
{
    workers_[worker]->actors.fetch_sub(1, std::memory_order_relaxed);
}

boost::system::error_code engine_core::register_actor(actor_base& a)
{
    std::lock_guard lock(registry_mutex_);
    if (registry_closed_ || !accepting())
    {
        // The actor never ran: it is neither counted as spawned nor as stopped.
        a.status_.store(actor_status::stopped);
        a.scheduled_.store(true);
        unplace(a.worker());
        return error::engine_stopped;
    }
    if (a.routes().count != 0)
    {
        std::unique_lock routes_lock(routes_mutex_);
        try
        {
            for (std::size_t i = 0; i < a.routes().count; ++i)
            {
                auto& r = routes_[a.routes().keys[i]];
                if (!r)
                    r = std::make_unique<route>();
                r->entries.push_back({&a, a.routes().fns[i]});
            }
        }
        catch (const std::bad_alloc&)
        {
            for (auto& [key, r] : routes_)
                std::erase_if(r->entries, [&](const route::entry& e) { return e.actor == &a; });
            a.status_.store(actor_status::stopped);
            a.scheduled_.store(true);
            unplace(a.worker());
            return error::out_of_memory;
        }
    }
    a.add_ref();
    a.registered = true;
    a.reg_prev = nullptr;
    a.reg_next = registry_head_;
    if (registry_head_ != nullptr)
        registry_head_->reg_prev = &a;
    registry_head_ = &a;
    spawned_.fetch_add(1, std::memory_order_relaxed);
    return {};
}

void engine_core::unregister_actor(actor_base& a) noexcept
{
    {
        std::lock_guard lock(registry_mutex_);
        if (!a.registered)
            return;
        a.registered = false;
        if (a.reg_prev != nullptr)
            a.reg_prev->reg_next = a.reg_next;
        else
            registry_head_ = a.reg_next;
        if (a.reg_next != nullptr)
            a.reg_next->reg_prev = a.reg_prev;
        a.reg_prev = a.reg_next = nullptr;
        if (a.routes().count != 0)
        {
            std::unique_lock routes_lock(routes_mutex_);
            for (std::size_t i = 0; i < a.routes().count; ++i)
            {
                auto it = routes_.find(a.routes().keys[i]);
                if (it != routes_.end())
                    std::erase_if(it->second->entries, [&](const route::entry& e) { return e.actor == &a; });
            }
        }
    }
    a.release(); // the registry's reference; the caller holds another
}

void engine_core::actor_finished(actor_base& a) noexcept
{
    unplace(a.worker());
    // Release: whoever sees the actor counted as stopped also sees its dropped messages counted.
    stopped_.fetch_add(1, std::memory_order_release);
}

void engine_core::report(std::uint64_t actor, const boost::system::error_code& ec,
                         std::exception_ptr ex) noexcept
{
    if (!config_.on_failure)
        return;
    try
    {
        config_.on_failure(failure{actor, ec, std::move(ex)});
    }
    catch (...)
    {}
}

engine_stats engine_core::stats() const noexcept
{
    engine_stats s;
    s.actors_stopped = stopped_.load(std::memory_order_acquire); // first: see actor_finished()
    s.actors_spawned = spawned_.load(std::memory_order_relaxed);
    s.messages_dropped = dropped_.load(std::memory_order_relaxed);
    s.replies_discarded = replies_discarded.load(std::memory_order_relaxed);
    s.event_loop_failures = loop_failures_.load(std::memory_order_relaxed);
    s.mailbox_dropped = mailbox_dropped_.load(std::memory_order_relaxed);
    s.mailbox_rejected = mailbox_rejected_.load(std::memory_order_relaxed);
    try
    {
        s.watch_records = watch_count();
        s.registered_names = name_count();
    }
    catch (...) // a mutex that cannot be locked: left at 0
    {}
    for (auto& w : workers_)
    {
        s.messages_handled += w->handled.load(std::memory_order_relaxed);
        s.handler_failures += w->failed.load(std::memory_order_relaxed);
    }
    return s;
}

std::unique_ptr<actor_info> engine_core::make_info(const actor_config* options) const
{
    auto info = std::make_unique<actor_info>();
    if (options != nullptr)
        info->name = options->name;
    if (config_.metrics)
        info->metrics = std::make_unique<actor_metrics>();
    return info;
}

namespace {
// Reads one actor's counters in the reverse order of the strand's writes (see actor_metrics),
// each an acquire load, so that the snapshot's invariants hold while the actor runs.
void read_metrics(const actor_metrics& m, actor_snapshot& out) noexcept
{
    constexpr auto acq = std::memory_order_acquire;
    out.failed = m.failed.load(acq);
    const std::uint64_t max_ns = m.handler_max_ns.load(acq);
    const std::uint64_t total_ns = m.handler_ns.load(acq);
    for (std::size_t i = 0; i < latency_bucket_count; ++i)
        out.handler_latency.counts[i] = m.latency[i].load(acq);
    out.processed = m.processed.load(acq);
    out.dropped = m.dropped.load(acq);
    const std::uint64_t peak = m.peak_depth.load(acq);
    const std::uint64_t taken = m.taken.load(acq);
    out.received = m.received.load(acq);
    out.handler_time = std::chrono::nanoseconds(static_cast<std::int64_t>(total_ns));
    out.handler_time_max = std::chrono::nanoseconds(static_cast<std::int64_t>(max_ns));
    out.mailbox_depth = out.received - taken; // taken <= received: see actor_metrics
    out.mailbox_peak = std::max(peak, out.mailbox_depth);
}
} // namespace

engine_snapshot engine_core::snapshot()
{
    engine_snapshot s;
    s.metrics = config_.metrics;
    // Stopped before spawned: an actor counted as stopped is counted as spawned too.
    s.actors_stopped = stopped_.load(std::memory_order_acquire);
    std::vector<actor_ptr> live;
    {
        std::lock_guard lock(registry_mutex_);
        for (actor_base* a = registry_head_; a != nullptr; a = a->reg_next)
            live.emplace_back(a);
    }
    s.actors_spawned = spawned_.load(std::memory_order_acquire);
    s.actors_alive = live.size();
    s.messages_dropped = dropped_.load(std::memory_order_relaxed);

    const std::int64_t started = started_ns_.load(std::memory_order_relaxed);
    const std::int64_t stopped = stopped_ns_.load(std::memory_order_relaxed);
    if (started != 0)
        s.uptime = std::chrono::nanoseconds((stopped != 0 ? stopped : steady_ns()) - started);
    s.workers.resize(workers_.size());
    for (std::size_t i = 0; i < workers_.size(); ++i)
    {
        const worker& w = *workers_[i];
        auto& out = s.workers[i];
        out.index = i;
        out.actors = w.actors.load(std::memory_order_relaxed);
        out.messages = w.handled.load(std::memory_order_acquire); // first: see the drain's account
        out.failed = w.failed.load(std::memory_order_relaxed);
        out.activations = w.activations.load(std::memory_order_relaxed);
        out.busy =
            std::chrono::nanoseconds(static_cast<std::int64_t>(w.busy_ns.load(std::memory_order_relaxed)));
        out.idle = std::max(s.uptime - out.busy, std::chrono::nanoseconds(0));
        s.messages += out.messages;
        s.messages_failed += out.failed;
    }

    std::unordered_map<type_key, std::string> type_names;
    s.actors.resize(live.size());
    for (std::size_t i = 0; i < live.size(); ++i)
    {
        const actor_base& a = *live[i];
        auto& out = s.actors[i];
        out.id = a.id();
        out.worker = a.worker();
        auto [it, inserted] = type_names.try_emplace(a.behavior());
        if (inserted)
            it->second = boost::core::demangle(type_info_of_key(a.behavior()).name());
        out.type = it->second;
        if (const actor_info* info = a.info())
        {
            out.name = info->name;
            if (info->metrics)
                read_metrics(*info->metrics, out);
        }
    }
    return s;
}

} // namespace detail

// ---------------------------------------------------------------------------------------------
// engine

boost::system::error_code validate(const engine_config& c, std::string* field)
{
    auto bad = [&](const char* name) {
        if (field != nullptr)
            *field = name;
        return boost::system::error_code(error::invalid_configuration);
    };
    if (c.thread_count > engine_config::max_thread_count)
        return bad("thread_count");
    if (c.batch_size == 0 || c.batch_size > engine_config::max_batch_size)
        return bad("batch_size");
    if (c.drain_timeout.count() < 0)
        return bad("drain_timeout");
    if (c.idle_spin.count() < 0 || c.idle_spin > engine_config::max_idle_spin)
        return bad("idle_spin");
    if (c.stack_size != 0 && c.stack_size < engine_config::min_stack_size)
        return bad("stack_size");
    if (c.shutdown != shutdown_policy::drain && c.shutdown != shutdown_policy::drop)
        return bad("shutdown");
    if (c.default_mailbox_capacity > engine_config::max_mailbox_capacity)
        return bad("default_mailbox_capacity");
    if (!detail::valid_policy(c.default_overflow))
        return bad("default_overflow");
    if (!c.cpu_affinity.empty())
    {
        if (c.cpu_affinity.size() > detail::own_worker_count(c))
            return bad("cpu_affinity"); // some sets would never be used
        const long configured = sysconf(_SC_NPROCESSORS_CONF);
        const std::size_t cpus =
            std::min<std::size_t>(CPU_SETSIZE, configured > 0 ? static_cast<std::size_t>(configured) : 1);
        for (const auto& set : c.cpu_affinity)
        {
            if (set.empty())
                return bad("cpu_affinity");
            for (unsigned cpu : set)
                if (cpu >= cpus)
                    return bad("cpu_affinity");
        }
    }
    if (c.pin_workers && !c.cpu_affinity.empty())
        return bad("pin_workers");
    if (c.priority != thread_priority::low && c.priority != thread_priority::normal &&
        c.priority != thread_priority::high)
        return bad("priority");
    return {};
}

boost::system::error_code validate(const actor_config& c, std::string* field)
{
    // No engine: no bound on `worker`.
    if (const char* bad =
            detail::check_actor_config(c, engine_config{}, std::numeric_limits<std::size_t>::max()))
    {
        if (field != nullptr)
            *field = bad;
        return error::invalid_configuration;
    }
    return {};
}

boost::system::error_code validate(const actor_config& c, const engine_config& e, std::string* field)
{
    if (const char* bad = detail::check_actor_config(c, e, detail::own_worker_count(e)))
    {
        if (field != nullptr)
            *field = bad;
        return error::invalid_configuration;
    }
    return {};
}

namespace {
const engine_config& checked(const engine_config& c)
{
    std::string field;
    if (auto ec = validate(c, &field))
        detail::throw_error(ec, ("zctor::engine: invalid engine_config::" + field).c_str());
    return c;
}
} // namespace

engine::engine(const engine_config& config)
    : core_(std::make_shared<detail::engine_core>(checked(config), std::vector<boost::asio::io_context*>{}))
{
    core_->hold_self();
    core_->owner = this;
}

engine::engine(boost::asio::io_context& context, const engine_config& config)
    : engine(std::vector<boost::asio::io_context*>{&context}, config)
{}

engine::engine(const std::vector<boost::asio::io_context*>& contexts, const engine_config& config)
{
    checked(config);
    // The thread options would silently do nothing: the application owns the threads.
    const char* thread_option = config.stack_size != 0                       ? "stack_size"
                                : !config.cpu_affinity.empty()               ? "cpu_affinity"
                                : config.pin_workers                         ? "pin_workers"
                                : config.priority != thread_priority::normal ? "priority"
                                                                             : nullptr;
    if (thread_option != nullptr)
    {
        std::string what = "zctor::engine: engine_config::";
        what += thread_option;
        what += " applies to the engine's own threads, and an embedded engine has none";
        detail::throw_error(error::invalid_configuration, what.c_str());
    }
    if (contexts.empty() || std::find(contexts.begin(), contexts.end(), nullptr) != contexts.end() ||
        contexts.size() > engine_config::max_thread_count)
        detail::throw_error(error::invalid_configuration, "zctor::engine: invalid list of io_contexts");
    core_ = std::make_shared<detail::engine_core>(config, contexts);
    core_->hold_self();
    core_->owner = this;
}

engine::~engine()
{
    core_->shutdown_from_destructor();
    core_->release();
}

void engine::run()
{
    boost::system::error_code ec;
    run(ec);
    detail::throw_if(ec, "zctor::engine::run");
}

void engine::run(boost::system::error_code& ec) { ec = core_->run(); }

void engine::join()
{
    boost::system::error_code ec;
    join(ec);
    detail::throw_if(ec, "zctor::engine::join");
}

void engine::join(boost::system::error_code& ec) { ec = core_->join(); }

void engine::start()
{
    boost::system::error_code ec;
    start(ec);
    detail::throw_if(ec, "zctor::engine::start");
}

void engine::start(boost::system::error_code& ec)
{
    if (core_->embedded())
    {
        ec = core_->join();
        return;
    }
    run(ec);
    if (!ec)
        join(ec);
}

void engine::stop() noexcept { core_->stop(); }

} // namespace zctor
