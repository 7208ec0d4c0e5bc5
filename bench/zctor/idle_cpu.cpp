//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// idle_cpu (side figure, not a Savina benchmark): CPU time a running engine with 2 workers and
// no work burns over 1 s (times --scale), from getrusage before and after. An engine that spins
// while idle shows up here. The CAF twin is bench/caf/idle_cpu.cpp.
#include <zctor.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "../common/bench_common.hpp"
#include "../common/zctor_bench.hpp"

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const auto idle = std::chrono::duration<double>(opt.scale);

    zctor::engine_config cfg;
    cfg.thread_count = bench::zctor_threads;
    zctor::engine eng(cfg);
    eng.run();
    // One message so the workers have run something before they go idle.
    std::promise<void> ran;
    auto a = eng.spawn<int>([&](int) { ran.set_value(); });
    a.send(1);
    ran.get_future().wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));

    const double cpu0 = bench::cpu_seconds();
    const auto t0 = bench::clock::now();
    std::this_thread::sleep_for(idle);
    const auto t1 = bench::clock::now();
    const double cpu1 = bench::cpu_seconds();
    eng.stop();
    eng.join();

    bench::json_line("idle_cpu", "zctor")
        .add("seconds", bench::seconds_between(t0, t1))
        .add("cpu_ms", (cpu1 - cpu0) * 1000.0, 3)
        .add("cpu_ms_per_s", (cpu1 - cpu0) * 1000.0 / bench::seconds_between(t0, t1), 3)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
