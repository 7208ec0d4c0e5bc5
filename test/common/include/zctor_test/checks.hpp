//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_TEST_CHECKS_HPP
#define ZCTOR_TEST_CHECKS_HPP

/// Helpers shared by the unit tests: an engine configuration with n workers, checks made on
/// worker threads and asserted on the test's thread, checks of configuration validation, and a
/// log of the failures an engine reports.

#include <zctor/config.hpp>
#include <zctor/engine.hpp>
#include <zctor/error.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

namespace zctor_test {

/// An engine configuration with `n` worker threads, everything else at its default.
inline zctor::engine_config workers(std::size_t n)
{
    zctor::engine_config config;
    config.thread_count = n;
    return config;
}

/// Checks made on a worker thread, asserted later on the test's thread (Boost.Test is not
/// thread-safe). Counts the checks, so that a test can prove they ran.
class remote_checks
{
public:
    void expect(bool ok, const std::string& what)
    {
        std::lock_guard lock(mutex_);
        ++count_;
        if (!ok)
            failed_.push_back(what);
    }

    int count() const
    {
        std::lock_guard lock(mutex_);
        return count_;
    }

    /// Passes when exactly `expected` checks ran and none failed.
    void verify(int expected) const
    {
        std::lock_guard lock(mutex_);
        BOOST_TEST(count_ == expected);
        report();
    }

    /// Passes when at least `expected` checks ran and none failed.
    void verify_at_least(int expected) const
    {
        std::lock_guard lock(mutex_);
        BOOST_TEST(count_ >= expected);
        report();
    }

private:
    void report() const
    {
        for (const auto& f : failed_)
            BOOST_ERROR("failed on another thread: " << f);
    }

    mutable std::mutex mutex_;
    int count_ = 0;
    std::vector<std::string> failed_;
};

/// Passes when `config` is rejected for `field`: by validate(), which names the field, and by the
/// engine's constructor, whose exception is invalid_configuration and names it too.
inline void check_rejected(const zctor::engine_config& config, const std::string& field)
{
    std::string reported = "(not set)";
    BOOST_TEST((zctor::validate(config, &reported) == zctor::error::invalid_configuration));
    BOOST_TEST(reported == field);
    BOOST_TEST((zctor::validate(config) == zctor::error::invalid_configuration)); // without a field
    try
    {
        zctor::engine eng(config);
        BOOST_ERROR("the engine accepted an invalid " << field);
    }
    catch (const boost::system::system_error& e)
    {
        BOOST_TEST((e.code() == zctor::error::invalid_configuration));
        BOOST_TEST(std::string(e.what()).find(field) != std::string::npos, "what(): " << e.what());
    }
}

/// Passes when validate() accepts `config` and names no field.
inline void check_accepted(const zctor::engine_config& config)
{
    std::string reported = "(not set)";
    BOOST_TEST(!zctor::validate(config, &reported));
    BOOST_TEST(reported == "(not set)");
}

/// Whether `ep` holds an exception of type E (or derived from it).
template <class E>
bool thrown_as(const std::exception_ptr& ep)
{
    if (!ep)
        return false;
    try
    {
        std::rethrow_exception(ep);
    }
    catch (const E&)
    {
        return true;
    }
    catch (...)
    {}
    return false;
}

/// The failures an engine reports to engine_config::on_failure, on whatever thread, recorded
/// under a mutex.
struct failure_log
{
    std::mutex mutex;
    std::vector<zctor::failure> failures;

    /// Makes `config` report its failures here; the log must outlive the engine.
    void attach(zctor::engine_config& config)
    {
        config.on_failure = [this](const zctor::failure& f) {
            std::lock_guard lock(mutex);
            failures.push_back(f);
        };
    }

    std::size_t size()
    {
        std::lock_guard lock(mutex);
        return failures.size();
    }

    /// The failures of one actor.
    std::vector<zctor::failure> of(std::uint64_t actor)
    {
        std::lock_guard lock(mutex);
        std::vector<zctor::failure> out;
        for (const auto& f : failures)
            if (f.actor_id == actor)
                out.push_back(f);
        return out;
    }

    /// How many failures carry `code` and an exception of type E.
    template <class E>
    std::size_t count(boost::system::error_code code)
    {
        std::lock_guard lock(mutex);
        std::size_t n = 0;
        for (const auto& f : failures)
            if (f.error == code && thrown_as<E>(f.exception))
                ++n;
        return n;
    }
};

} // namespace zctor_test

#endif
