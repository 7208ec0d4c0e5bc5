//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_TEST_WAIT_HPP
#define ZCTOR_TEST_WAIT_HPP

/// Test helpers: bounded waits (a bug fails the test instead of hanging it) and a type that
/// counts its destructions. Nothing here sleeps in place of synchronisation: every wait is on a
/// condition, with a deadline.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <utility>

namespace zctor_test {

/// How long a test waits for something that must happen. Generous, because sanitizers and busy CI
/// machines are slow; bounded, so that a lost message fails the test rather than hanging it.
inline constexpr std::chrono::milliseconds default_timeout{10'000};

/// Polls `pred` until it returns true or `timeout` has passed, and returns its last result. For
/// conditions nobody signals (engine counters, stopped()); between polls it yields, then sleeps at
/// most 1 ms. Prefer a `latch` when the test's own code can signal.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout = default_timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::chrono::microseconds pause{0};
    while (!pred())
    {
        if (std::chrono::steady_clock::now() >= deadline)
            return pred();
        if (pause.count() == 0)
            std::this_thread::yield();
        else
            std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2 + std::chrono::microseconds(1), std::chrono::microseconds(1000));
    }
    return true;
}

/// A countdown like std::latch, but its wait gives up after a timeout. Handlers count_down(), the
/// test waits. Counting below zero is allowed, so a test can check that nothing counted twice.
class latch
{
public:
    explicit latch(std::ptrdiff_t count) : count_(count) {}
    latch(const latch&) = delete;
    latch& operator=(const latch&) = delete;

    /// Any thread.
    void count_down(std::ptrdiff_t n = 1)
    {
        // Notify under the lock: a waiter may return, and destroy the latch, as soon as the lock is
        // released.
        std::lock_guard lock(mutex_);
        count_ -= n;
        if (count_ <= 0)
            cv_.notify_all();
    }

    /// Whether the count has reached zero within `timeout`.
    [[nodiscard]] bool wait(std::chrono::milliseconds timeout = default_timeout)
    {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, timeout, [&] { return count_ <= 0; });
    }

    /// The current count: 0 when every expected count_down happened, negative when some were extra.
    std::ptrdiff_t count() const
    {
        std::lock_guard lock(mutex_);
        return count_;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::ptrdiff_t count_;
};

/// What happened to the `counted` objects made from it (any thread may update it).
struct lifetime
{
    std::atomic<int> constructed{0}; ///< objects made from a value or copied
    std::atomic<int> destroyed{0};   ///< of those, how many were destroyed

    int alive() const noexcept { return constructed.load() - destroyed.load(); }
};

/// An object that reports its construction and destruction to a `lifetime`. Moving transfers
/// the report, so `destroyed == constructed` means each value was destroyed exactly once, and
/// `destroyed > constructed` cannot happen unless something is destroyed twice.
class counted
{
public:
    explicit counted(lifetime& l, int value = 0) noexcept : life_(&l), value_(value) { ++life_->constructed; }
    counted(const counted& o) noexcept : life_(o.life_), value_(o.value_)
    {
        if (life_ != nullptr)
            ++life_->constructed;
    }
    counted(counted&& o) noexcept : life_(std::exchange(o.life_, nullptr)), value_(o.value_) {}
    counted& operator=(const counted&) = delete;
    counted& operator=(counted&&) = delete;
    ~counted()
    {
        if (life_ != nullptr)
            ++life_->destroyed;
    }

    int value() const noexcept { return value_; }

private:
    lifetime* life_;
    int value_;
};

} // namespace zctor_test

#endif
