//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_CONFIG_HPP
#define ZCTOR_CONFIG_HPP

#include <zctor/lifecycle.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace zctor {

/// What happens to messages already accepted when the engine stops.
enum class shutdown_policy
{
    drain, ///< Process them (bounded by engine_config::drain_timeout), then stop the actors.
    drop,  ///< Stop the actors at once; each message not yet handled is counted as dropped.
};

/// What a bounded mailbox does with a message that finds it full (see actor_config).
enum class overflow_policy
{
    fail,         ///< The send fails with error::mailbox_full; the message is not taken.
    drop_newest,  ///< The new message is discarded and counted; the send reports success.
    drop_oldest,  ///< The oldest queued message is discarded (and counted) to make room.
    backpressure, ///< async_send waits for room; a plain send or an ask fails with mailbox_full.
};

/// Scheduling priority of the engine's worker threads (the book's ThreadConfig priority).
/// Applied by each worker to itself as its nice value when it starts; where the system does not
/// permit it, run() fails with the system's error (see engine_config::priority).
enum class thread_priority
{
    low,    ///< nice value engine_config::low_priority_nice: other threads of the system go first
    normal, ///< left as inherited from the thread that calls run()
    high,   ///< nice value engine_config::high_priority_nice: needs CAP_SYS_NICE or RLIMIT_NICE
};

/// Which worker a new actor runs on (actor_config::placement). An actor stays on its worker for
/// its whole life; actors on one worker never run at the same time, and a message between two
/// of them is handed over without waking another thread.
enum class placement : unsigned char
{
    /// The next worker in turn that has room (the default): spreads actors over the workers.
    round_robin,
    /// The worker of the thread that calls spawn, when that thread is a worker of the same
    /// engine (an actor's handler, or any handler run by that worker's io_context; for an
    /// engine embedded in application io_contexts, a thread running one of them). From any
    /// other thread, round_robin. Co-locates chatty actors: a parent and the children it spawns
    /// from its handler. When that worker is full (engine_config::max_actors_per_worker), the
    /// spawn fails with error::thread_pool_full; the actor is not moved elsewhere.
    local,
};

/// A failure reported to engine_config::on_failure, on the worker thread where it happened.
struct failure
{
    std::uint64_t actor_id = 0;      ///< 0 when no actor is involved (an event loop failure)
    boost::system::error_code error; ///< handler_failed, the handler's own code, event_loop_failed
    std::exception_ptr exception;    ///< what was thrown, if anything
};

/// Engine configuration (the book's EngineConfig). Checked by validate() before anything starts.
struct engine_config
{
    /// Worker threads; 0 picks the hardware thread count (at least 1). At most max_thread_count.
    std::size_t thread_count = 0;

    /// Largest number of actors one worker may hold; 0 means unlimited. Spawning when every
    /// worker is full fails with error::thread_pool_full.
    std::size_t max_actors_per_worker = 0;

    /// Messages one actor handles per activation before it yields its worker to other actors.
    std::size_t batch_size = 64;

    /// What stop() does with accepted messages.
    shutdown_policy shutdown = shutdown_policy::drain;

    /// How long the drain may take; what is left after it is dropped and counted.
    std::chrono::milliseconds drain_timeout{10'000};

    /// How long an idle worker keeps looking for work before it sleeps. Spinning briefly saves
    /// the sleep and wake-up (about 10 us) when messages come in quick succession; after the
    /// first few microseconds the worker yields its core to any other thread that wants it.
    /// 0 sleeps at once. At most max_idle_spin. Embedded engines do not spin.
    std::chrono::microseconds idle_spin{50};

    /// Stack size of worker threads in bytes; 0 keeps the system default. At least min_stack_size.
    std::size_t stack_size = 0;

    /// The CPUs each worker thread may run on (the book's cpu_affinity): worker i runs only on
    /// the CPUs in cpu_affinity[i % cpu_affinity.size()], each a set of CPU indices as taken by
    /// `taskset -c`. One worker per CPU: `{{0}, {1}}`; workers sharing CPUs: `{{0, 1}}`.
    /// Empty (the default): the system places the threads. Each set must be non-empty and name
    /// CPUs the machine has; there may be no more sets than workers. A CPU outside the process's
    /// allowed set (a container's cpuset) makes run() fail with the system's error (EINVAL).
    std::vector<std::vector<unsigned>> cpu_affinity{};

    /// Pins worker i to one CPU, the ((i mod n)+1)-th of the n CPUs that the thread calling
    /// run() may run on: one worker per CPU, round robin. Not together with cpu_affinity.
    bool pin_workers = false;

    /// Priority of the worker threads (the book's priority), applied by each worker as it
    /// starts. Where the system refuses it (thread_priority::high without CAP_SYS_NICE, beyond
    /// RLIMIT_NICE), run() fails with the system's error code (EACCES or EPERM in
    /// boost::system::system_category()) and starts nothing, as when thread creation fails.
    thread_priority priority = thread_priority::normal;

    /// Collect per-actor and per-worker metrics for engine::snapshot() and to_prometheus():
    /// messages received, processed, failed and dropped, handler time (total, maximum, a log2
    /// histogram), mailbox depth and its peak; worker activations and busy time. Off (the
    /// default), the hot path pays one well-predicted branch per activation and per send.
    bool metrics = false;

    /// Called on the worker thread for every failed handler and every exception that escapes
    /// other work run by a worker. Must not throw (what it throws is discarded).
    std::function<void(const failure&)> on_failure{};

    /// Mailbox capacity of actors spawned without one of their own (the book's
    /// message_queue_size): the most messages queued and not yet taken by the actor.
    /// 0 = unbounded. At most max_mailbox_capacity.
    std::size_t default_mailbox_capacity = 0;

    /// What a full bounded mailbox does, for actors spawned without a policy of their own.
    overflow_policy default_overflow = overflow_policy::fail;

    /// Called for every dead letter: a message accepted by an actor and freed unhandled because
    /// the actor stopped (by itself, through a reference, by failure, or with the engine). Each
    /// one is also counted in engine_stats::messages_dropped. Runs on the thread that frees the
    /// message (usually the actor's worker; whatever thread releases the last reference to a
    /// stopped actor for a message that raced its stop). Must not throw (what it throws is
    /// discarded) and must not block.
    std::function<void(const dead_letter&)> on_dead_letter{};

    static constexpr std::size_t max_thread_count = 1024;
    static constexpr std::size_t max_batch_size = 1 << 20;
    static constexpr std::size_t min_stack_size = 64 * 1024;
    static constexpr std::chrono::microseconds max_idle_spin{10'000};
    static constexpr int low_priority_nice = 10;
    static constexpr int high_priority_nice = -10;
    static constexpr std::size_t max_mailbox_capacity = (std::size_t{1} << 31) - 1;
};

/// Per-actor configuration (the book's ActorConfig), given to spawn as its first argument:
/// `eng.spawn<M>(zctor::actor_config{.name = "printer", .mailbox_capacity = 100}, handler)`.
struct actor_config
{
    /// How the inspector (engine::snapshot, to_prometheus) lists the actor. Empty: by its id and
    /// behaviour type only. Costs one allocation at spawn when set, nothing per message.
    std::string name{};

    /// The most messages queued and not yet taken by the actor (the book's max_queue_size;
    /// the message being handled does not count). Unset: engine_config::default_mailbox_capacity.
    /// 0 = unbounded. At most engine_config::max_mailbox_capacity.
    std::optional<std::size_t> mailbox_capacity{};

    /// What a full mailbox does. Unset: engine_config::default_overflow. Setting it for an
    /// unbounded mailbox is an error (it would never apply).
    std::optional<overflow_policy> overflow{};

    /// The book's initial_queue_capacity, accepted for compatibility: it has no effect, since a
    /// mailbox is an intrusive list whose links live in the messages themselves and has nothing
    /// to preallocate. At most the mailbox capacity when the mailbox is bounded, and at most
    /// engine_config::max_mailbox_capacity.
    std::size_t initial_queue_capacity = 0;

    /// The book's validate_state: in debug builds (NDEBUG not defined where the handler is
    /// compiled), after each handler that succeeded, a state with a `bool validate() const`
    /// member is checked; false makes that message a failure with error::state_corrupted
    /// (counted, reported to on_failure, then the failure policy). Release builds never check.
    bool validate_state = true;

    /// Which worker the actor runs on, unless `worker` names one: round robin (the default), or
    /// the spawning thread's worker (see zctor::placement).
    zctor::placement placement = zctor::placement::round_robin;

    /// The index of the worker to run the actor on, in [0, worker count): an engine's own
    /// workers are engine_config::thread_count (the hardware thread count when 0); an embedded
    /// engine's are its io_contexts, in the order given. Set, it overrides `placement`. Out of
    /// range, the spawn fails with error::invalid_configuration; a full worker
    /// (engine_config::max_actors_per_worker) fails it with error::thread_pool_full.
    std::optional<std::size_t> worker{};
};

/// Checks a configuration. Returns error::invalid_configuration and names the field in `field`.
/// The thread options (stack_size, cpu_affinity, pin_workers, priority) apply to an engine's own
/// worker threads: an engine embedded in application io_contexts has none and rejects them too.
boost::system::error_code validate(const engine_config& config, std::string* field = nullptr);

/// Checks an actor configuration on its own, and against the engine defaults it falls back on
/// (`engine`). Returns error::invalid_configuration and names the field in `field`. `worker` is
/// checked against the worker count `engine` gives its own workers (thread_count, or the hardware
/// thread count when 0); the first overload, which knows no engine, accepts any worker index. A
/// spawn checks it against the engine's actual workers, which for an embedded engine are its
/// io_contexts.
boost::system::error_code validate(const actor_config& config, std::string* field = nullptr);
boost::system::error_code validate(const actor_config& config, const engine_config& engine,
                                   std::string* field = nullptr);

} // namespace zctor

#endif
