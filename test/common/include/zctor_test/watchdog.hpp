//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_TEST_WATCHDOG_HPP
#define ZCTOR_TEST_WATCHDOG_HPP

/// An in-process watchdog: a test that hangs is aborted with a message naming it, long before
/// ctest's TIMEOUT would kill the whole executable without saying which case hung. A deadlock
/// in the runtime then fails fast and clearly, under every build mode.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace zctor_test {

/// Aborts the process if it is not destroyed within `bound`. Its thread sleeps on a condition
/// variable: it costs nothing while the test runs, and wakes at once when the test is done.
class watchdog
{
public:
    watchdog(std::string what, std::chrono::milliseconds bound)
        : what_(std::move(what)), bound_(bound), thread_([this] { watch(); })
    {}
    watchdog(const watchdog&) = delete;
    watchdog& operator=(const watchdog&) = delete;

    ~watchdog()
    {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }

private:
    void watch()
    {
        std::unique_lock lock(mutex_);
        if (cv_.wait_for(lock, bound_, [&] { return done_; }))
            return;
        // No Boost.Test assertion here: it is not thread-safe, and the test's thread is stuck.
        std::fprintf(stderr,
                     "\nzctor_test watchdog: '%s' is still running after %lld ms: it hangs. "
                     "Aborting so that the hang fails the test.\n",
                     what_.c_str(), static_cast<long long>(bound_.count()));
        std::fflush(stderr);
        // Boost.Test catches SIGABRT and jumps back into the test runner, which would go on to
        // the next case with this one's threads still stuck: restore the default action first.
        std::signal(SIGABRT, SIG_DFL);
        std::abort();
    }

    std::string what_;
    std::chrono::milliseconds bound_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    std::thread thread_; // last: starts once the members it reads exist
};

/// The full name of the running Boost.Test case.
inline std::string current_test_name()
{
    return boost::unit_test::framework::current_test_case().full_name();
}

/// A Boost.Test fixture that puts each test case under a watchdog of `Seconds`:
/// `BOOST_FIXTURE_TEST_SUITE(name, zctor_test::watched<30>)`.
template <int Seconds>
struct watched
{
    watched() : dog(current_test_name(), std::chrono::seconds(Seconds)) {}
    watchdog dog;
};

} // namespace zctor_test

#endif
