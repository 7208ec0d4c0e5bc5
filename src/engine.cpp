//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#include <zctor/detail/timer_state.hpp>
#include <zctor/engine.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <thread>

#include "actor_extras.hpp"

namespace zctor {
namespace detail {

namespace {
thread_local const engine_core* current_worker_core = nullptr;
thread_local const void* current_worker = nullptr; // the engine_core::worker this thread runs

constexpr int as_int(engine_state s) noexcept { return static_cast<int>(s); }
} // namespace

bool on_engine_thread() noexcept { return current_worker != nullptr || current_actor != nullptr; }

// ---------------------------------------------------------------------------------------------
// actor_base

actor_base::actor_base(engine_core& core, std::uint32_t worker, std::uint64_t id, type_key behavior)
    : worker_(worker), id_(id), behavior_(behavior), engine_state_(&core.state_word()),
      core_(core.shared_from_this()),
      strand_(boost::asio::make_strand(core.worker_at(worker).ctx->get_executor()))
{}

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

void actor_base::drain()
{
    if (status_.load(std::memory_order_relaxed) == actor_status::stopped)
    {
        // A stopped actor's mailbox stays "scheduled" for good: no further handoff is posted, and
        // whatever arrives late is freed (and counted) with the actor.
        drop_all();
        return;
    }
    const current_actor_scope running(this);
    if (start_pending_) [[unlikely]]
    {
        if (!run_start()) // failed: the actor stopped
            return;
    }
    auto& w = core_->worker_at(worker_);
    const std::size_t batch = core_->config().batch_size;
    std::size_t ran = 0;
    std::size_t handled = 0; // handler calls: ran minus cancelled timer messages
    std::size_t failed = 0;
    auto account = [&] {
        if (handled != 0)
            w.handled.fetch_add(handled, std::memory_order_relaxed);
        if (failed != 0)
            w.failed.fetch_add(failed, std::memory_order_relaxed);
    };
    while (ran < batch)
    {
        if (const std::uint8_t stop = stop_requested_.load(std::memory_order_relaxed); stop != 0)
        {
            account();
            // Stopped from elsewhere: the finalize posted to the strand carries the reason.
            if ((stop & stop_posted) == 0)
                finalize(stop_reason{stop_kind::normal});
            return;
        }
        if (core_->dropping())
        {
            // Shutdown without drain: the coordinator's finalize drops the rest.
            account();
            return;
        }
        message_node* n = mailbox_.pop();
        if (n == nullptr)
            break;
        const run_result r = n->run(n, *this, true);
        ++ran;
        if (r != run_result::skipped)
            ++handled;
        if (r == run_result::failed)
        {
            ++failed;
            if (policy_ != failure_policy::resume) [[unlikely]]
            {
                account();
                handled = failed = 0;
                if (!apply_failure_policy()) // stopped
                    return;
            }
        }
        else if (r == run_result::suspended)
        {
            // The mailbox stays "scheduled" (no handoff is posted) until end_coroutine().
            account();
            return;
        }
    }
    account();
    if (ran == batch)
    {
        // Fairness: let the worker's other actors run before the next batch.
        schedule(true);
        return;
    }
    scheduled_.store(false, std::memory_order_seq_cst);
    if (!mailbox_.empty() && !scheduled_.exchange(true, std::memory_order_seq_cst))
        schedule();
}

void actor_base::run_on_strand(actor_ptr self)
{
    auto& strand = self->strand_;
    boost::asio::dispatch(strand, drain_op{std::move(self)});
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
    // goes on until cancelled or its actor stops.
    const bool rejected = static_cast<bool>(target_->push(n)); // the actor or engine stopped
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
        core_->worker_at(worker_).failed.fetch_add(1, std::memory_order_relaxed);
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

void actor_base::drop_all() noexcept
{
    // Each message freed here is a dead letter: its run function hands it to the handler.
    actor_base* const saved = dead_letter_actor;
    if (core_->config().on_dead_letter) [[unlikely]]
        dead_letter_actor = this;
    std::size_t n = 0;
    while (message_node* m = mailbox_.pop())
    {
        m->run(m, *this, false);
        ++n;
    }
    dead_letter_actor = saved;
    if (n != 0)
        core_->count_dropped(n);
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
    std::size_t n = external.size();
    if (!embedded_)
        n = config.thread_count != 0 ? config.thread_count
                                     : std::max<std::size_t>(1, std::thread::hardware_concurrency());
    workers_.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
    {
        auto w = std::make_unique<worker>();
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
        state_.store(as_int(engine_state::running));
}

engine_core::~engine_core() = default;

void* engine_core::worker_main(void* arg) noexcept
{
    auto* start = static_cast<std::pair<std::shared_ptr<engine_core>, worker*>*>(arg);
    std::shared_ptr<engine_core> core = std::move(start->first);
    worker* w = start->second;
    delete start;
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
    for (auto& w : workers_)
    {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        int rc = 0;
        if (config_.stack_size != 0)
            rc = pthread_attr_setstacksize(&attr, config_.stack_size);
        auto* arg = new std::pair<std::shared_ptr<engine_core>, worker*>(shared_from_this(), w.get());
        if (rc == 0)
            rc = pthread_create(&w->thread, &attr, &engine_core::worker_main, arg);
        pthread_attr_destroy(&attr);
        if (rc != 0)
        {
            delete arg;
            return error::thread_creation_failed;
        }
        w->has_thread = true;
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
        run_ordered_stops(std::move(actors));
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
        run_ordered_stops(std::move(actors));
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

void engine_core::run_ordered_stops(std::shared_ptr<std::vector<actor_ptr>> actors)
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
        finalize_all(std::move(actors));
        return;
    }
    auto r = std::make_shared<ordered_run>();
    r->core = shared_from_this();
    r->groups = std::move(groups);
    r->deadline = std::make_shared<boost::asio::steady_timer>(*workers_[0]->ctx, config_.drain_timeout);
    r->then = [self = shared_from_this(), actors = std::move(actors), deadline = r->deadline]() mutable {
        // On the timer's worker: the timer is not safe to touch from any thread.
        boost::asio::post(*self->workers_[0]->ctx, [self, actors = std::move(actors), deadline]() mutable {
            deadline->cancel();
            self->finalize_all(std::move(actors));
        });
    };
    r->deadline->async_wait([r](const boost::system::error_code& ec) {
        if (!ec)
            r->finish();
    });
    r->next();
}

void engine_core::finalize_all(std::shared_ptr<std::vector<actor_ptr>> actors)
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
        boost::asio::post(a->strand(), [a, remaining, all_finalized] {
            a->finalize(stop_reason{stop_kind::shutdown});
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

void engine_core::finish() noexcept
{
    if (finished_.exchange(true)) // the last unwinding coroutine, or the timeout: the first wins
        return;
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

boost::system::error_code engine_core::place(std::uint32_t& out) noexcept
{
    const std::size_t n = workers_.size();
    const std::size_t start = next_worker_.fetch_add(1, std::memory_order_relaxed);
    const std::size_t max = config_.max_actors_per_worker;
    for (std::size_t i = 0; i < n; ++i)
    {
        const std::size_t idx = (start + i) % n;
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
    }
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
    if (a.routes.count != 0)
    {
        std::unique_lock routes_lock(routes_mutex_);
        try
        {
            for (std::size_t i = 0; i < a.routes.count; ++i)
            {
                auto& r = routes_[a.routes.keys[i]];
                if (!r)
                    r = std::make_unique<route>();
                r->entries.push_back({&a, a.routes.fns[i]});
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
        if (a.routes.count != 0)
        {
            std::unique_lock routes_lock(routes_mutex_);
            for (std::size_t i = 0; i < a.routes.count; ++i)
            {
                auto it = routes_.find(a.routes.keys[i]);
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
    core_->owner = this;
}

engine::engine(boost::asio::io_context& context, const engine_config& config)
    : engine(std::vector<boost::asio::io_context*>{&context}, config)
{}

engine::engine(const std::vector<boost::asio::io_context*>& contexts, const engine_config& config)
{
    checked(config);
    if (contexts.empty() || std::find(contexts.begin(), contexts.end(), nullptr) != contexts.end() ||
        contexts.size() > engine_config::max_thread_count)
        detail::throw_error(error::invalid_configuration, "zctor::engine: invalid list of io_contexts");
    core_ = std::make_shared<detail::engine_core>(config, contexts);
    core_->owner = this;
}

engine::~engine() { core_->shutdown_from_destructor(); }

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
