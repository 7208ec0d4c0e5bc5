//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#include <zctor/supervisor.hpp>
#include <zctor/timer.hpp>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <set>

namespace zctor {
namespace detail {

namespace {
// Set by a supervisor while a child factory runs: a supervisor constructed then is its child (not
// the root of a tree) and leaves its shared part here, for the parent to stop it in order.
thread_local std::shared_ptr<supervisor_impl>* child_supervisor_slot = nullptr;
} // namespace

// Everything below runs on the supervisor's strand, unless said otherwise. Shared with the
// callbacks of asynchronous stops and timers, which may outlive the behaviour object: `alive`
// says whether the supervisor still runs.
struct supervisor_impl : std::enable_shared_from_this<supervisor_impl>
{
    using clock = std::chrono::steady_clock;

    struct child
    {
        child_spec spec;
        actor_ptr ref;                        // the running incarnation
        std::shared_ptr<supervisor_impl> sub; // when the child is a supervisor
        std::size_t restarts = 0;
        bool pending = false; // to be restarted
        bool removed = false; // a temporary child that stopped
    };

    supervisor_options opts;
    std::vector<child> children;
    actor_base* self = nullptr;
    bool has_parent = false;
    bool alive = false;    // between on_start and on_stop
    bool stopping = false; // giving up or shutting down: no more restarts
    bool busy = false;     // a restart (stopping the group, the backoff) is under way
    std::uint64_t ordered_key = 0;
    std::uint64_t generation = 0; // of the backoff tick that may restart `restart_set`
    std::vector<std::size_t> restart_set;
    std::deque<std::size_t> queue; // children waiting for their restart while busy
    std::deque<clock::time_point> window;

    void emit(supervisor_event e) noexcept
    {
        if (!opts.on_event)
            return;
        try
        {
            opts.on_event(e);
        }
        catch (...)
        {}
    }

    void report(const boost::system::error_code& ec, std::exception_ptr ex = nullptr) noexcept
    {
        self->core().report(self->id(), ec, std::move(ex));
    }

    // Starts one incarnation of child i.
    boost::system::error_code start_child(std::size_t i)
    {
        child& c = children[i];
        context ctx(*self);
        child_ref r;
        std::shared_ptr<supervisor_impl> sub;
        boost::system::error_code ec;
        child_supervisor_slot = &sub;
        try
        {
            r = c.spec.start(ctx);
        }
        catch (const boost::system::system_error& e)
        {
            ec = e.code();
            report(ec, std::current_exception());
        }
        catch (...)
        {
            ec = error::handler_failed;
            report(ec, std::current_exception());
        }
        child_supervisor_slot = nullptr;
        if (!ec && !r)
            ec = error::actor_not_found;
        if (ec)
            return ec;
        c.ref = r.pointer();
        c.sub = c.ref->behavior() == key_of<supervisor>() ? std::move(sub) : nullptr;
        c.pending = false;
        try
        {
            ec = self->core().monitor(*self, *c.ref); // a child that has stopped already: down at once
        }
        catch (const std::bad_alloc&)
        {
            ec = error::out_of_memory;
        }
        if (ec)
        {
            c.ref->request_stop(stop_reason{stop_kind::shutdown});
            c.ref = actor_ptr();
            c.sub.reset();
            return ec;
        }
        if (!c.spec.name.empty())
        {
            try
            {
                if (auto nec = self->core().register_name(c.spec.name, *c.ref))
                    report(nec); // the child runs, unnamed
            }
            catch (const std::bad_alloc&)
            {
                report(error::out_of_memory);
            }
        }
        emit({supervisor_event_kind::child_started, c.spec.id, c.ref->id(), {}, c.restarts, {}});
        return {};
    }

    // Stops the running children listed, in that order, each after the previous has stopped
    // (its on_stop has run), with `why`; then `then`, on this strand. Abandoned if the supervisor
    // stops in between.
    void stop_in_order(std::shared_ptr<std::vector<std::size_t>> order, std::size_t k, stop_reason why,
                       std::function<void()> then)
    {
        for (; k < order->size(); ++k)
        {
            child& c = children[(*order)[k]];
            if (c.ref && !c.ref->stopped())
                break;
            c.ref = actor_ptr();
            c.sub.reset();
        }
        if (k == order->size())
        {
            then();
            return;
        }
        child& c = children[(*order)[k]];
        actor_ptr p = std::move(c.ref); // its down, if any comes, is ignored: no child has its id
        std::shared_ptr<supervisor_impl> sub = std::move(c.sub);
        auto back = [impl = shared_from_this(), me = actor_ptr(self), order, k, why, then] {
            // Any thread: resume on this supervisor's strand.
            boost::asio::post(me->strand(), [impl, order, k, why, then] {
                if (impl->alive)
                    impl->stop_in_order(order, k + 1, why, then);
            });
        };
        stop_actor(std::move(p), std::move(sub), why, std::move(back));
    }

    // Stops `p` (any thread) and calls `back` once it has stopped; a supervisor first stops its
    // own children in order.
    static void stop_actor(actor_ptr p, std::shared_ptr<supervisor_impl> sub, stop_reason why,
                           std::function<void()> back) noexcept
    {
        try
        {
            if (sub)
            {
                auto& strand = p->strand();
                boost::asio::post(strand, [p = std::move(p), sub = std::move(sub), why, back] {
                    if (!p->stopped() && sub->alive)
                        sub->shut_down(why, back);
                    else
                        stop_actor(p, nullptr, why, back);
                });
                return;
            }
            p->request_stop(why);
            // The strand runs what is posted to it in order: this comes after the stop's finalize.
            boost::asio::post(p->strand(), back);
        }
        catch (...)
        {
            // Out of memory for the hand-off: go on without waiting.
            back();
        }
    }

    // Stops the children in reverse start order, then this supervisor with `why`; then `done`
    // (from the strand, once the supervisor has stopped).
    void shut_down(stop_reason why, std::function<void()> done)
    {
        stopping = true;
        ++generation; // a pending backoff tick does nothing
        auto order = std::make_shared<std::vector<std::size_t>>();
        for (std::size_t i = children.size(); i-- > 0;)
            order->push_back(i);
        stop_in_order(order, 0, stop_reason{stop_kind::shutdown},
                      [impl = shared_from_this(), me = actor_ptr(self), why, done] {
                          try
                          {
                              me->request_stop(why);
                              boost::asio::post(me->strand(), done); // after the finalize
                          }
                          catch (...)
                          {
                              done();
                          }
                      });
    }

    void give_up(const boost::system::error_code& ec)
    {
        if (stopping)
            return;
        stop_reason why{stop_kind::failure, ec};
        emit({supervisor_event_kind::gave_up, {}, 0, why, 0, {}});
        shut_down(why, [] {});
    }

    void on_down(const down& d)
    {
        auto it = std::find_if(children.begin(), children.end(),
                               [&](const child& c) { return c.ref && c.ref->id() == d.who; });
        if (it == children.end())
            return; // an incarnation the supervisor stopped itself, or an old one
        child& c = *it;
        c.ref = actor_ptr();
        c.sub.reset();
        emit({supervisor_event_kind::child_stopped, c.spec.id, d.who, d.why, c.restarts, {}});
        if (stopping)
            return;
        if (c.spec.restart == restart_type::temporary)
        {
            c.removed = true;
            return;
        }
        if (c.spec.restart == restart_type::transient && !d.why.abnormal())
            return;
        c.pending = true;
        request_restart(static_cast<std::size_t>(it - children.begin()));
    }

    void request_restart(std::size_t i)
    {
        if (busy)
        {
            queue.push_back(i);
            return;
        }
        // Intensity: the restarts within the sliding window, this one included.
        const auto now = clock::now();
        while (!window.empty() && now - window.front() > opts.within)
            window.pop_front();
        window.push_back(now);
        if (window.size() > opts.max_restarts)
        {
            give_up(error::restart_limit_reached);
            return;
        }
        busy = true;
        std::vector<std::size_t> set;
        if (opts.strategy == restart_strategy::one_for_one)
            set.push_back(i);
        else
            for (std::size_t j = opts.strategy == restart_strategy::one_for_all ? 0 : i; j < children.size();
                 ++j)
                if (!children[j].removed)
                    set.push_back(j);
        // The others of the group stop first, in reverse start order; a temporary one is not
        // restarted (as in Erlang/OTP).
        auto order = std::make_shared<std::vector<std::size_t>>();
        for (auto j = set.rbegin(); j != set.rend(); ++j)
        {
            child& c = children[*j];
            if (*j == i || !c.ref)
                continue;
            order->push_back(*j);
            if (c.spec.restart == restart_type::temporary)
                c.removed = true;
            else
                c.pending = true;
        }
        std::erase_if(set, [&](std::size_t j) { return children[j].removed; });
        stop_in_order(order, 0, stop_reason{stop_kind::shutdown},
                      [impl = shared_from_this(), i, set = std::move(set)]() mutable {
                          impl->after_group_stop(i, std::move(set));
                      });
    }

    void after_group_stop(std::size_t i, std::vector<std::size_t> set)
    {
        if (stopping)
            return;
        clock::duration delay{};
        const auto& b = opts.backoff;
        if (b.initial > clock::duration::zero())
        {
            const double factor = std::pow(b.multiplier, static_cast<double>(window.size() - 1));
            const double ticks = static_cast<double>(b.initial.count()) * factor;
            delay = ticks >= static_cast<double>(b.max.count())
                        ? b.max
                        : clock::duration(static_cast<clock::rep>(ticks));
        }
        emit({supervisor_event_kind::restart_scheduled,
              children[i].spec.id,
              0,
              {},
              children[i].restarts,
              delay});
        if (delay == clock::duration::zero())
        {
            restart(std::move(set));
            return;
        }
        restart_set = std::move(set);
        boost::system::error_code ec;
        send_after(actor_ref<supervisor>(actor_ptr(self), self->routes().fns), delay,
                   supervisor_tick{++generation}, ec);
        if (ec)
        {
            report(ec);
            restart(std::move(restart_set)); // no timer: restart now rather than never
        }
    }

    void tick(const supervisor_tick& t)
    {
        if (t.generation != generation || stopping || !busy)
            return;
        restart(std::move(restart_set));
    }

    // Starts the children of the group again, in start order.
    void restart(std::vector<std::size_t> set)
    {
        busy = false;
        for (std::size_t j : set)
        {
            child& c = children[j];
            if (c.removed || c.ref || stopping)
                continue;
            ++c.restarts;
            if (start_child(j))
            {
                c.pending = true;
                queue.push_back(j); // a failed start is a failure: restarted again, counted
            }
        }
        // Failures that came while busy.
        while (!busy && !stopping && !queue.empty())
        {
            const std::size_t j = queue.front();
            queue.pop_front();
            if (!children[j].removed && !children[j].ref && children[j].pending)
                request_restart(j);
        }
    }
};

} // namespace detail

supervisor::supervisor(supervisor_options options, std::vector<child_spec> children)
    : impl_(std::make_shared<detail::supervisor_impl>())
{
    std::set<std::string> ids;
    for (const auto& c : children)
        if (!c.start || !ids.insert(c.id).second)
            detail::throw_error(error::invalid_configuration, "zctor::supervisor: a child without a start "
                                                              "function, or an id used twice");
    const auto& b = options.backoff;
    if (b.multiplier < 1.0 || !std::isfinite(b.multiplier) || b.initial.count() < 0 || b.max.count() < 0 ||
        options.within.count() < 0)
        detail::throw_error(error::invalid_configuration, "zctor::supervisor: invalid backoff or intensity");
    impl_->opts = std::move(options);
    impl_->children.reserve(children.size());
    for (auto& c : children)
        impl_->children.push_back(detail::supervisor_impl::child{std::move(c), {}, {}});
    if (detail::child_supervisor_slot != nullptr && !*detail::child_supervisor_slot)
    {
        *detail::child_supervisor_slot = impl_;
        detail::child_supervisor_slot = nullptr;
        impl_->has_parent = true;
    }
}

void supervisor::on_start(context& ctx)
{
    auto& impl = *impl_;
    impl.self = ctx.self<supervisor>().pointer().get();
    impl.alive = true;
    if (!impl.has_parent)
    {
        // The root of a tree: stopped in order at engine shutdown, before the other actors.
        impl.ordered_key = impl.self->core().add_ordered_stop(
            [impl = impl_, me = detail::actor_ptr(impl.self)](std::function<void()> done) {
                boost::asio::post(me->strand(), [impl, me, done] {
                    if (!me->stopped() && impl->alive && !impl->stopping)
                        impl->shut_down(stop_reason{stop_kind::shutdown}, done);
                    else
                        done();
                });
            });
    }
    for (std::size_t i = 0; i < impl.children.size(); ++i)
    {
        if (auto ec = impl.start_child(i))
        {
            impl.give_up(ec);
            return;
        }
    }
}

void supervisor::on_stop(context&, const stop_reason& why)
{
    auto& impl = *impl_;
    impl.alive = false;
    impl.stopping = true;
    if (impl.ordered_key != 0)
        impl.self->core().remove_ordered_stop(impl.ordered_key);
    // Stopped from outside while children run: they stop too, without waiting for them.
    for (auto it = impl.children.rbegin(); it != impl.children.rend(); ++it)
    {
        if (it->ref)
        {
            try
            {
                it->ref->request_stop(stop_reason{stop_kind::shutdown});
            }
            catch (...)
            {}
        }
        it->ref = detail::actor_ptr();
        it->sub.reset();
    }
    impl.emit({supervisor_event_kind::stopped, {}, impl.self->id(), why, 0, {}});
}

void supervisor::on_down(context&, const down& d) { impl_->on_down(d); }

std::vector<child_status> supervisor::handle(const which_children&)
{
    std::vector<child_status> out;
    for (const auto& c : impl_->children)
        if (!c.removed)
            out.push_back({c.spec.id, c.spec.restart, child_ref(c.ref), c.restarts, c.pending});
    return out;
}

child_ref supervisor::handle(const get_child& m)
{
    for (const auto& c : impl_->children)
        if (!c.removed && c.spec.id == m.id)
            return child_ref(c.ref);
    return {};
}

void supervisor::handle(context&, const detail::supervisor_tick& t) { impl_->tick(t); }

} // namespace zctor
