//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// The thread options of engine_config (the book's ThreadConfig): CPU affinity, priority and
// stack size, checked from inside handlers running on each worker.
#define BOOST_TEST_MODULE zctor_thread_config
#include <zctor/config.hpp>
#include <zctor/engine.hpp>
#include <zctor/error.hpp>
#include <zctor_test/checks.hpp>
#include <zctor_test/wait.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

using zctor_test::check_accepted;
using zctor_test::check_rejected;

using zctor::engine_config;
using zctor::error;
using zctor::thread_priority;

struct probe
{};

// What one worker's thread looked like from inside a handler placed on it.
struct thread_view
{
    std::set<unsigned> cpus;
    int nice = 0;
    std::size_t stack_size = 0;
};

// Runs one handler on each worker of an engine built from `config`, and returns what each saw.
std::vector<thread_view> look_from_each_worker(const engine_config& config)
{
    zctor::engine eng(config);
    const std::size_t n = eng.worker_count();
    std::vector<thread_view> views(n);
    std::atomic<int> failed_calls{0}; // Boost.Test's assertions are for the test's thread only
    zctor_test::latch seen(static_cast<std::ptrdiff_t>(n));
    std::vector<zctor::actor_ref<zctor::receives<probe>>> refs;
    for (std::size_t i = 0; i < n; ++i) // round-robin placement: one actor per worker
        refs.push_back(eng.spawn<probe>([&](zctor::context& ctx, probe) {
            thread_view& v = views[ctx.worker_index()];
            cpu_set_t set;
            CPU_ZERO(&set);
            if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) != 0)
                ++failed_calls;
            for (unsigned c = 0; c < CPU_SETSIZE; ++c)
                if (CPU_ISSET(c, &set))
                    v.cpus.insert(c);
            errno = 0;
            v.nice = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
            if (errno != 0)
                ++failed_calls;
            pthread_attr_t attr;
            if (pthread_getattr_np(pthread_self(), &attr) != 0)
                ++failed_calls;
            else
            {
                pthread_attr_getstacksize(&attr, &v.stack_size);
                pthread_attr_destroy(&attr);
            }
            seen.count_down();
        }));
    for (auto& r : refs)
        r.send(probe{});
    eng.run();
    BOOST_REQUIRE(seen.wait());
    eng.stop();
    eng.join();
    BOOST_TEST(failed_calls == 0);
    return views;
}

// The CPUs this thread may run on (new threads inherit them).
std::vector<unsigned> allowed_cpus()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
    std::vector<unsigned> out;
    for (unsigned c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set))
            out.push_back(c);
    return out;
}

// Turns CAP_SYS_NICE off in this thread's effective set (capabilities are per thread on Linux,
// and the threads it creates inherit them), so that raising a priority is refused even as root.
class without_cap_sys_nice
{
public:
    without_cap_sys_nice()
    {
        hdr_.version = _LINUX_CAPABILITY_VERSION_3;
        hdr_.pid = 0;
        ok_ = syscall(SYS_capget, &hdr_, saved_) == 0;
        if (!ok_)
            return;
        __user_cap_data_struct reduced[2] = {saved_[0], saved_[1]};
        reduced[CAP_SYS_NICE / 32].effective &= ~(1u << (CAP_SYS_NICE % 32));
        ok_ = syscall(SYS_capset, &hdr_, reduced) == 0;
    }
    ~without_cap_sys_nice()
    {
        if (ok_)
            syscall(SYS_capset, &hdr_, saved_);
    }
    bool ok() const { return ok_; }

private:
    __user_cap_header_struct hdr_{};
    __user_cap_data_struct saved_[2]{};
    bool ok_ = false;
};

} // namespace

BOOST_AUTO_TEST_CASE(thread_options_default_to_the_system_s_choice)
{
    const engine_config config;
    BOOST_TEST(config.cpu_affinity.empty());
    BOOST_TEST(!config.pin_workers);
    BOOST_TEST((config.priority == thread_priority::normal));
    BOOST_TEST(config.stack_size == 0u);
    BOOST_TEST(!config.metrics);
    check_accepted(config);
}

BOOST_AUTO_TEST_CASE(cpu_affinity_is_validated)
{
    const long cpus = sysconf(_SC_NPROCESSORS_CONF);
    BOOST_REQUIRE(cpus > 0);
    engine_config config;
    config.thread_count = 2;
    config.cpu_affinity = {{0}};
    check_accepted(config);
    config.cpu_affinity = {{0}, {static_cast<unsigned>(cpus - 1)}};
    check_accepted(config);

    config.cpu_affinity = {{static_cast<unsigned>(cpus)}}; // one past the machine's last CPU
    check_rejected(config, "cpu_affinity");
    config.cpu_affinity = {{0, 4096}}; // beyond any cpu_set_t
    check_rejected(config, "cpu_affinity");
    config.cpu_affinity = {{0}, {}}; // a worker allowed to run nowhere
    check_rejected(config, "cpu_affinity");
    config.cpu_affinity = {{0}, {0}, {0}}; // three sets for two workers: one never used
    check_rejected(config, "cpu_affinity");
}

BOOST_AUTO_TEST_CASE(pin_workers_and_cpu_affinity_exclude_each_other)
{
    engine_config config;
    config.pin_workers = true;
    check_accepted(config);
    config.cpu_affinity = {{0}};
    check_rejected(config, "pin_workers");
}

BOOST_AUTO_TEST_CASE(priority_must_be_known)
{
    engine_config config;
    for (auto p : {thread_priority::low, thread_priority::normal, thread_priority::high})
    {
        config.priority = p;
        check_accepted(config);
    }
    config.priority = static_cast<thread_priority>(7);
    check_rejected(config, "priority");
    config.priority = static_cast<thread_priority>(-1);
    check_rejected(config, "priority");
}

BOOST_AUTO_TEST_CASE(an_embedded_engine_rejects_thread_options)
{
    boost::asio::io_context io;
    auto rejected = [&](const engine_config& config, const std::string& field) {
        BOOST_TEST(!zctor::validate(config)); // valid for an engine with its own threads
        try
        {
            zctor::engine eng(io, config);
            BOOST_ERROR("an embedded engine accepted " << field);
        }
        catch (const boost::system::system_error& e)
        {
            BOOST_TEST((e.code() == error::invalid_configuration));
            BOOST_TEST(std::string(e.what()).find(field) != std::string::npos, "what(): " << e.what());
        }
    };
    engine_config config;
    config.stack_size = engine_config::min_stack_size;
    rejected(config, "stack_size");
    config = {};
    config.cpu_affinity = {{0}};
    rejected(config, "cpu_affinity");
    config = {};
    config.pin_workers = true;
    rejected(config, "pin_workers");
    config = {};
    config.priority = thread_priority::low;
    rejected(config, "priority");
    config = {};
    config.metrics = true; // not a thread option
    zctor::engine eng(io, config);
    BOOST_TEST(eng.worker_count() == 1u);
}

BOOST_AUTO_TEST_CASE(each_worker_runs_on_its_cpu_set)
{
    const auto allowed = allowed_cpus();
    if (allowed.size() < 2)
    {
        BOOST_TEST_MESSAGE("skipped: this process may run on one CPU only");
        return;
    }
    engine_config config;
    config.thread_count = 3;
    // Worker 0 and 2 share the first set (i % size), worker 1 has the second.
    config.cpu_affinity = {{allowed[0]}, {allowed[1]}};
    auto views = look_from_each_worker(config);
    BOOST_TEST((views[0].cpus == std::set<unsigned>{allowed[0]}));
    BOOST_TEST((views[1].cpus == std::set<unsigned>{allowed[1]}));
    BOOST_TEST((views[2].cpus == std::set<unsigned>{allowed[0]}));

    // A set of several CPUs.
    config.thread_count = 1;
    config.cpu_affinity = {{allowed[0], allowed[1]}};
    views = look_from_each_worker(config);
    BOOST_TEST((views[0].cpus == std::set<unsigned>{allowed[0], allowed[1]}));
}

BOOST_AUTO_TEST_CASE(pin_workers_places_one_worker_per_cpu_round_robin)
{
    const auto allowed = allowed_cpus();
    engine_config config;
    config.thread_count = allowed.size() + 1; // the last one wraps around to the first CPU
    config.pin_workers = true;
    const auto views = look_from_each_worker(config);
    for (std::size_t i = 0; i < views.size(); ++i)
        BOOST_TEST((views[i].cpus == std::set<unsigned>{allowed[i % allowed.size()]}), "worker " << i);
}

BOOST_AUTO_TEST_CASE(unpinned_workers_keep_the_inherited_cpus)
{
    const auto allowed = allowed_cpus();
    engine_config config;
    config.thread_count = 2;
    for (const auto& v : look_from_each_worker(config))
        BOOST_TEST((v.cpus == std::set<unsigned>(allowed.begin(), allowed.end())));
}

BOOST_AUTO_TEST_CASE(stack_size_is_applied)
{
    engine_config config;
    config.thread_count = 2;
    config.stack_size = 1024 * 1024 + 64 * 1024; // not the default (8 MiB here)
    for (const auto& v : look_from_each_worker(config))
        BOOST_TEST(v.stack_size == config.stack_size);
}

BOOST_AUTO_TEST_CASE(priority_sets_each_worker_s_nice_value)
{
    errno = 0;
    const int inherited = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    BOOST_REQUIRE(errno == 0);
    engine_config config;
    config.thread_count = 2;
    config.priority = thread_priority::normal;
    for (const auto& v : look_from_each_worker(config))
        BOOST_TEST(v.nice == inherited);
    config.priority = thread_priority::low;
    for (const auto& v : look_from_each_worker(config))
        BOOST_TEST(v.nice == engine_config::low_priority_nice);
    // The calling thread keeps its own.
    BOOST_TEST(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())) == inherited);
}

BOOST_AUTO_TEST_CASE(high_priority_where_permitted)
{
    engine_config config;
    config.thread_count = 2;
    config.priority = thread_priority::high;
    zctor::engine probe_engine(config);
    boost::system::error_code ec;
    probe_engine.run(ec);
    if (ec)
    {
        // Without CAP_SYS_NICE (not root): the refusal is checked by the next test.
        BOOST_TEST((ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted));
        BOOST_TEST_MESSAGE("skipped: this process may not raise a thread's priority");
        return;
    }
    probe_engine.stop();
    probe_engine.join();
    for (const auto& v : look_from_each_worker(config))
        BOOST_TEST(v.nice == engine_config::high_priority_nice);
}

BOOST_AUTO_TEST_CASE(a_refused_priority_fails_run_with_the_system_error)
{
    without_cap_sys_nice guard; // as root; an unprivileged process is refused anyway
    if (!guard.ok())
        BOOST_TEST_MESSAGE("could not drop CAP_SYS_NICE: relying on the process being unprivileged");
    engine_config config;
    config.thread_count = 2;
    config.priority = thread_priority::high;
    {
        zctor::engine eng(config);
        std::atomic<int> ran{0};
        auto ref = eng.spawn<probe>([&](probe) { ++ran; });
        ref.send(probe{});
        boost::system::error_code ec;
        eng.run(ec);
        BOOST_TEST((ec.category() == boost::system::system_category()), ec.message());
        BOOST_TEST((ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted),
                   ec.message());
        // Nothing runs: as when thread creation fails, the engine is stopped and its actors with it.
        BOOST_TEST(eng.stopped());
        BOOST_TEST(ref.stopped());
        BOOST_TEST(eng.stats().messages_handled == 0u);
        BOOST_TEST(eng.stats().messages_dropped == 1u);
        BOOST_TEST(ran == 0);
    }
    {
        zctor::engine eng(config);
        try
        {
            eng.start();
            BOOST_ERROR("start() succeeded with a refused priority");
        }
        catch (const boost::system::system_error& e)
        {
            BOOST_TEST(
                (e.code() == std::errc::permission_denied || e.code() == std::errc::operation_not_permitted),
                e.what());
        }
    }
}
