//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_ENGINE_CORE_HPP
#define ZCTOR_DETAIL_ENGINE_CORE_HPP

#include <zctor/config.hpp>
#include <zctor/detail/actor_base.hpp>
#include <zctor/detail/type_key.hpp>
#include <zctor/error.hpp>
#include <zctor/metrics.hpp>
#include <zctor/stats.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <pthread.h>

namespace zctor {

class engine;

namespace detail {

constexpr bool valid_policy(overflow_policy p) noexcept
{
    return p == overflow_policy::fail || p == overflow_policy::drop_newest ||
           p == overflow_policy::drop_oldest || p == overflow_policy::backpressure;
}

/// The actor_config field that is out of range (against the engine's defaults and its number of
/// workers), or nullptr.
const char* check_actor_config(const actor_config& config, const engine_config& engine,
                               std::size_t workers) noexcept;

/// How many workers an engine that owns its threads has with `config`.
std::size_t own_worker_count(const engine_config& config) noexcept;

/// An io_context whose shutdown (destroying every pending handler) the engine may call early.
class owned_context : public boost::asio::io_context
{
public:
    owned_context() : boost::asio::io_context(1) {}
    using boost::asio::io_context::shutdown;
};

/// The shared part of an engine. Actors and in-flight operations hold it, so a late send or a
/// completing coordinator never touches freed memory.
class engine_core : public std::enable_shared_from_this<engine_core>
{
public:
    using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

    struct alignas(64) worker
    {
        boost::asio::io_context* ctx = nullptr;
        std::unique_ptr<owned_context> owned;
        std::optional<work_guard> guard;
        pthread_t thread{};
        bool has_thread = false;
        std::uint32_t index = 0; // in workers_
        std::atomic<std::size_t> actors{0};
        // Owned workers: actors with messages, and whether a pump is posted or running.
        alignas(64) intrusive_mpsc<ready_link> ready;
        std::atomic<bool> pumping{false};
        std::atomic<bool> nudged{false}; // something was posted from another thread: see nudge()
        std::deque<actor_base*> local;   // activated by the worker itself: LIFO, worker thread only
        alignas(64) std::atomic<std::uint64_t> handled{0};
        std::atomic<std::uint64_t> failed{0};
        std::atomic<std::uint64_t> activations{0}; // engine_config::metrics only
        std::atomic<std::uint64_t> busy_ns{0};     // engine_config::metrics only
    };

    engine_core(const engine_config& config, const std::vector<boost::asio::io_context*>& external);
    ~engine_core();

    // Life cycle (engine.cpp).
    boost::system::error_code run();
    boost::system::error_code join();
    void stop() noexcept;
    void shutdown_from_destructor() noexcept;

    engine_stats stats() const noexcept;
    engine_snapshot snapshot();
    engine_state state() const noexcept { return static_cast<engine_state>(state_.load()); }
    bool accepting() const noexcept
    {
        return state_.load(std::memory_order_acquire) < static_cast<int>(engine_state::stopping);
    }
    bool embedded() const noexcept { return embedded_; }
    bool owns_workers() const noexcept { return !embedded_; }

    /// Owned workers: queues an actor whose mailbox went from idle to scheduled.
    void activate(actor_base& a, bool fifo = false);
    /// Owned workers, any thread but the worker's own, after a post to its io_context (an ask's
    /// completion): a pump spinning on the worker ends its visit at once, so that the io_context
    /// runs the post without waiting for the visit's end, and counts it as work.
    void nudge(std::uint32_t worker) noexcept;
    /// Owned workers, on the worker's own thread: restarts the pump of a worker that was going to
    /// sleep, so that it spins for engine_config::idle_spin again (an asker awaiting its next
    /// reply, which reaches it as a post, not through the ready queue).
    void keep_pumping(std::uint32_t worker) noexcept;

    // Spawning.
    /// Picks the worker of a new actor and counts the actor on it: the one `config` asks for
    /// (actor_config::worker, placement::local), else the next in turn that has room.
    boost::system::error_code place(std::uint32_t& worker, const actor_config* config) noexcept;
    void unplace(std::uint32_t worker) noexcept;
    std::uint64_t next_id() noexcept { return next_id_.fetch_add(1, std::memory_order_relaxed) + 1; }
    boost::system::error_code register_actor(actor_base& a);

    /// Spawns an `Actor` built from `args`, with the mailbox `config` asks for (null: the engine's
    /// defaults). On invalid_configuration, `field` names the actor_config field at fault.
    template <class Actor, class... Args>
    actor_ptr make_actor(boost::system::error_code& ec, const char*& field, const actor_config* config,
                         Args&&... args);
    /// The actor's name and metrics, when it has either. Throws std::bad_alloc.
    std::unique_ptr<actor_info> make_info(const actor_config* options) const;

    // Routing by message type.
    template <class M, class Arg>
    boost::system::error_code route_send(Arg&& arg);
    template <class M, class Arg>
    std::size_t route_publish(const Arg& arg, boost::system::error_code& ec);
    template <class M>
    boost::system::error_code route_pick(actor_ptr& actor, message_node::run_fn& fn);

    // Called by actors.
    void unregister_actor(actor_base& a) noexcept;
    void actor_finished(actor_base& a) noexcept;
    void count_dropped(std::size_t n) noexcept { dropped_.fetch_add(n, std::memory_order_relaxed); }
    void count_mailbox_dropped() noexcept { mailbox_dropped_.fetch_add(1, std::memory_order_relaxed); }
    void count_mailbox_rejected() noexcept { mailbox_rejected_.fetch_add(1, std::memory_order_relaxed); }
    void report(std::uint64_t actor, const boost::system::error_code& ec, std::exception_ptr ex) noexcept;
    bool dropping() const noexcept
    {
        return drop_on_stop_ &&
               state_.load(std::memory_order_relaxed) >= static_cast<int>(engine_state::stopping);
    }

    const engine_config& config() const noexcept { return config_; }
    worker& worker_at(std::size_t i) noexcept { return *workers_[i]; }
    std::size_t worker_count() const noexcept { return workers_.size(); }

    engine* owner = nullptr;
    std::atomic<std::uint64_t> replies_discarded{0}; // late replies to asks (reply_slot counts them)

    // Death watch and the name registry (lifecycle.cpp). Records are released when either side
    // stops; a name goes when its actor stops.
    boost::system::error_code monitor(actor_base& watcher, actor_base& target);
    boost::system::error_code link(actor_base& a, actor_base& b, bool unlink = false);
    boost::system::error_code demonitor(actor_base& watcher, actor_base& target);
    /// From finalize(), once the actor is stopped: notifies its watchers, releases its records.
    void watched_actor_stopped(actor_base& a, const stop_reason& why) noexcept;
    boost::system::error_code register_name(const std::string& name, actor_base& a);
    boost::system::error_code unregister_name(const std::string& name);
    boost::system::error_code lookup(const std::string& name, actor_ptr& out);
    std::size_t watch_count() const;
    std::size_t name_count() const;

    /// Stops a group of actors in its own order at shutdown (a supervision tree, children before
    /// parents): called once, on a worker, after the drain and before the other actors are
    /// finalized, with the function to call (from any thread) once the group has stopped. The
    /// groups run one after the other, the last added first, bounded by the drain timeout.
    using ordered_stop = std::function<void(std::function<void()> done)>;
    std::uint64_t add_ordered_stop(ordered_stop f);
    void remove_ordered_stop(std::uint64_t key) noexcept;

    /// A stopped actor's cancelled coroutine handler is unwinding: the shutdown does not stop the
    /// workers before it has (release_finish), or before the drain timeout has passed again.
    void hold_finish() noexcept { finish_holds_.fetch_add(1); }
    void release_finish() noexcept
    {
        if (finish_holds_.fetch_sub(1) == 1)
            finish();
    }

    /// Keep the core alive, without a shared_ptr each (an actor is 8 bytes smaller for it): each
    /// actor holds the core from its construction to the end of its destruction, and the engine
    /// object from its construction to its destruction. While anything holds it, the core owns a
    /// shared_ptr to itself; the last release drops that, which may destroy the core.
    void hold() noexcept { holds_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept
    {
        if (holds_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            drop_self();
    }
    /// Once, by the engine object, after construction: its own hold, which takes the self-reference.
    void hold_self();

private:
    void drop_self() noexcept;

    struct route
    {
        struct entry
        {
            actor_base* actor;
            message_node::run_fn fn;
        };
        std::vector<entry> entries;
        std::atomic<std::size_t> next{0};
    };

    struct thread_start;
    static void* worker_main(void* arg) noexcept;
    void pump(worker& w, std::chrono::steady_clock::time_point idle_since);
    boost::system::error_code start_threads();
    bool on_worker_thread() const noexcept;
    /// The worker that runs the calling thread, or nullptr (placement::local).
    const worker* this_thread_worker() const noexcept;
    boost::system::error_code place_on(std::size_t idx, std::uint32_t& out) noexcept;
    bool contexts_live() const noexcept;

    // Shutdown, asynchronous on the workers or inline when nothing runs them.
    void coordinate_async();
    void wait_quiescent(std::shared_ptr<std::vector<actor_ptr>> actors, std::size_t pos,
                        std::chrono::steady_clock::time_point deadline, std::chrono::microseconds backoff);
    void finalize_all(std::shared_ptr<std::vector<actor_ptr>> actors,
                      std::chrono::steady_clock::time_point deadline);
    void run_ordered_stops(std::shared_ptr<std::vector<actor_ptr>> actors,
                           std::chrono::steady_clock::time_point deadline);
    void coordinate_inline() noexcept;
    void finalize_inline() noexcept;
    std::vector<actor_ptr> take_registry();
    void fail_send_waiters() noexcept;
    void finish() noexcept;
    void join_threads() noexcept;

    engine_config config_;
    bool embedded_;
    bool drop_on_stop_;
    std::vector<std::unique_ptr<worker>> workers_;
    std::atomic<int> state_{static_cast<int>(engine_state::idle)};
    std::atomic<bool> coordination_taken_{false};
    std::atomic<bool> threads_started_{false};
    std::atomic<std::size_t> next_worker_{0};
    std::atomic<std::uint64_t> next_id_{0};

    std::mutex registry_mutex_;
    actor_base* registry_head_ = nullptr;
    bool registry_closed_ = false;

    mutable std::shared_mutex routes_mutex_;
    std::unordered_map<type_key, std::unique_ptr<route>> routes_;

    std::mutex state_mutex_;
    std::condition_variable state_cv_;
    std::mutex join_mutex_;
    bool threads_joined_ = false;

    // Death watch: (target -> watcher) records, and (watcher -> target) to release a watcher's.
    struct watch_record
    {
        actor_ptr watcher;
        bool link;
    };
    mutable std::mutex watch_mutex_; // also guards the names
    std::unordered_multimap<actor_base*, watch_record> watchers_of_;
    std::unordered_multimap<actor_base*, actor_base*> watched_by_;
    std::unordered_map<std::string, actor_ptr> names_;
    std::unordered_multimap<actor_base*, std::string> names_of_;

    std::atomic<std::uint64_t> spawned_{0};
    std::atomic<std::uint64_t> stopped_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> loop_failures_{0};
    std::atomic<std::uint64_t> mailbox_dropped_{0};
    std::atomic<std::uint64_t> mailbox_rejected_{0};
    std::atomic<std::size_t> finish_holds_{1}; // the shutdown's own, released once all are finalized
    std::atomic<std::size_t> holds_{0};        // hold(): the engine object and each actor
    std::shared_ptr<engine_core> self_;        // while holds_ > 0
    std::atomic<bool> finished_{false};
    // For the workers' idle time: when the engine ran, and when it stopped (0: not yet).
    std::atomic<std::int64_t> started_ns_{0};
    std::atomic<std::int64_t> stopped_ns_{0};
    std::shared_ptr<boost::asio::steady_timer> finish_timer_; // bounds the wait for unwinding coroutines

    std::mutex ordered_mutex_;
    std::vector<std::pair<std::uint64_t, ordered_stop>> ordered_stops_;
    std::uint64_t ordered_next_ = 0;
};

inline bool actor_base::engine_accepting() const noexcept { return core_->accepting(); }

template <class Actor, class... Args>
actor_ptr engine_core::make_actor(boost::system::error_code& ec, const char*& field,
                                  const actor_config* config, Args&&... args)
{
    ec = {};
    std::size_t capacity = config_.default_mailbox_capacity;
    overflow_policy policy = config_.default_overflow;
    if (config != nullptr)
    {
        field = check_actor_config(*config, config_, workers_.size());
        if (field != nullptr)
        {
            ec = error::invalid_configuration;
            return {};
        }
        capacity = config->mailbox_capacity.value_or(capacity);
        policy = config->overflow.value_or(policy);
    }
    if (!accepting())
    {
        ec = error::engine_stopped;
        return {};
    }
    std::uint32_t w = 0;
    ec = place(w, config);
    if (ec)
        return {};
    actor_ptr p;
    try
    {
        p = actor_ptr(new Actor(*this, w, next_id(), std::forward<Args>(args)...), false);
        if (capacity != 0)
            p->make_bounded(capacity, policy);
        if (config != nullptr)
            p->set_validate_state(config->validate_state);
        if (config_.metrics || (config != nullptr && !config->name.empty()))
            p->set_info(make_info(config));
    }
    catch (const std::bad_alloc&)
    {
        unplace(w);
        ec = error::out_of_memory;
        return {};
    }
    catch (...)
    {
        unplace(w);
        throw;
    }
    ec = register_actor(*p);
    if (ec)
        return {};
    return p;
}

template <class M, class Arg>
boost::system::error_code engine_core::route_send(Arg&& arg)
{
    if (!accepting())
        return error::engine_stopped;
    std::shared_lock lock(routes_mutex_);
    auto it = routes_.find(key_of<M>());
    if (it == routes_.end() || it->second->entries.empty())
        return error::actor_not_found;
    route& r = *it->second;
    const auto& e = r.entries[r.next.fetch_add(1, std::memory_order_relaxed) % r.entries.size()];
    return e.actor->template push_value<M>(e.fn, std::forward<Arg>(arg));
}

template <class M>
boost::system::error_code engine_core::route_pick(actor_ptr& actor, message_node::run_fn& fn)
{
    if (!accepting())
        return error::engine_stopped;
    std::shared_lock lock(routes_mutex_);
    auto it = routes_.find(key_of<M>());
    if (it == routes_.end() || it->second->entries.empty())
        return error::actor_not_found;
    route& r = *it->second;
    const auto& e = r.entries[r.next.fetch_add(1, std::memory_order_relaxed) % r.entries.size()];
    actor = actor_ptr(e.actor);
    fn = e.fn;
    return {};
}

template <class M, class Arg>
std::size_t engine_core::route_publish(const Arg& arg, boost::system::error_code& ec)
{
    ec = {};
    if (!accepting())
    {
        ec = error::engine_stopped;
        return 0;
    }
    std::shared_lock lock(routes_mutex_);
    auto it = routes_.find(key_of<M>());
    if (it == routes_.end() || it->second->entries.empty())
    {
        ec = error::actor_not_found;
        return 0;
    }
    std::size_t delivered = 0;
    boost::system::error_code last;
    for (const auto& e : it->second->entries)
    {
        auto r = e.actor->template push_value<M>(e.fn, arg);
        if (r)
            last = r;
        else
            ++delivered;
    }
    if (delivered == 0)
        ec = last;
    return delivered;
}

} // namespace detail
} // namespace zctor

#endif
