//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Lifecycle hooks, failure policies, dead letters, death watch and the name registry.
//
#include <zctor/engine.hpp>

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "actor_extras.hpp"

namespace zctor {
namespace detail {

namespace {

/// Runs a watch notification (down, exit_signal) on its actor, like a message.
template <class T>
run_result run_notification(message_node* node, actor_base& a, bool handle) noexcept
{
    std::unique_ptr<message<T>> n(static_cast<message<T>*>(node));
    if (!handle)
    {
        if (dead_letter_actor == &a)
            a.report_dead_letter(typeid(T), &n->value);
        return run_result::handled;
    }
    try
    {
        context ctx(a);
        return a.deliver(ctx, n->value) ? run_result::handled : run_result::skipped;
    }
    catch (...)
    {
        a.report_failure(error::handler_failed, std::current_exception());
        return run_result::failed;
    }
}

template <class T>
void notify(actor_base& to, T value) noexcept
{
    try
    {
        // Rejected when the watcher stopped meanwhile, or the engine is stopping: it is freed.
        (void)to.push(new message<T>(&run_notification<T>, std::move(value)));
    }
    catch (...)
    {
        to.report_failure(error::out_of_memory, std::current_exception());
    }
}

/// Erases one (key, value) of a multimap for which `match(value)` holds.
template <class Map, class Match>
void erase_one(Map& m, const typename Map::key_type& key, Match match)
{
    auto [b, e] = m.equal_range(key);
    for (auto it = b; it != e; ++it)
    {
        if (match(it->second))
        {
            m.erase(it);
            return;
        }
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------
// actor_base: lifecycle

void actor_base::extras_needed()
{
    if (!extras_)
        extras_ = std::make_unique<extras>();
}

void actor_base::set_hooks(hooks h)
{
    extras_needed();
    extras_->user_hooks.emplace(std::move(h));
}

const hooks* actor_base::get_hooks() const noexcept
{
    return extras_ && extras_->user_hooks ? &*extras_->user_hooks : nullptr;
}

void actor_base::set_rebuild(std::function<void()> f)
{
    extras_needed();
    extras_->rebuild = std::move(f);
}

boost::system::error_code actor_base::start_behavior(context& ctx)
{
    if (const hooks* h = get_hooks(); h != nullptr && h->on_start)
        h->on_start(ctx);
    return {};
}

void actor_base::stop_behavior(context& ctx, const stop_reason& why)
{
    if (const hooks* h = get_hooks(); h != nullptr && h->on_stop)
        h->on_stop(ctx, why);
}

void actor_base::started() noexcept
{
    // Hand the actor to its strand as a send would, so that on_start runs even if no message
    // ever comes; a send that came first has done it already, and the drain starts with it.
    if (start_pending_ && !scheduled_.exchange(true, std::memory_order_seq_cst))
        schedule();
}

stop_reason actor_base::call_start() noexcept
{
    start_pending_ = false;
    const current_actor_scope running(this);
    boost::system::error_code ec;
    std::exception_ptr ex;
    try
    {
        context ctx(*this);
        ec = start_behavior(ctx);
    }
    catch (...)
    {
        ec = error::handler_failed;
        ex = std::current_exception();
    }
    if (!ec)
    {
        start_done_ = true;
        return {};
    }
    report_failure(ec, ex);
    return stop_reason{stop_kind::failure, ec, ex};
}

bool actor_base::run_start() noexcept
{
    stop_reason why = call_start();
    if (why.kind == stop_kind::normal)
        return true;
    finalize(why); // on_stop does not run: on_start failed
    return false;
}

void actor_base::run_stop(const stop_reason& why) noexcept
{
    if (!start_done_)
        return; // on_start never ran, or failed: nothing to pair on_stop with
    start_done_ = false;
    const current_actor_scope running(this);
    try
    {
        context ctx(*this);
        stop_behavior(ctx, why);
    }
    catch (...)
    {
        report_failure(error::handler_failed, std::current_exception());
    }
}

bool actor_base::apply_failure_policy() noexcept
{
    stop_reason why{stop_kind::failure, make_error_code(error::handler_failed)};
    if (extras_)
    {
        why.error = std::exchange(extras_->last_error, {});
        why.exception = std::exchange(extras_->last_exception, nullptr);
    }
    if (policy_ == failure_policy::stop || !extras_ || !extras_->rebuild)
    {
        finalize(why);
        return false;
    }
    // Restart: the old incarnation ends as if it stopped, a fresh one starts; the mailbox, the
    // id, the references, the routes, the timers and the watches stay.
    run_stop(why);
    destroy_state_and_behavior();
    try
    {
        extras_->rebuild();
    }
    catch (...)
    {
        const auto ex = std::current_exception();
        report_failure(error::handler_failed, ex);
        finalize(stop_reason{stop_kind::failure, make_error_code(error::handler_failed), ex});
        return false;
    }
    start_done_ = !has_start_;
    if (has_start_)
        return run_start();
    return true;
}

// ---------------------------------------------------------------------------------------------
// actor_base: watch notifications and dead letters

bool actor_base::deliver(context& ctx, const down& d)
{
    if (extras_ && extras_->down_handler)
    {
        extras_->down_handler(ctx, d);
        return true;
    }
    return behavior_down(ctx, d);
}

bool actor_base::deliver(context& ctx, const exit_signal& e)
{
    if (extras_ && extras_->exit_handler)
    {
        extras_->exit_handler(ctx, e);
        return true;
    }
    return behavior_exit(ctx, e);
}

void actor_base::set_down_handler(std::function<void(context&, const down&)> f)
{
    extras_needed();
    extras_->down_handler = std::move(f);
}

void actor_base::set_exit_handler(std::function<void(context&, const exit_signal&)> f)
{
    extras_needed();
    extras_->exit_handler = std::move(f);
}

void actor_base::report_dead_letter(const std::type_info& type, const void* message) noexcept
{
    try
    {
        core_->config().on_dead_letter(dead_letter{id_, &type, message});
    }
    catch (...)
    {}
}

// ---------------------------------------------------------------------------------------------
// engine_core: death watch

boost::system::error_code engine_core::monitor(actor_base& watcher, actor_base& target)
{
    stop_kind dead_kind;
    {
        std::lock_guard lock(watch_mutex_);
        if (watcher.stopped())
            return error::actor_stopped;
        watcher.watched.store(true, std::memory_order_seq_cst);
        target.watched.store(true, std::memory_order_seq_cst);
        if (!target.stopped())
        {
            // Either the target's finalize sees `watched` and then this record, or this sees it
            // stopped (both seq_cst).
            watchers_of_.emplace(&target, watch_record{actor_ptr(&watcher), false});
            try
            {
                watched_by_.emplace(&watcher, &target);
            }
            catch (...)
            {
                erase_one(watchers_of_, &target,
                          [&](const watch_record& r) { return r.watcher.get() == &watcher; });
                throw;
            }
            return {};
        }
        dead_kind = target.final_kind();
    }
    // Already dead: the down comes at once, with the kind of stop (the error is not kept).
    notify(watcher, down{target.id(), stop_reason{dead_kind}});
    return {};
}

boost::system::error_code engine_core::demonitor(actor_base& watcher, actor_base& target)
{
    actor_ptr released;
    std::lock_guard lock(watch_mutex_);
    auto [b, e] = watchers_of_.equal_range(&target);
    for (auto it = b; it != e; ++it)
    {
        if (it->second.watcher.get() == &watcher && !it->second.link)
        {
            released = std::move(it->second.watcher); // the watcher itself: alive, it is calling
            watchers_of_.erase(it);
            erase_one(watched_by_, &watcher, [&](actor_base* t) { return t == &target; });
            return {};
        }
    }
    return error::actor_not_found;
}

boost::system::error_code engine_core::link(actor_base& a, actor_base& b, bool unlink)
{
    if (&a == &b)
        return {};
    std::lock_guard lock(watch_mutex_);
    auto linked = [&](actor_base& target, actor_base& watcher) {
        auto [first, last] = watchers_of_.equal_range(&target);
        return std::find_if(first, last, [&](const auto& kv) {
                   return kv.second.link && kv.second.watcher.get() == &watcher;
               }) != last;
    };
    auto erase_link = [&](actor_base& target, actor_base& watcher) {
        erase_one(watchers_of_, &target,
                  [&](const watch_record& r) { return r.link && r.watcher.get() == &watcher; });
        erase_one(watched_by_, &watcher, [&](actor_base* t) { return t == &target; });
    };
    if (unlink)
    {
        if (!linked(a, b))
            return error::actor_not_found;
        erase_link(a, b);
        erase_link(b, a);
        return {};
    }
    if (a.stopped())
        return error::actor_stopped;
    a.watched.store(true, std::memory_order_seq_cst);
    b.watched.store(true, std::memory_order_seq_cst);
    if (b.stopped())
        return error::actor_stopped;
    if (linked(b, a))
        return {};
    try
    {
        watchers_of_.emplace(&b, watch_record{actor_ptr(&a), true});
        watchers_of_.emplace(&a, watch_record{actor_ptr(&b), true});
        watched_by_.emplace(&a, &b);
        watched_by_.emplace(&b, &a);
    }
    catch (...)
    {
        erase_link(b, a);
        erase_link(a, b);
        throw;
    }
    return {};
}

void engine_core::watched_actor_stopped(actor_base& a, const stop_reason& why) noexcept
{
    std::vector<watch_record> watchers;
    std::vector<actor_ptr> released; // released outside the lock: a destructor may run
    {
        std::lock_guard lock(watch_mutex_);
        try
        {
            // Its names.
            auto [nb, ne] = names_of_.equal_range(&a);
            for (auto it = nb; it != ne; ++it)
            {
                auto n = names_.find(it->second);
                if (n != names_.end() && n->second.get() == &a)
                {
                    released.push_back(std::move(n->second));
                    names_.erase(n);
                }
            }
            names_of_.erase(nb, ne);
            // Those watching it: notified below.
            auto [tb, te] = watchers_of_.equal_range(&a);
            watchers.reserve(static_cast<std::size_t>(std::distance(tb, te)));
            for (auto it = tb; it != te; ++it)
            {
                erase_one(watched_by_, it->second.watcher.get(), [&](actor_base* t) { return t == &a; });
                watchers.push_back(std::move(it->second));
            }
            watchers_of_.erase(tb, te);
            // Those it watches: they need not tell it anything any more.
            auto [wb, we] = watched_by_.equal_range(&a);
            for (auto it = wb; it != we; ++it)
            {
                auto [b, e] = watchers_of_.equal_range(it->second);
                for (auto r = b; r != e; ++r)
                {
                    if (r->second.watcher.get() == &a)
                    {
                        released.push_back(std::move(r->second.watcher));
                        watchers_of_.erase(r);
                        break;
                    }
                }
            }
            watched_by_.erase(wb, we);
        }
        catch (...)
        {
            // Out of memory for the lists above: what was not released stays until the engine goes.
            report(a.id(), error::out_of_memory, std::current_exception());
        }
    }
    for (auto& w : watchers)
    {
        actor_base& to = *w.watcher;
        if (!w.link)
            notify(to, down{a.id(), why});
        else if (why.kind == stop_kind::shutdown)
            continue; // everything is stopping
        else if (to.traps_exit())
            notify(to, exit_signal{a.id(), why});
        else if (why.abnormal())
        {
            try
            {
                to.request_stop(stop_reason{stop_kind::linked, why.error, why.exception, a.id()});
            }
            catch (...)
            {
                report(to.id(), error::out_of_memory, std::current_exception());
            }
        }
    }
}

std::size_t engine_core::watch_count() const
{
    std::lock_guard lock(watch_mutex_);
    return watchers_of_.size();
}

// ---------------------------------------------------------------------------------------------
// engine_core: names

boost::system::error_code engine_core::register_name(const std::string& name, actor_base& a)
{
    if (name.empty())
        return error::invalid_message;
    std::lock_guard lock(watch_mutex_);
    a.watched.store(true, std::memory_order_seq_cst);
    if (a.stopped())
        return error::actor_stopped;
    auto it = names_.find(name);
    if (it != names_.end())
        return it->second.get() == &a ? boost::system::error_code() : make_error_code(error::name_in_use);
    names_.emplace(name, actor_ptr(&a));
    try
    {
        names_of_.emplace(&a, name);
    }
    catch (...)
    {
        names_.erase(name);
        throw;
    }
    return {};
}

boost::system::error_code engine_core::unregister_name(const std::string& name)
{
    actor_ptr released;
    std::lock_guard lock(watch_mutex_);
    auto it = names_.find(name);
    if (it == names_.end())
        return error::actor_not_found;
    released = std::move(it->second);
    erase_one(names_of_, released.get(), [&](const std::string& n) { return n == name; });
    names_.erase(it);
    return {};
}

boost::system::error_code engine_core::lookup(const std::string& name, actor_ptr& out)
{
    std::lock_guard lock(watch_mutex_);
    auto it = names_.find(name);
    if (it == names_.end() || it->second->stopped())
        return error::actor_not_found;
    out = it->second;
    return {};
}

std::size_t engine_core::name_count() const
{
    std::lock_guard lock(watch_mutex_);
    return names_.size();
}

} // namespace detail
} // namespace zctor

namespace zctor {

void engine::unregister_name(const std::string& name)
{
    boost::system::error_code ec;
    unregister_name(name, ec);
    detail::throw_if(ec, "zctor::engine::unregister_name");
}

void engine::unregister_name(const std::string& name, boost::system::error_code& ec)
{
    ec = core_->unregister_name(name);
}

} // namespace zctor
