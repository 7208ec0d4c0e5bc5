//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// The zctor side's engine set-up, shared by every bench/zctor/*.cpp: two workers and a failure
// hook that counts and prints every failed handler (a failed handler is a failed run).
#ifndef ZCTOR_BENCH_ZCTOR_BENCH_HPP
#define ZCTOR_BENCH_ZCTOR_BENCH_HPP

#include <zctor.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace bench {

/// Worker threads of every benchmark, zctor and CAF alike (CAF: scheduler.max-threads).
constexpr std::size_t zctor_threads = 2;

class zctor_failures
{
public:
    explicit zctor_failures(const char* bench) : bench_(bench) {}

    /// The configuration every zctor benchmark runs with. The hook refers to this object,
    /// which must outlive the engine.
    zctor::engine_config config()
    {
        zctor::engine_config cfg;
        cfg.thread_count = zctor_threads;
        // ZCTOR_BENCH_METRICS=1 runs with engine_config::metrics on, to measure what it costs.
        if (const char* m = std::getenv("ZCTOR_BENCH_METRICS"); m != nullptr && std::strcmp(m, "1") == 0)
            cfg.metrics = true;
        cfg.on_failure = [this](const zctor::failure& f) {
            count_.fetch_add(1, std::memory_order_relaxed);
            std::fprintf(stderr, "%s/zctor: actor %llu failed: %s\n", bench_,
                         static_cast<unsigned long long>(f.actor_id), f.error.message().c_str());
        };
        return cfg;
    }

    std::uint64_t count() const { return count_.load(); }

private:
    const char* bench_;
    std::atomic<std::uint64_t> count_{0};
};

} // namespace bench

#endif
