//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Helpers shared by every benchmark binary, zctor and CAF alike: argument parsing, clocks,
// percentiles, peak RSS and the one JSON line each run prints. C++17, no dependencies, so the
// CAF side (built as C++17 against CAF 0.17) uses exactly the same measurement code.
#ifndef ZCTOR_BENCH_COMMON_HPP
#define ZCTOR_BENCH_COMMON_HPP

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace bench {

using clock = std::chrono::steady_clock;

struct options
{
    double scale = 1.0;
    /// `--placement local`, for the benchmarks that offer it (zctor only): their actors share one
    /// worker instead of being spread round robin, and they report under the name <bench>_local.
    bool local = false;
};

/// Parses `--scale X` / `--scale=X`, and where `placement_option` is set, `--placement P` /
/// `--placement=P` with P `round_robin` (the default) or `local`. Anything else is a usage error
/// (exit code 2).
inline options parse_args(int argc, char** argv, bool placement_option = false)
{
    options o;
    auto usage = [&] {
        std::fprintf(stderr, "usage: %s [--scale X]%s\n", argv[0],
                     placement_option ? " [--placement round_robin|local]" : "");
        std::exit(2);
    };
    // The value of option `name` at argv[i] (`name V` or `name=V`), or nullptr if it is not that.
    auto value_of = [&](int& i, const char* name) -> const char* {
        const std::size_t n = std::strlen(name);
        if (std::strcmp(argv[i], name) == 0)
        {
            if (i + 1 >= argc)
                usage();
            return argv[++i];
        }
        if (std::strncmp(argv[i], name, n) == 0 && argv[i][n] == '=')
            return argv[i] + n + 1;
        return nullptr;
    };
    for (int i = 1; i < argc; ++i)
    {
        if (const char* v = value_of(i, "--scale"))
        {
            char* end = nullptr;
            o.scale = std::strtod(v, &end);
            if (end == v || *end != '\0' || !(o.scale > 0.0))
            {
                std::fprintf(stderr, "%s: --scale needs a positive number, got '%s'\n", argv[0], v);
                std::exit(2);
            }
        }
        else if (const char* p = placement_option ? value_of(i, "--placement") : nullptr)
        {
            if (std::strcmp(p, "local") == 0)
                o.local = true;
            else if (std::strcmp(p, "round_robin") == 0)
                o.local = false;
            else
            {
                std::fprintf(stderr, "%s: --placement needs round_robin or local, got '%s'\n", argv[0], p);
                std::exit(2);
            }
        }
        else
            usage();
    }
    return o;
}

/// `base * scale`, rounded, at least 1.
inline std::uint64_t scaled(std::uint64_t base, double scale)
{
    const long long v = std::llround(static_cast<double>(base) * scale);
    return v < 1 ? 1 : static_cast<std::uint64_t>(v);
}

inline double seconds_between(clock::time_point a, clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

inline std::uint64_t ns_between(clock::time_point a, clock::time_point b)
{
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

/// Peak resident set size of the process so far, in KiB (Linux reports ru_maxrss in KiB).
inline long peak_rss_kb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

/// User + system CPU time of the whole process so far, in seconds.
inline double cpu_seconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto tv = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
    };
    return tv(u.ru_utime) + tv(u.ru_stime);
}

/// A small number naming the calling thread (1, 2, ... in order of first call). Lets a benchmark
/// report whether two actors really ran on different threads.
inline std::uint32_t thread_tag()
{
    static std::atomic<std::uint32_t> next{0};
    thread_local const std::uint32_t tag = next.fetch_add(1, std::memory_order_relaxed) + 1;
    return tag;
}

/// Resident set size of the process now, in KiB, from /proc/self/statm (Linux); -1 if unreadable.
/// Unlike peak_rss_kb() it goes down when memory is returned to the system.
inline long current_rss_kb()
{
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr)
        return -1;
    long size = 0, resident = 0;
    const int got = std::fscanf(f, "%ld %ld", &size, &resident);
    std::fclose(f);
    if (got != 2)
        return -1;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/// A one-shot "done" signal a handler raises and the main thread waits for, with a time limit
/// (a benchmark that loses a message must fail, not hang).
class done_signal
{
public:
    done_signal() : future_(promise_.get_future()) {}
    void set() { promise_.set_value(); }
    /// True if set() was called within `limit`.
    bool wait(std::chrono::seconds limit = std::chrono::minutes(5))
    {
        return future_.wait_for(limit) == std::future_status::ready;
    }

private:
    std::promise<void> promise_;
    std::future<void> future_;
};

/// Counts arrivals from any thread; the last of `n` raises the signal and records the time.
class countdown
{
public:
    explicit countdown(std::uint64_t n) : left_(n) {}
    void arrive()
    {
        if (left_.fetch_sub(1, std::memory_order_acq_rel) == 1)
        {
            finished_at = clock::now();
            signal_.set();
        }
    }
    bool wait(std::chrono::seconds limit = std::chrono::minutes(5)) { return signal_.wait(limit); }
    std::uint64_t left() const { return left_.load(std::memory_order_acquire); }

    clock::time_point finished_at{};

private:
    std::atomic<std::uint64_t> left_;
    done_signal signal_;
};

/// A small deterministic generator (splitmix64), so the zctor and CAF twins draw exactly the
/// same "random" peers, accounts and amounts from the same seeds.
class rng
{
public:
    explicit rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next()
    {
        std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    /// Uniform enough in [0, n) for a benchmark (n > 0).
    std::uint64_t below(std::uint64_t n) { return next() % n; }

private:
    std::uint64_t s_;
};

/// Savina's fork-join work item (ForkJoinConfig.performComputation): a little floating-point
/// work per message, checked so the compiler cannot drop it. Returns false on a wrong result.
inline bool fork_join_compute(double theta)
{
    const volatile double t = theta;
    const double sint = std::sin(t);
    const double res = sint * sint;
    return res > 0.0;
}

/// 10^d.
inline std::uint64_t pow10(unsigned d)
{
    std::uint64_t v = 1;
    while (d-- > 0)
        v *= 10;
    return v;
}

/// skynet's tree depth (10^depth leaves) for a scale: 6 (10^6 leaves, 1,111,111 actors) at 1.0,
/// the nearest integer to log10(10^6 x scale) otherwise, between 1 and 8.
inline unsigned skynet_depth(double scale)
{
    const long d = std::lround(6.0 + std::log10(scale));
    return static_cast<unsigned>(std::clamp<long>(d, 1, 8));
}

/// Nearest-rank percentile (p in [0, 100]) of `v`, which it sorts.
inline std::uint64_t percentile(std::vector<std::uint64_t>& v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
    rank = std::clamp<std::size_t>(rank, 1, v.size());
    return v[rank - 1];
}

/// Builds the single machine-readable line a benchmark run prints on stdout.
class json_line
{
public:
    json_line(const char* bench, const char* impl)
    {
        add("bench", bench);
        add("impl", impl);
    }
    json_line& add(const char* key, const char* value)
    {
        sep(key);
        s_ += '"';
        s_ += value;
        s_ += '"';
        return *this;
    }
    json_line& add(const char* key, std::uint64_t value)
    {
        sep(key);
        s_ += std::to_string(value);
        return *this;
    }
    json_line& add(const char* key, long value)
    {
        sep(key);
        s_ += std::to_string(value);
        return *this;
    }
    json_line& add(const char* key, double value, int decimals = 6)
    {
        sep(key);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
        s_ += buf;
        return *this;
    }
    json_line& add(const char* key, bool value)
    {
        sep(key);
        s_ += value ? "true" : "false";
        return *this;
    }
    void print() const
    {
        std::printf("{%s}\n", s_.c_str());
        std::fflush(stdout);
    }

private:
    void sep(const char* key)
    {
        if (!s_.empty())
            s_ += ',';
        s_ += '"';
        s_ += key;
        s_ += "\":";
    }
    std::string s_;
};

/// Reports a failed verification on stderr; the caller exits non-zero.
inline int fail(const char* bench, const char* impl, const std::string& what)
{
    std::fprintf(stderr, "%s/%s: FAILED: %s\n", bench, impl, what.c_str());
    return 1;
}

} // namespace bench

#endif
