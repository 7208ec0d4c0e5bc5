//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_TEST_STRESS_HPP
#define ZCTOR_TEST_STRESS_HPP

/// Sizes of the stress tests. Each test states its sizes at scale 1, the default, which fits
/// the CI's time budget in every build mode; the environment variable ZCTOR_STRESS_SCALE
/// multiplies them (0.25 for a quick look, 20 for the full run documented in doc/07-guarantees.md).
/// Each test case runs under a watchdog whose bound grows with the scale.

#include <zctor_test/watchdog.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace zctor_test {

/// ZCTOR_STRESS_SCALE, a positive number (default 1). A malformed value ends the test run: a
/// typo must not silently run the small size.
inline double stress_scale()
{
    static const double scale = [] {
        const char* text = std::getenv("ZCTOR_STRESS_SCALE");
        if (text == nullptr || *text == '\0')
            return 1.0;
        char* end = nullptr;
        const double value = std::strtod(text, &end);
        if (*end != '\0' || !(value > 0.0) || value > 10'000.0)
        {
            std::fprintf(stderr, "ZCTOR_STRESS_SCALE must be a number in (0, 10000], not '%s'\n", text);
            std::exit(2);
        }
        return value;
    }();
    return scale;
}

/// `base` (the size at scale 1) times the scale, at least `min`.
inline std::size_t scaled(std::size_t base, std::size_t min = 1)
{
    const double value = std::round(static_cast<double>(base) * stress_scale());
    return std::max(min, static_cast<std::size_t>(value));
}

/// How long one stress case may run before its watchdog declares it hung: generous at scale 1
/// (a case takes a few seconds there, even under the sanitizers), and growing with the scale.
inline std::chrono::milliseconds stress_bound()
{
    const double seconds = 120.0 * std::max(1.0, stress_scale());
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

/// The fixture of every stress suite: a watchdog per test case, and a line on stdout naming the
/// scale, so that a log says what size ran.
struct stress_fixture
{
    stress_fixture() : dog(current_test_name(), stress_bound())
    {
        std::cout << current_test_name() << ": ZCTOR_STRESS_SCALE=" << stress_scale() << std::endl;
    }
    watchdog dog;
};

} // namespace zctor_test

#endif
