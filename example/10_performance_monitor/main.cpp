//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Performance monitoring (the book's performance monitor): a monitor actor records the metrics
// that sensor actors report while monitoring is on, and lists them on request. Then the engine's
// own inspector: engine_config::metrics counts every actor's messages, failures, handler times
// and mailbox depth, and engine::snapshot() lists them by the names given at spawn.
//

#include <zctor.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

//[monitor
struct start_monitoring
{};
struct stop_monitoring
{};
struct record_metric
{
    std::string name;
    double value = 0;
};
struct get_metrics
{
    using reply_type = std::size_t; // how many metrics are recorded
};

class performance_monitor
{
public:
    void handle(start_monitoring)
    {
        monitoring_ = true;
        std::cout << "Performance monitoring started\n";
    }
    void handle(stop_monitoring)
    {
        monitoring_ = false;
        std::cout << "Performance monitoring stopped\n";
    }
    void handle(record_metric m)
    {
        if (!monitoring_)
            return;
        std::printf("Recorded metric %s: %.2f\n", m.name.c_str(), m.value);
        metrics_.push_back({std::move(m.name), m.value, std::chrono::system_clock::now()});
    }
    std::size_t handle(get_metrics)
    {
        std::cout << "Performance Metrics:\n";
        for (const auto& m : metrics_)
            std::printf("  %s: %.2f (%lld)\n", m.name.c_str(), m.value,
                        static_cast<long long>(std::chrono::system_clock::to_time_t(m.timestamp)));
        return metrics_.size();
    }

private:
    struct metric
    {
        std::string name;
        double value;
        std::chrono::system_clock::time_point timestamp;
    };
    std::vector<metric> metrics_;
    bool monitoring_ = false;
};
//]

// A sensor computes something per sample and reports how long it took. A sample of 0 is
// invalid: the handler fails, which the engine's metrics count.
struct sample
{
    std::uint32_t n = 0;
};
struct flush
{
    using reply_type = std::uint64_t; // samples handled so far
};

class sensor
{
public:
    sensor(std::string name, zctor::actor_ref<performance_monitor> monitor)
        : name_(std::move(name)), monitor_(std::move(monitor))
    {}

    bool handle(sample s)
    {
        if (s.n == 0)
            return false;
        const auto t0 = std::chrono::steady_clock::now();
        double x = 0;
        for (std::uint32_t i = 1; i <= s.n; ++i)
            x += std::sqrt(static_cast<double>(i));
        const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - t0;
        sink_ += x;
        ++done_;
        monitor_.send(record_metric{name_ + ".compute_us", took.count()});
        return true;
    }
    std::uint64_t handle(flush) const { return done_; }

private:
    std::string name_;
    zctor::actor_ref<performance_monitor> monitor_;
    std::uint64_t done_ = 0;
    double sink_ = 0;
};

int main()
{
    //[metrics_config
    zctor::engine_config config;
    config.thread_count = 2;
    config.metrics = true; // per-actor and per-worker counters for snapshot()
    //]
    //[thread_options
    config.pin_workers = true;                     // worker i runs on the i-th CPU it may use
    config.priority = zctor::thread_priority::low; // nice 10: monitoring gives way to the rest
    zctor::engine eng(config);                     // validates; run() applies the thread options or fails
    //]

    //[named_spawn
    auto monitor = eng.spawn<performance_monitor>(zctor::actor_config{.name = "monitor"});
    std::vector<zctor::actor_ref<sensor>> sensors;
    for (std::size_t i = 0; i < eng.worker_count(); ++i) // one sensor on each worker
    {
        const std::string name = "sensor-" + std::to_string(i);
        sensors.push_back(eng.spawn<sensor>(zctor::actor_config{.name = name, .worker = i}, name, monitor));
    }
    //]
    eng.run();

    monitor.send(start_monitoring{});
    constexpr std::uint32_t sizes[] = {1000, 20000, 0, 300000, 5000};
    for (auto& s : sensors)
        for (std::uint32_t n : sizes)
            s.send(sample{n});
    // A sensor answers a flush after the samples sent before it: its reports are then queued
    // at the monitor ahead of the asks below.
    std::uint64_t handled = 0;
    for (auto& s : sensors)
        handled += s.ask(flush{}, std::chrono::seconds(10));
    const std::size_t recorded = monitor.ask(get_metrics{}, std::chrono::seconds(10));
    monitor.send(stop_monitoring{});
    monitor.send(record_metric{"ignored", 1}); // not monitoring any more: not recorded
    monitor.ask(get_metrics{}, std::chrono::seconds(10));

    //[inspect
    const zctor::engine_snapshot snap = eng.snapshot();
    std::cout << "\nInspector: " << snap.actors_alive << " actors, up "
              << std::chrono::duration<double, std::milli>(snap.uptime).count() << " ms\n";
    for (const auto& a : snap.actors)
    {
        const double mean_us =
            a.processed == 0
                ? 0.0
                : std::chrono::duration<double, std::micro>(a.handler_time).count() / a.processed;
        std::printf(
            "  %-8s %-22s processed %3llu failed %llu  mean %8.2f us  max %8.2f us  peak mailbox %llu\n",
            a.name.c_str(), a.type.c_str(), static_cast<unsigned long long>(a.processed),
            static_cast<unsigned long long>(a.failed), mean_us,
            std::chrono::duration<double, std::micro>(a.handler_time_max).count(),
            static_cast<unsigned long long>(a.mailbox_peak));
    }
    for (const auto& w : snap.workers)
        std::printf("  worker %zu: %llu activations, busy %.3f ms, idle %.3f ms\n", w.index,
                    static_cast<unsigned long long>(w.activations),
                    std::chrono::duration<double, std::milli>(w.busy).count(),
                    std::chrono::duration<double, std::milli>(w.idle).count());
    //]

    eng.stop();
    eng.join();

    // What this example promises (it runs as a test): 4 valid samples per sensor, each reported.
    const std::uint64_t valid = 4 * sensors.size();
    std::uint64_t sensor_failures = 0;
    for (const auto& a : snap.actors)
        if (a.name.rfind("sensor-", 0) == 0)
            sensor_failures += a.failed;
    if (handled != valid || recorded != valid || sensor_failures != sensors.size())
    {
        std::cerr << "unexpected counts: handled " << handled << ", recorded " << recorded << ", failed "
                  << sensor_failures << "\n";
        return 1;
    }
    return 0;
}
