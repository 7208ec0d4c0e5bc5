//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_ACTOR_BASE_HPP
#define ZCTOR_DETAIL_ACTOR_BASE_HPP

#include <zctor/config.hpp>
#include <zctor/detail/actor_metrics.hpp>
#include <zctor/detail/message_pool.hpp>
#include <zctor/detail/mpsc_queue.hpp>
#include <zctor/detail/reply_slot.hpp>
#include <zctor/detail/state_holder.hpp>
#include <zctor/detail/this_thread.hpp>
#include <zctor/detail/type_key.hpp>
#include <zctor/error.hpp>
#include <zctor/lifecycle.hpp>
#include <zctor/stats.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <typeinfo>
#include <utility>
#include <variant>

namespace zctor {

class context;

namespace detail {

class engine_core;
class timer_state;

/// Engine life cycle, shared read-mostly with every send.
enum class engine_state : int
{
    idle,     // constructed, accepting spawns and sends, not running
    running,  // workers running
    stopping, // stop() called: no new spawns or sends
    stopped,  // every actor finalized, workers joined
};

enum class actor_status : std::uint8_t
{
    running,
    stopped,
};

/// A request carries where its reply goes (empty when it was sent, not asked).
template <class M>
struct message_reply
{};
template <class M>
requires request<M>
struct message_reply<M>
{
    reply_ref<reply_type_t<M>> reply;
};

/// Where the reply to an ask of `M` goes: a reply_slot for a request, nothing otherwise.
template <class M>
struct reply_slot_for_impl
{
    using type = void;
};
template <class M>
requires request<M>
struct reply_slot_for_impl<M>
{
    using type = reply_slot<reply_type_t<M>>;
};
template <class M>
using reply_slot_for = typename reply_slot_for_impl<M>::type;

/// A message in a mailbox: the node header followed by the value, in one allocation.
template <class M>
struct message final : message_node, message_reply<M>
{
    // Pooled: allocated by the sender's thread, returned to it by the receiver's worker.
    static void* operator new(std::size_t n) { return message_pool::allocate(n); }
    static void operator delete(void* p, std::size_t n) noexcept { message_pool::deallocate(p, n); }
    // Over-aligned messages bypass the pool.
    static void* operator new(std::size_t n, std::align_val_t a) { return ::operator new(n, a); }
    static void operator delete(void* p, std::size_t, std::align_val_t a) noexcept
    {
        ::operator delete(p, a);
    }

    template <class... Args>
    explicit message(run_fn fn, Args&&... args) : value(std::forward<Args>(args)...)
    {
        run = fn;
    }
    M value;
};

template <class T>
struct is_variant : std::false_type
{};
template <class... Ts>
struct is_variant<std::variant<Ts...>> : std::true_type
{};

class actor_ptr;

/// An async_send waiting for room in a full backpressure mailbox. Parked in the target's list,
/// which holds a reference; completed once, by whoever unlinks it (the consumer making room, a
/// cancellation, the target or the engine stopping). The list fields are guarded by the target's
/// waiter mutex.
struct send_waiter
{
    send_waiter* prev = nullptr;
    send_waiter* next = nullptr;
    message_node* node = nullptr; // the message, owned while parked
    bool linked = false;
    bool cancel_requested = false;

    virtual void add_ref() noexcept = 0;
    virtual void release() noexcept = 0;
    /// Called once, outside the waiter mutex: success when the message was accepted.
    virtual void complete(const boost::system::error_code& ec) noexcept = 0;

protected:
    ~send_waiter() = default;
};

/// The part of a bounded mailbox beyond the queue itself, allocated only for bounded actors.
///
/// One word counts the messages in the queue (low half, `queued`) and, of those, how many the
/// consumer must discard before handling one (high half, `owed`: drop_oldest). The messages that
/// will be handled, queued - owed, never exceed the capacity.
struct bounded_mailbox
{
    static constexpr std::uint64_t one_queued = 1;
    static constexpr std::uint64_t one_owed = std::uint64_t{1} << 32;
    static std::uint64_t queued(std::uint64_t w) noexcept { return w & 0xffffffffu; }
    static std::uint64_t owed(std::uint64_t w) noexcept { return w >> 32; }

    bounded_mailbox(std::size_t cap, overflow_policy p) noexcept : capacity(cap), policy(p) {}

    /// Takes a place for one message if the mailbox has room.
    bool try_reserve() noexcept
    {
        std::uint64_t w = word.load(std::memory_order_seq_cst);
        while (queued(w) - owed(w) < capacity)
            if (word.compare_exchange_weak(w, w + one_queued, std::memory_order_seq_cst))
                return true;
        return false;
    }

    /// drop_oldest: takes a place, owing a drop when full. Returns whether a drop is owed.
    bool reserve_or_owe() noexcept
    {
        std::uint64_t w = word.load(std::memory_order_seq_cst);
        for (;;)
        {
            const bool full = queued(w) - owed(w) >= capacity;
            if (word.compare_exchange_weak(w, w + one_queued + (full ? one_owed : 0),
                                           std::memory_order_seq_cst))
                return full;
        }
    }

    /// Consumer: one message left the queue. Returns true when it must be discarded (an owed drop).
    bool take() noexcept
    {
        std::uint64_t w = word.load(std::memory_order_seq_cst);
        for (;;)
        {
            const bool drop = owed(w) != 0;
            if (word.compare_exchange_weak(w, w - one_queued - (drop ? one_owed : 0),
                                           std::memory_order_seq_cst))
                return drop;
        }
    }

    const std::size_t capacity;
    const overflow_policy policy;
    std::atomic<std::uint64_t> word{0};
    std::atomic<std::uint64_t> dropped{0};
    std::atomic<std::uint64_t> rejected{0};
    std::atomic<bool> has_waiters{false};
    mutable std::mutex mutex; // guards the waiter list
    send_waiter* head = nullptr;
    send_waiter* tail = nullptr;
    std::size_t waiting = 0;
};

/// The actor whose queued messages this thread is freeing as dead letters, when the engine has a
/// dead-letter handler (engine_config::on_dead_letter); nullptr otherwise. A message's run
/// function, asked to free it, hands it to the handler first while this names its actor.
inline thread_local actor_base* dead_letter_actor = nullptr;

/// The message types an actor is routed for, and how to run each on it.
struct route_info
{
    const type_key* keys = nullptr;
    const message_node::run_fn* fns = nullptr;
    std::size_t count = 0;
};

/// What every actor of one behaviour type shares: the behaviour's key and its routes. One static
/// instance per actor type (actor_type_of, dispatch.hpp), reached through the actor's vtable
/// (actor_base::type_info), so that an actor holds no pointer for it.
struct actor_type_info
{
    type_key behavior;
    route_info routes;
};

/// What every actor has, whatever its behaviour: reference count, mailbox, strand, state.
/// Reference-counted so that a send racing a stop never touches freed memory.
class actor_base : public ready_link
{
public:
    using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;

    actor_base(engine_core& core, std::uint32_t worker, std::uint64_t id);
    actor_base(const actor_base&) = delete;
    actor_base& operator=(const actor_base&) = delete;

    /// Frees messages still queued, counting them as dropped.
    virtual ~actor_base();

    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept
    {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete this;
    }

    /// Any thread. Takes ownership of `n` whatever the outcome.
    boost::system::error_code push(message_node* n) noexcept
    {
        if ((flags_ & send_flags) != 0) [[unlikely]]
            return push_flagged(n);
        return push_unbounded<true>(n);
    }

    /// Builds a node for `M` from `arg` and pushes it.
    template <class M, class Arg>
    boost::system::error_code
    push_value(message_node::run_fn fn, Arg&& arg,
               reply_slot_for<M>* slot = nullptr) noexcept(std::is_nothrow_constructible_v<M, Arg&&>)
    {
        if constexpr (is_variant<std::decay_t<Arg>>::value)
        {
            if (arg.valueless_by_exception())
                return error::invalid_message;
        }
        if (!engine_accepting())
            return error::engine_stopped;
        // The only cost of bounded mailboxes and per-actor metrics to an actor without them, on
        // the send side: one test of one byte.
        if ((flags_ & send_flags) != 0) [[unlikely]]
            return push_value_flagged<M>(fn, std::forward<Arg>(arg), slot);
        message<M>* n = make_message<M>(fn, std::forward<Arg>(arg), slot);
        if (n == nullptr)
            return error::out_of_memory;
        return push_unbounded<true, false>(n); // the engine's state was checked above
    }

    /// Any thread: queues `n` (taking it whatever the outcome), or parks `w` with it until a full
    /// backpressure mailbox has room (`parked`: `w` is completed later, by whoever unlinks it).
    boost::system::error_code send_or_park(message_node* n, send_waiter& w, bool& parked) noexcept;

    /// Any thread: a parked async_send's cancellation. Completes it with operation_aborted if it
    /// is still waiting; otherwise only marks it, so that it does not park afterwards.
    void cancel_waiter(send_waiter& w) noexcept;

    /// Any thread: completes every parked async_send with `ec`, its message freed unsent.
    void fail_waiters(const boost::system::error_code& ec) noexcept;

    /// Whether async_sends wait for room here (a bounded mailbox with some waiting).
    bool has_waiters() const noexcept;

    /// Spawn only, before the actor is registered: makes the mailbox bounded. Throws std::bad_alloc.
    void make_bounded(std::size_t capacity, overflow_policy policy);

    /// Any thread: the mailbox's capacity, policy and counters.
    zctor::mailbox_stats mailbox_stats() const noexcept;

    /// Any thread: asks the actor to stop after the message it is handling, if any, for `why`.
    void request_stop(const stop_reason& why = {stop_kind::killed});

    /// Strand only: the state breaks its invariants, and this actor checks them (debug builds).
    bool state_invalid() const { return validate_state_ && state_.invalid(); }
    /// Spawn only, before the actor is registered.
    void set_validate_state(bool on) noexcept { validate_state_ = on; }

    /// Any thread.
    bool stopped() const noexcept { return status_.load(std::memory_order_acquire) == actor_status::stopped; }

    std::uint64_t id() const noexcept { return id_; }
    std::uint32_t worker() const noexcept { return worker_; }
    type_key behavior() const noexcept { return type_info().behavior; }
    /// The message types the actor is routed for (fixed by its type).
    const route_info& routes() const noexcept { return type_info().routes; }
    const strand_type& strand() const noexcept { return strand_; }
    engine_core& core() const noexcept { return *core_; }
    std::shared_ptr<engine_core> core_ptr() const noexcept;
    state_holder& state() noexcept { return state_; }

    /// Any thread: the actor stops after the message it is handling (checked between messages).
    void stop_after_current() noexcept { stop_requested_.fetch_or(stop_self, std::memory_order_relaxed); }

    /// Strand only: a handler reported failure or threw.
    void report_failure(const boost::system::error_code& ec, std::exception_ptr ex) noexcept;

    /// Strand only: a coroutine handler is about to start; the mailbox waits for it. Returns the
    /// slot that cancels it when the actor stops. Throws std::bad_alloc.
    boost::asio::cancellation_slot begin_coroutine();

    /// Strand only: the coroutine handler finished (`failed` when it threw or reported failure).
    /// Resumes the mailbox, or completes a stop that came while it was suspended.
    void end_coroutine(bool failed) noexcept;

    /// Strand only: the live timers whose messages go to this actor, stopped with it. The list
    /// holds a reference to each.
    void add_timer(timer_state& t);
    void remove_timer(timer_state& t) noexcept;

    /// Where late replies to asks to this actor are counted (engine_stats::replies_discarded).
    std::atomic<std::uint64_t>* replies_discarded_counter() const noexcept;

    /// Any thread: whether a coroutine handler is suspended (it is the one running when called
    /// from the actor's strand).
    bool in_coroutine() const noexcept { return coroutine_active_.load(std::memory_order_relaxed); }

    // Registry list, guarded by the engine's registry mutex.
    actor_base* reg_prev = nullptr;
    actor_base* reg_next = nullptr;

    /// Runs the actor's mailbox on its strand (inline when called from its worker).
    static void run_on_strand(actor_ptr self);

    /// Before the actor is registered: its name and metrics (engine_config::metrics), if any.
    /// Throws std::bad_alloc.
    void set_info(std::unique_ptr<actor_info> info);

    /// Any thread: the name and metrics, or nullptr. Fixed before the actor is registered.
    const actor_info* info() const noexcept;

    // Lifecycle, failure policy and death watch (lifecycle.cpp).

    /// Spawn only: the actor is registered; run its on_start hook first thing, if it has one.
    void started() noexcept;
    failure_policy policy() const noexcept { return policy_; }
    /// Strand only: delivers a watch notification to the behaviour (handler, or on_down/on_exit
    /// member). Returns false when nothing handles it.
    bool deliver(context& ctx, const down& d);
    bool deliver(context& ctx, const exit_signal& e);
    /// Hands a message freed unhandled to engine_config::on_dead_letter (see dead_letter_actor).
    void report_dead_letter(const std::type_info& type, const void* message) noexcept;
    void set_down_handler(std::function<void(context&, const down&)> f);
    void set_exit_handler(std::function<void(context&, const exit_signal&)> f);
    void set_trap_exit(bool on) noexcept { trap_exit_.store(on, std::memory_order_relaxed); }
    bool traps_exit() const noexcept { return trap_exit_.load(std::memory_order_relaxed); }
    /// Set before stopped() becomes true; what a late monitor reports.
    stop_kind final_kind() const noexcept { return final_kind_; }

protected:
    /// Strand only, once, when the actor stops: destroys the behaviour object.
    virtual void destroy_behavior() noexcept = 0;
    /// The behaviour's key and routes, shared by every actor of the type: reached through the
    /// vtable, which the actor has anyway, rather than a pointer of its own.
    virtual const actor_type_info& type_info() const noexcept = 0;

    // The behaviour's lifecycle: a class actor's members, or a handler actor's hooks.
    /// Runs on_start (by default the hooks' one); a failure is returned or thrown.
    virtual boost::system::error_code start_behavior(context& ctx);
    /// Runs on_stop (by default the hooks' one); what it throws is caught by the caller.
    virtual void stop_behavior(context& ctx, const stop_reason& why);
    virtual bool behavior_down(context&, const down&) { return false; }
    virtual bool behavior_exit(context&, const exit_signal&) { return false; }

    /// Constructors of behaviours with lifecycle: whether on_start must run before the first
    /// message, and the failure policy.
    void set_lifecycle(bool has_start, failure_policy p)
    {
        if (p != failure_policy::resume)
            extras_needed(); // where the failure is kept for the reason (throws std::bad_alloc)
        has_start_ = start_pending_ = has_start;
        start_done_ = !has_start;
        policy_ = p;
    }
    /// Handler actors' hooks, kept with the actor's rarely used parts. Throws std::bad_alloc.
    void set_hooks(hooks h);
    const hooks* get_hooks() const noexcept;
    /// How restart builds a fresh behaviour object. Throws std::bad_alloc.
    void set_rebuild(std::function<void()> f);

private:
    friend class engine_core;
    struct drain_op;

    // stop_requested_ bits: the actor stops itself after the current message (drain finalizes
    // it, reason normal), or it is stopped from elsewhere (a finalize carrying the reason is
    // posted to its strand; the drain only yields to it).
    static constexpr std::uint8_t stop_self = 1;
    static constexpr std::uint8_t stop_posted = 2;

    void finalize(const stop_reason& why, bool on_strand = true);
    stop_reason call_start() noexcept;
    bool run_start() noexcept;
    void run_stop(const stop_reason& why) noexcept;
    bool apply_failure_policy() noexcept;
    void extras_needed();

    enum class drain_end : std::uint8_t
    {
        empty,          // the mailbox is empty
        batch_done,     // batch_size messages handled, more may wait
        stop_requested, // the actor is to stop (finalize it)
        dropping,       // the engine is shutting down without drain
        suspended,      // a coroutine handler suspended; the mailbox waits for it
        failed,         // a handler failed under the restart or stop policy (drain_batch only)
        stopped,        // the actor stopped: its failure policy, or a failed on_start
    };

    void schedule(bool fifo = false) noexcept;
    void drain();
    drain_end handle_queued();
    template <bool Measured>
    drain_end handle_queued_as();
    template <bool Bounded, bool Measured>
    drain_end drain_batch(std::size_t batch, std::size_t& handled, std::size_t& failed);
    void finalize_after_drain(std::chrono::steady_clock::time_point deadline);

    // flags_ bits: what the actor has in extras_ that senders use. Set before the actor is
    // registered and fixed from then on, so any thread may read them (and, when they say so,
    // extras_, which is allocated by then and never replaced).
    static constexpr std::uint8_t flag_bounded = 1;  // extras_->bounded: a bounded mailbox
    static constexpr std::uint8_t flag_info = 2;     // extras_->info: a name or metrics
    static constexpr std::uint8_t flag_measured = 4; // extras_->info->metrics: per-actor metrics
    static constexpr std::uint8_t send_flags = flag_bounded | flag_measured; // what a send looks at

    /// Any thread: the bounded mailbox, or nullptr for an unbounded one (defined in engine.cpp).
    bounded_mailbox* bounded() const noexcept;

    /// Any thread: whether the engine still accepts messages (engine_core::accepting(); defined in
    /// engine_core.hpp, which this header includes at its end).
    bool engine_accepting() const noexcept;

    /// Any thread: puts an accepted message in the queue and hands the actor to its worker if idle.
    void enqueue(message_node* n) noexcept
    {
        if ((flags_ & flag_measured) != 0) [[unlikely]]
            count_received();
        enqueue_unmeasured(n);
    }

    /// enqueue() for an actor without per-actor metrics (send_flags tested by the caller).
    void enqueue_unmeasured(message_node* n) noexcept
    {
        mailbox_.push(n);
        // Idle -> scheduled: one handoff to the strand per burst, not per message.
        // The plain load skips the locked exchange while the actor is busy; seq_cst keeps the
        // drain's "store false, then look at the queue" from missing this push.
        if (!scheduled_.load(std::memory_order_seq_cst) &&
            !scheduled_.exchange(true, std::memory_order_seq_cst))
            schedule();
        else if (status_.load(std::memory_order_seq_cst) == actor_status::stopped) [[unlikely]]
            drop_late(); // stopped since the sender looked: the closed mailbox never drains
    }
    void drop_late() noexcept;

public:
    /// Any thread, after posting to this actor's strand: an owned worker's spinning pump ends
    /// its visit so that the io_context runs the post now (engine_core::nudge).
    void nudge_worker() noexcept;
    /// This actor's strand: an owned worker that was asleep spins again for a while after this
    /// handler (engine_core::keep_pumping), so that a reply expected soon finds it awake.
    void keep_worker_pumping() noexcept;

private:
    /// Builds a node for `M`; nullptr when out of memory (`arg` is then left as it was).
    template <class M, class Arg>
    static message<M>*
    make_message(message_node::run_fn fn, Arg&& arg,
                 reply_slot_for<M>* slot) noexcept(std::is_nothrow_constructible_v<M, Arg&&>)
    {
        message<M>* n;
        try
        {
            n = new message<M>(fn, std::forward<Arg>(arg));
        }
        catch (const std::bad_alloc&)
        {
            return nullptr;
        }
        if constexpr (request<M>)
            n->reply = reply_ref<reply_type_t<M>>(slot); // an ask; a plain send leaves it empty
        return n;
    }

    /// `Unmeasured`: the caller found no send_flags (no per-actor metrics to count the message in).
    /// `CheckEngine`: false when the caller has just checked that the engine accepts messages.
    template <bool Unmeasured = false, bool CheckEngine = true>
    boost::system::error_code push_unbounded(message_node* n) noexcept
    {
        if (CheckEngine && !engine_accepting())
        {
            n->run(n, *this, false);
            return error::engine_stopped;
        }
        if (status_.load(std::memory_order_acquire) == actor_status::stopped)
        {
            n->run(n, *this, false);
            return error::actor_stopped;
        }
        if constexpr (Unmeasured)
            enqueue_unmeasured(n);
        else
            enqueue(n);
        return {};
    }

    /// push() for an actor with a bounded mailbox or metrics (send_flags).
    boost::system::error_code push_flagged(message_node* n) noexcept;

    /// push_value() for an actor with a bounded mailbox or metrics (send_flags).
    template <class M, class Arg>
    boost::system::error_code
    push_value_flagged(message_node::run_fn fn, Arg&& arg,
                       reply_slot_for<M>* slot) noexcept(std::is_nothrow_constructible_v<M, Arg&&>)
    {
        if ((flags_ & flag_bounded) != 0)
            return push_value_bounded<M>(fn, std::forward<Arg>(arg), slot);
        message<M>* n = make_message<M>(fn, std::forward<Arg>(arg), slot);
        if (n == nullptr)
            return error::out_of_memory;
        return push_unbounded(n);
    }

    template <class M, class Arg>
    boost::system::error_code
    push_value_bounded(message_node::run_fn fn, Arg&& arg,
                       reply_slot_for<M>* slot) noexcept(std::is_nothrow_constructible_v<M, Arg&&>)
    {
        if (stopped())
            return error::actor_stopped;
        // A mailbox that may refuse the message decides before it is built: a refused message is
        // not taken from `arg`. drop_oldest refuses nothing.
        boost::system::error_code ec;
        const reservation r = reserve_bounded(slot != nullptr, ec);
        if (r == reservation::refused)
            return ec; // refused (mailbox_full), or discarded and counted (drop_newest)
        const bool reserved = r == reservation::reserved;
        message<M>* n = make_message<M>(fn, std::forward<Arg>(arg), slot);
        if (n == nullptr)
        {
            if (reserved)
                unreserve();
            return error::out_of_memory;
        }
        if (reserved)
        {
            enqueue(n);
            return {};
        }
        return push_bounded(n);
    }

    // Bounded mailboxes (engine.cpp).
    boost::system::error_code push_bounded(message_node* n) noexcept;
    enum class reservation : std::uint8_t
    {
        reserved,   // a place is taken for the message
        not_needed, // drop_oldest: nothing is reserved, the message is always accepted
        refused,    // no room: the message is refused or discarded (`ec` says which)
    };
    reservation reserve_bounded(bool ask, boost::system::error_code& ec) noexcept;
    void unreserve() noexcept;
    void admit_waiters() noexcept;
    send_waiter* admit_locked() noexcept;
    static void complete_admitted(send_waiter* done) noexcept;
    void count_overflow_drop() noexcept;
    void count_received() noexcept;
    void destroy_state_and_behavior() noexcept;
    void drop_all() noexcept;

    // The actor's hold on the engine core (engine_core::hold), from its construction to the end
    // of its destruction: declared before strand_, so released after it, as the core owns the
    // strand's io_context.
    struct core_hold
    {
        explicit core_hold(engine_core& c) noexcept;
        core_hold(const core_hold&) = delete;
        core_hold& operator=(const core_hold&) = delete;
        ~core_hold();
        engine_core& operator*() const noexcept { return *core; }
        engine_core* operator->() const noexcept { return core; }
        engine_core* core;
    };
    core_hold core_;
    strand_type strand_;
    state_holder state_;
    // Rarely used parts (a bounded mailbox, a name, metrics, coroutine cancellation, timers),
    // allocated on first use to keep actors small.
    struct extras;
    std::unique_ptr<extras> extras_;
    std::uint64_t id_;

    // The fields that the sender and the actor's worker both write, together: a cross-thread
    // send moves as few cache lines as it can (the mailbox's head, scheduled_, refs_).
    mpsc_queue mailbox_;
    // The small fields last, packed: their tail padding holds the member of a class_actor or
    // function_actor when it is small (the Itanium C++ ABI lays a derived class's members out in
    // a non-POD base's tail padding), such as the object of an actor class without data members.
    // At most 2^32 - 1 references: each is an object in memory (an actor_ptr, a queued handoff, a
    // registry entry), so the count cannot overflow in practice.
    std::atomic<std::uint32_t> refs_{1};
    std::uint32_t worker_;
    std::atomic<bool> scheduled_{false};
    std::atomic<actor_status> status_{actor_status::running};
    std::atomic<std::uint8_t> stop_requested_{0};
    std::atomic<bool> coroutine_active_{false};
    std::atomic<bool> trap_exit_{false};
    /// Whether the actor has, or had, watch records or names to release when it stops. Set,
    /// under the engine's watch mutex, before looking at stopped().
    std::atomic<bool> watched{false};
    bool registered = false;     // in the engine's registry list (guarded by the registry mutex)
    bool has_start_ = false;     // the behaviour has an on_start hook
    bool start_pending_ = false; // on_start has yet to run
    bool start_done_ = true;     // on_start ran, or there is none: on_stop runs at the stop
    bool validate_state_ = true; // actor_config::validate_state (checked in debug builds only)
    failure_policy policy_ = failure_policy::resume;
    std::uint8_t flags_ = 0; // flag_bounded, flag_info, flag_measured
    stop_kind final_kind_ = stop_kind::normal;
};

/// Owning reference to an actor (intrusive count).
class actor_ptr
{
public:
    actor_ptr() noexcept = default;
    explicit actor_ptr(actor_base* p, bool add_ref = true) noexcept : p_(p)
    {
        if (p_ != nullptr && add_ref)
            p_->add_ref();
    }
    actor_ptr(const actor_ptr& o) noexcept : actor_ptr(o.p_) {}
    actor_ptr(actor_ptr&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    actor_ptr& operator=(actor_ptr o) noexcept
    {
        std::swap(p_, o.p_);
        return *this;
    }
    ~actor_ptr()
    {
        if (p_ != nullptr)
            p_->release();
    }

    actor_base* get() const noexcept { return p_; }
    actor_base* operator->() const noexcept { return p_; }
    actor_base& operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    actor_base* detach() noexcept { return std::exchange(p_, nullptr); }

private:
    actor_base* p_ = nullptr;
};

} // namespace detail
} // namespace zctor

// The engine's core, whose definition actor_base's inline functions use (engine_accepting()).
// Included last: engine_core.hpp includes this header.
#include <zctor/detail/engine_core.hpp>

#endif
