//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// idle_cpu, CAF 0.17 twin of bench/zctor/idle_cpu.cpp: CPU time an actor system with 2 workers
// and no work burns over 1 s (times --scale).
#include <chrono>
#include <future>
#include <thread>

#include "../common/bench_common.hpp"
#include <caf/all.hpp>

int main(int argc, char** argv)
{
    const bench::options opt = bench::parse_args(argc, argv);
    const auto idle = std::chrono::duration<double>(opt.scale);

    double cpu0 = 0, cpu1 = 0;
    bench::clock::time_point t0, t1;
    {
        caf::actor_system_config cfg;
        cfg.set("scheduler.max-threads", 2);
        caf::actor_system sys{cfg};
        // One message so the workers have run something before they go idle.
        std::promise<void> ran;
        auto a = sys.spawn([&](caf::event_based_actor* self) -> caf::behavior {
            return {[&, self](int) {
                ran.set_value();
                self->quit();
            }};
        });
        caf::anon_send(a, 1);
        ran.get_future().wait();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));

        cpu0 = bench::cpu_seconds();
        t0 = bench::clock::now();
        std::this_thread::sleep_for(idle);
        t1 = bench::clock::now();
        cpu1 = bench::cpu_seconds();
    }

    bench::json_line("idle_cpu", "caf")
        .add("seconds", bench::seconds_between(t0, t1))
        .add("cpu_ms", (cpu1 - cpu0) * 1000.0, 3)
        .add("cpu_ms_per_s", (cpu1 - cpu0) * 1000.0 / bench::seconds_between(t0, t1), 3)
        .add("peak_rss_kb", bench::peak_rss_kb())
        .print();
    return 0;
}
