//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Where spawn puts an actor: round robin (the default), placement::local (the spawning thread's
// worker) and actor_config::worker (an explicit worker), with their errors.
//
#define BOOST_TEST_MODULE zctor_placement
#include <zctor/config.hpp>
#include <zctor/engine.hpp>
#include <zctor/error.hpp>
#include <zctor_test/checks.hpp>
#include <zctor_test/wait.hpp>
#include <zctor_test/watchdog.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using boost::system::error_code;
using zctor::actor_config;
using zctor::error;
using zctor::placement;
using zctor_test::latch;
using zctor_test::wait_until;
using zctor_test::workers;

namespace {

using namespace std::chrono_literals;

/// A message that makes an actor report where its handler ran.
struct probe
{
    int tag = 0;
};

using probe_ref = zctor::actor_ref<zctor::receives<probe>>;

/// Where each probe's handler ran: the actor's worker index, and whether the handler really ran
/// on that worker's thread (its io_context runs in the handler's thread).
class where_log
{
public:
    struct entry
    {
        int tag = -1;
        std::size_t worker = 0;
        bool on_worker_thread = false;
    };

    explicit where_log(std::ptrdiff_t expected) : done_(expected) {}

    /// The handler of a probe actor.
    auto handler()
    {
        return [this](zctor::context& ctx, probe p) {
            const std::size_t w = ctx.worker_index();
            const bool here = ctx.get_engine().get_executor(w).running_in_this_thread();
            {
                std::lock_guard lock(mutex_);
                entries_.push_back({p.tag, w, here});
            }
            done_.count_down();
        };
    }

    /// Waits for all the expected probes (bounded), then returns what they reported.
    std::vector<entry> wait()
    {
        BOOST_REQUIRE(done_.wait());
        std::lock_guard lock(mutex_);
        return entries_;
    }

    /// The entry of `tag`; fails the test if there is not exactly one.
    entry of(int tag)
    {
        std::lock_guard lock(mutex_);
        entry found;
        int n = 0;
        for (const auto& e : entries_)
            if (e.tag == tag)
            {
                found = e;
                ++n;
            }
        BOOST_TEST(n == 1, "probe " << tag << " reported " << n << " times");
        return found;
    }

private:
    latch done_;
    std::mutex mutex_;
    std::vector<entry> entries_;
};

/// Checks that the probe `tag` ran on worker `w`, in that worker's thread.
void check_ran_on(where_log& log, int tag, std::size_t w)
{
    const auto e = log.of(tag);
    BOOST_TEST(e.worker == w, "probe " << tag);
    BOOST_TEST(e.on_worker_thread, "probe " << tag << " ran outside its worker's thread");
}

/// Makes a spawning actor spawn a probe child with `config` from its handler, and send it a
/// probe; reports the spawner's worker and the child's (or the error).
struct spawn_child
{
    actor_config config;
    int tag = 0;
};

struct spawn_result
{
    std::size_t parent_worker = 0;
    std::size_t child_worker = 0;
    error_code ec;
};

class spawner_log
{
public:
    explicit spawner_log(std::ptrdiff_t expected) : done_(expected) {}

    auto handler(where_log& children)
    {
        return [this, &children](zctor::context& ctx, const spawn_child& s) {
            spawn_result r;
            r.parent_worker = ctx.worker_index();
            probe_ref child = ctx.spawn<probe>(r.ec, s.config, children.handler());
            if (!r.ec)
            {
                r.child_worker = child.worker_index();
                child.send(probe{s.tag});
            }
            {
                std::lock_guard lock(mutex_);
                results_.push_back(r);
            }
            done_.count_down();
        };
    }

    std::vector<spawn_result> wait()
    {
        BOOST_REQUIRE(done_.wait());
        std::lock_guard lock(mutex_);
        return results_;
    }

private:
    latch done_;
    std::mutex mutex_;
    std::vector<spawn_result> results_;
};

/// How many of `refs` are on each of `n` workers.
template <class Ref>
std::vector<int> per_worker(const std::vector<Ref>& refs, std::size_t n)
{
    std::vector<int> count(n, 0);
    for (const auto& r : refs)
    {
        BOOST_REQUIRE(r.worker_index() < n);
        ++count[r.worker_index()];
    }
    return count;
}

constexpr std::size_t worker_count = 3;

} // namespace

BOOST_AUTO_TEST_CASE(default_is_round_robin_over_the_workers)
{
    zctor_test::watchdog dog("default_is_round_robin_over_the_workers", 60s);
    BOOST_TEST((actor_config{}.placement == placement::round_robin));
    BOOST_TEST(!actor_config{}.worker);
    zctor::engine eng(workers(worker_count));
    eng.run();
    constexpr int rounds = 4;
    where_log log(worker_count * rounds);
    std::vector<probe_ref> refs;
    for (int i = 0; i < int(worker_count) * rounds; ++i)
    {
        // Without a config, with a default one, and with placement::round_robin spelled out.
        if (i % 3 == 0)
            refs.push_back(eng.spawn<probe>(log.handler()));
        else if (i % 3 == 1)
            refs.push_back(eng.spawn<probe>(actor_config{}, log.handler()));
        else
            refs.push_back(
                eng.spawn<probe>(actor_config{.placement = placement::round_robin}, log.handler()));
        refs.back().send(probe{i});
    }
    log.wait();
    BOOST_TEST(per_worker(refs, worker_count) == std::vector<int>(worker_count, rounds),
               boost::test_tools::per_element());
    for (int i = 0; i < int(refs.size()); ++i)
        check_ran_on(log, i, refs[i].worker_index());
    // Stop the workers before the logs their handlers write to go out of scope.
    eng.stop();
    eng.join();
}

BOOST_AUTO_TEST_CASE(explicit_worker_places_the_actor_there)
{
    zctor_test::watchdog dog("explicit_worker_places_the_actor_there", 60s);
    zctor::engine eng(workers(worker_count));
    eng.run();
    constexpr int per = 3;
    where_log log(worker_count * per);
    std::vector<probe_ref> refs;
    for (std::size_t w = 0; w < worker_count; ++w)
        for (int k = 0; k < per; ++k)
        {
            const int tag = int(w) * per + k;
            // `worker` overrides `placement`, whichever it is.
            const auto how = k % 2 == 0 ? placement::round_robin : placement::local;
            refs.push_back(eng.spawn<probe>(actor_config{.placement = how, .worker = w}, log.handler()));
            BOOST_TEST(refs.back().worker_index() == w);
            refs.back().send(probe{tag});
        }
    log.wait();
    for (std::size_t w = 0; w < worker_count; ++w)
        for (int k = 0; k < per; ++k)
            check_ran_on(log, int(w) * per + k, w);
    // Stop the workers before the logs their handlers write to go out of scope.
    eng.stop();
    eng.join();
}

BOOST_AUTO_TEST_CASE(local_from_a_handler_lands_on_the_handlers_worker)
{
    zctor_test::watchdog dog("local_from_a_handler_lands_on_the_handlers_worker", 60s);
    zctor::engine eng(workers(worker_count));
    eng.run();
    constexpr int per = 4; // children per spawner: more than the workers, so round robin would move some
    where_log children(worker_count * per);
    spawner_log spawners(worker_count * per);
    // One spawner per worker, placed round robin (the previous test checks where that puts them).
    std::vector<zctor::actor_ref<zctor::receives<spawn_child>>> parents;
    for (std::size_t w = 0; w < worker_count; ++w)
        parents.push_back(eng.spawn<spawn_child>(spawners.handler(children)));
    BOOST_TEST(per_worker(parents, worker_count) == std::vector<int>(worker_count, 1),
               boost::test_tools::per_element());
    for (std::size_t p = 0; p < worker_count; ++p)
        for (int k = 0; k < per; ++k)
            parents[p].send(spawn_child{actor_config{.placement = placement::local}, int(p) * per + k});

    const auto results = spawners.wait();
    BOOST_REQUIRE(results.size() == worker_count * per);
    for (const auto& r : results)
    {
        BOOST_TEST(!r.ec, r.ec.message());
        BOOST_TEST(r.child_worker == r.parent_worker);
    }
    children.wait();
    for (std::size_t p = 0; p < worker_count; ++p)
        for (int k = 0; k < per; ++k)
            check_ran_on(children, int(p) * per + k, parents[p].worker_index());
    // Stop the workers before the logs their handlers write to go out of scope.
    eng.stop();
    eng.join();
}

BOOST_AUTO_TEST_CASE(local_from_any_handler_on_a_worker_lands_on_that_worker)
{
    zctor_test::watchdog dog("local_from_any_handler_on_a_worker_lands_on_that_worker", 60s);
    zctor::engine eng(workers(worker_count));
    eng.run();
    // Not an actor: a plain handler posted to the worker's io_context (as an application's
    // socket handler would run there).
    where_log log(worker_count);
    std::vector<probe_ref> refs(worker_count);
    std::vector<error_code> errors(worker_count);
    latch spawned(worker_count);
    for (std::size_t w = 0; w < worker_count; ++w)
        asio::post(eng.get_executor(w), [&, w] {
            refs[w] = eng.spawn<probe>(errors[w], actor_config{.placement = placement::local}, log.handler());
            if (!errors[w])
                refs[w].send(probe{int(w)});
            spawned.count_down();
        });
    BOOST_REQUIRE(spawned.wait());
    for (std::size_t w = 0; w < worker_count; ++w)
    {
        BOOST_TEST(!errors[w], errors[w].message());
        BOOST_TEST(refs[w].worker_index() == w);
    }
    log.wait();
    for (std::size_t w = 0; w < worker_count; ++w)
        check_ran_on(log, int(w), w);
    // Stop the workers before the logs their handlers write to go out of scope.
    eng.stop();
    eng.join();
}

BOOST_AUTO_TEST_CASE(local_elsewhere_falls_back_to_round_robin)
{
    zctor_test::watchdog dog("local_elsewhere_falls_back_to_round_robin", 60s);
    zctor::engine eng(workers(worker_count));
    eng.run();
    constexpr int rounds = 2;
    where_log log(2 * worker_count * rounds);

    // From the test's own thread, which is no worker.
    std::vector<probe_ref> from_outside;
    for (int i = 0; i < int(worker_count) * rounds; ++i)
    {
        error_code ec;
        from_outside.push_back(
            eng.spawn<probe>(ec, actor_config{.placement = placement::local}, log.handler()));
        BOOST_TEST(!ec, ec.message());
        from_outside.back().send(probe{i});
    }
    BOOST_TEST(per_worker(from_outside, worker_count) == std::vector<int>(worker_count, rounds),
               boost::test_tools::per_element());

    // From a worker of another engine: local means a worker of the engine spawning.
    zctor::engine other(workers(1));
    other.run();
    std::vector<probe_ref> from_other(worker_count * rounds);
    std::vector<error_code> errors(worker_count * rounds);
    latch spawned(1);
    asio::post(other.get_executor(0), [&] {
        for (std::size_t i = 0; i < from_other.size(); ++i)
        {
            from_other[i] =
                eng.spawn<probe>(errors[i], actor_config{.placement = placement::local}, log.handler());
            if (!errors[i])
                from_other[i].send(probe{int(from_outside.size() + i)});
        }
        spawned.count_down();
    });
    BOOST_REQUIRE(spawned.wait());
    for (const auto& ec : errors)
        BOOST_TEST(!ec, ec.message());
    BOOST_TEST(per_worker(from_other, worker_count) == std::vector<int>(worker_count, rounds),
               boost::test_tools::per_element());

    log.wait();
    for (std::size_t i = 0; i < from_outside.size(); ++i)
        check_ran_on(log, int(i), from_outside[i].worker_index());
    for (std::size_t i = 0; i < from_other.size(); ++i)
        check_ran_on(log, int(from_outside.size() + i), from_other[i].worker_index());
    // Stop the workers before the logs their handlers write to go out of scope.
    eng.stop();
    eng.join();
}

BOOST_AUTO_TEST_CASE(worker_out_of_range_is_invalid_configuration)
{
    zctor::engine eng(workers(2));
    eng.run();
    const auto before = eng.stats().actors_spawned;
    auto noop = [](probe) {};

    error_code ec;
    auto ref = eng.spawn<probe>(ec, actor_config{.worker = 2}, noop);
    BOOST_TEST((ec == error::invalid_configuration));
    BOOST_TEST(!ref);
    ref = eng.spawn<probe>(ec, actor_config{.placement = placement::local, .worker = std::size_t(-1)}, noop);
    BOOST_TEST((ec == error::invalid_configuration));
    BOOST_TEST(!ref);

    try
    {
        eng.spawn<probe>(actor_config{.worker = 2}, noop);
        BOOST_ERROR("spawn on worker 2 of 2 succeeded");
    }
    catch (const boost::system::system_error& e)
    {
        BOOST_TEST((e.code() == error::invalid_configuration));
        BOOST_TEST(std::string(e.what()).find("actor_config::worker") != std::string::npos,
                   "what(): " << e.what());
    }

    // From a handler, through the context.
    latch answered(1);
    error_code from_handler;
    auto asker = eng.spawn<probe>([&](zctor::context& ctx, probe) {
        ctx.spawn<probe>(from_handler, actor_config{.worker = 5}, noop);
        answered.count_down();
    });
    asker.send(probe{});
    BOOST_REQUIRE(answered.wait());
    BOOST_TEST((from_handler == error::invalid_configuration));

    // Nothing was spawned but the asker, and the last worker is fine.
    BOOST_TEST(eng.stats().actors_spawned == before + 1);
    auto last = eng.spawn<probe>(ec, actor_config{.worker = 1}, noop);
    BOOST_TEST(!ec);
    BOOST_TEST(last.worker_index() == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_placement_is_invalid_configuration)
{
    zctor::engine eng(workers(2));
    eng.run();
    const auto bad = static_cast<placement>(7);
    error_code ec;
    auto ref = eng.spawn<probe>(ec, actor_config{.placement = bad}, [](probe) {});
    BOOST_TEST((ec == error::invalid_configuration));
    BOOST_TEST(!ref);
    try
    {
        eng.spawn<probe>(actor_config{.placement = bad}, [](probe) {});
        BOOST_ERROR("spawn with an unknown placement succeeded");
    }
    catch (const boost::system::system_error& e)
    {
        BOOST_TEST((e.code() == error::invalid_configuration));
        BOOST_TEST(std::string(e.what()).find("actor_config::placement") != std::string::npos,
                   "what(): " << e.what());
    }
    BOOST_TEST(eng.stats().actors_spawned == 0u);
}

BOOST_AUTO_TEST_CASE(validate_checks_placement_and_worker)
{
    std::string field = "(not set)";
    zctor::engine_config two = workers(2);
    BOOST_TEST(!zctor::validate(actor_config{.worker = 1}, two, &field));
    BOOST_TEST(field == "(not set)");
    BOOST_TEST(!zctor::validate(actor_config{.placement = placement::local}, two, &field));
    BOOST_TEST((zctor::validate(actor_config{.worker = 2}, two, &field) == error::invalid_configuration));
    BOOST_TEST(field == "worker");
    field.clear();
    BOOST_TEST((zctor::validate(actor_config{.placement = static_cast<placement>(2)}, two, &field) ==
                error::invalid_configuration));
    BOOST_TEST(field == "placement");

    // thread_count 0: the hardware thread count (at least one worker).
    const std::size_t hw = std::max<std::size_t>(1, std::thread::hardware_concurrency());
    BOOST_TEST(!zctor::validate(actor_config{.worker = hw - 1}, zctor::engine_config{}));
    field.clear();
    BOOST_TEST((zctor::validate(actor_config{.worker = hw}, zctor::engine_config{}, &field) ==
                error::invalid_configuration));
    BOOST_TEST(field == "worker");
    // On its own, an actor configuration says nothing of the engine's size: any worker index.
    BOOST_TEST(!zctor::validate(actor_config{.worker = hw + 100}));
    BOOST_TEST((zctor::validate(actor_config{.placement = static_cast<placement>(2)}) ==
                error::invalid_configuration));
}

BOOST_AUTO_TEST_CASE(full_explicit_worker_is_thread_pool_full)
{
    zctor::engine_config config = workers(2);
    config.max_actors_per_worker = 1;
    zctor::engine eng(config);
    eng.run();
    auto noop = [](probe) {};
    auto first = eng.spawn<probe>(actor_config{.worker = 0}, noop);
    BOOST_TEST(first.worker_index() == 0u);

    // Worker 1 has room, but the actor is not moved there.
    error_code ec;
    auto refused = eng.spawn<probe>(ec, actor_config{.worker = 0}, noop);
    BOOST_TEST((ec == error::thread_pool_full));
    BOOST_TEST(!refused);
    try
    {
        eng.spawn<probe>(actor_config{.worker = 0}, noop);
        BOOST_ERROR("spawn on a full worker succeeded");
    }
    catch (const boost::system::system_error& e)
    {
        BOOST_TEST((e.code() == error::thread_pool_full));
    }
    BOOST_TEST(eng.stats().actors_spawned == 1u);

    // The refusals took no place: round robin still finds worker 1, and once the first actor
    // has stopped, worker 0 takes one again.
    auto second = eng.spawn<probe>(ec, noop);
    BOOST_TEST(!ec);
    BOOST_TEST(second.worker_index() == 1u);
    first.stop();
    BOOST_REQUIRE(wait_until([&] { return eng.stats().actors_stopped == 1u; }));
    auto again = eng.spawn<probe>(ec, actor_config{.worker = 0}, noop);
    BOOST_TEST(!ec, ec.message());
    BOOST_TEST(again.worker_index() == 0u);
}

BOOST_AUTO_TEST_CASE(full_local_worker_is_thread_pool_full)
{
    zctor_test::watchdog dog("full_local_worker_is_thread_pool_full", 60s);
    zctor::engine_config config = workers(2);
    config.max_actors_per_worker = 1;
    zctor::engine eng(config);
    eng.run();
    // The spawner fills worker 0 by itself; worker 1 is empty.
    where_log children(0);
    spawner_log spawners(2);
    auto parent = eng.spawn<spawn_child>(actor_config{.worker = 0}, spawners.handler(children));
    parent.send(spawn_child{actor_config{.placement = placement::local}, 0});
    // Round robin from the same handler still finds room on worker 1.
    parent.send(spawn_child{actor_config{}, 1});
    const auto results = spawners.wait();
    BOOST_REQUIRE(results.size() == 2u);
    BOOST_TEST((results[0].ec == error::thread_pool_full), results[0].ec.message());
    BOOST_TEST(!results[1].ec, results[1].ec.message());
    BOOST_TEST(results[1].child_worker == 1u);
    BOOST_TEST(eng.stats().actors_spawned == 2u);
    // Stop the workers before the logs their handlers write to go out of scope.
    eng.stop();
    eng.join();
}

BOOST_AUTO_TEST_CASE(embedded_local_is_the_worker_whose_context_runs_the_thread)
{
    zctor_test::watchdog dog("embedded_local_is_the_worker_whose_context_runs_the_thread", 60s);
    asio::io_context a, b;
    zctor::engine eng({&a, &b});
    BOOST_TEST(eng.worker_count() == 2u);
    std::thread ta([&] { a.run(); });
    std::thread tb([&] { b.run(); });
    std::vector<asio::io_context*> contexts{&a, &b};

    // 1. From a plain handler on each application context.
    where_log direct(2);
    std::vector<probe_ref> refs(2);
    std::vector<error_code> errors(2);
    latch spawned(2);
    for (std::size_t i = 0; i < 2; ++i)
        asio::post(*contexts[i], [&, i] {
            refs[i] =
                eng.spawn<probe>(errors[i], actor_config{.placement = placement::local}, direct.handler());
            if (!errors[i])
                refs[i].send(probe{int(i)});
            spawned.count_down();
        });
    BOOST_REQUIRE(spawned.wait());
    for (std::size_t i = 0; i < 2; ++i)
    {
        BOOST_TEST(!errors[i], errors[i].message());
        BOOST_TEST(refs[i].worker_index() == i);
    }
    direct.wait();
    check_ran_on(direct, 0, 0);
    check_ran_on(direct, 1, 1);

    // 2. From an actor's handler on each worker (explicitly placed: worker 1 is context b).
    where_log children(2);
    spawner_log spawners(2);
    for (std::size_t i = 0; i < 2; ++i)
    {
        auto parent = eng.spawn<spawn_child>(actor_config{.worker = i}, spawners.handler(children));
        BOOST_TEST(parent.worker_index() == i);
        parent.send(spawn_child{actor_config{.placement = placement::local}, int(i)});
    }
    for (const auto& r : spawners.wait())
    {
        BOOST_TEST(!r.ec, r.ec.message());
        BOOST_TEST(r.child_worker == r.parent_worker);
    }
    children.wait();
    for (std::size_t i = 0; i < 2; ++i)
        check_ran_on(children, int(i), i);

    // 3. From the test's thread, which runs neither context: round robin, and it succeeds.
    error_code ec;
    std::vector<probe_ref> outside;
    for (int i = 0; i < 4; ++i)
    {
        outside.push_back(eng.spawn<probe>(ec, actor_config{.placement = placement::local}, [](probe) {}));
        BOOST_TEST(!ec, ec.message());
    }
    BOOST_TEST(per_worker(outside, 2) == std::vector<int>(2, 2), boost::test_tools::per_element());

    // 4. The explicit worker is checked against the contexts, not the hardware.
    eng.spawn<probe>(ec, actor_config{.worker = 2}, [](probe) {});
    BOOST_TEST((ec == error::invalid_configuration));

    eng.stop();
    ta.join();
    tb.join();
    BOOST_TEST(eng.stopped());
}
