//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#define BOOST_TEST_MODULE zctor_metrics
// Test that the header file is self-contained.
#include <zctor/metrics.hpp>
// Other headers, to measure an engine.
#include <zctor/engine.hpp>
#include <zctor_test/wait.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using zctor::engine_config;
using zctor::engine_snapshot;
using zctor::latency_histogram;
using zctor_test::wait_until;

struct job
{
    bool fail = false;
    bool throws = false;
};

engine_config measured(std::size_t threads = 2)
{
    engine_config c;
    c.thread_count = threads;
    c.metrics = true;
    return c;
}

const zctor::actor_snapshot* find_actor(const engine_snapshot& s, const std::string& name)
{
    for (const auto& a : s.actors)
        if (a.name == name)
            return &a;
    return nullptr;
}

const zctor::actor_snapshot* find_actor(const engine_snapshot& s, std::uint64_t id)
{
    for (const auto& a : s.actors)
        if (a.id == id)
            return &a;
    return nullptr;
}

// The invariants engine_snapshot promises while actors run.
void check_invariants(const engine_snapshot& s)
{
    BOOST_TEST(s.actors_alive == s.actors.size());
    BOOST_TEST(s.actors_stopped + s.actors_alive <= s.actors_spawned);
    for (const auto& a : s.actors)
    {
        BOOST_TEST(a.failed <= a.processed);
        BOOST_TEST(a.handler_latency.count() <= a.processed);
        BOOST_TEST(a.processed + a.dropped + a.mailbox_depth <= a.received);
        BOOST_TEST(a.mailbox_depth <= a.mailbox_peak);
        BOOST_TEST(a.handler_time_max <= a.handler_time);
    }
}

// --- A small parser of the Prometheus text exposition format (0.0.4), strict on purpose ---

struct sample
{
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

struct exposition
{
    std::map<std::string, std::string> types;
    std::map<std::string, std::string> helps;
    std::vector<sample> samples;

    // The samples of `name` whose labels include all of `match`.
    std::vector<sample> find(const std::string& name,
                             const std::map<std::string, std::string>& match = {}) const
    {
        std::vector<sample> out;
        for (const auto& s : samples)
        {
            if (s.name != name)
                continue;
            bool ok = true;
            for (const auto& [k, v] : match)
                ok = ok && s.labels.count(k) != 0 && s.labels.at(k) == v;
            if (ok)
                out.push_back(s);
        }
        return out;
    }

    double value(const std::string& name, const std::map<std::string, std::string>& match = {}) const
    {
        auto found = find(name, match);
        BOOST_TEST_REQUIRE(found.size() == 1u, name << ": " << found.size() << " samples match");
        return found[0].value;
    }
};

bool is_metric_name(const std::string& n)
{
    if (n.empty() || !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_' || n[0] == ':'))
        return false;
    for (char c : n)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':'))
            return false;
    return true;
}

bool is_label_name(const std::string& n)
{
    return !n.empty() && n.find(':') == std::string::npos && is_metric_name(n);
}

double parse_value(const std::string& text)
{
    if (text == "+Inf")
        return HUGE_VAL;
    if (text == "-Inf")
        return -HUGE_VAL;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    BOOST_TEST((!text.empty() && end == text.c_str() + text.size()), "not a number: '" << text << "'");
    return v;
}

// The family a sample belongs to: itself, or the histogram its _bucket/_sum/_count is part of.
std::string family_of(const exposition& e, const std::string& name)
{
    if (e.types.count(name) != 0)
        return name;
    for (const char* suffix : {"_bucket", "_sum", "_count"})
    {
        const std::string s = suffix;
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0)
        {
            const std::string base = name.substr(0, name.size() - s.size());
            auto it = e.types.find(base);
            if (it != e.types.end() && it->second == "histogram")
                return base;
        }
    }
    return {};
}

// Parses `text`, failing the test on every line that breaks the format.
exposition parse_prometheus(const std::string& text)
{
    exposition e;
    BOOST_TEST_REQUIRE(!text.empty());
    BOOST_TEST(text.back() == '\n', "the last line must end with a newline");
    std::set<std::string> finished;    // families whose samples are over: no more may come
    std::string current;               // the family of the previous sample
    std::set<std::string> seen_series; // name + labels: no duplicates
    std::size_t pos = 0;
    std::size_t line_no = 0;
    while (pos < text.size())
    {
        const std::size_t nl = text.find('\n', pos);
        BOOST_TEST_REQUIRE(nl != std::string::npos);
        const std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line_no;
        BOOST_TEST_CONTEXT("line " << line_no << ": " << line)
        {
            BOOST_TEST(!line.empty());
            if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0)
            {
                const bool help = line[2] == 'H';
                const std::size_t sp = line.find(' ', 7);
                BOOST_TEST_REQUIRE(sp != std::string::npos);
                const std::string name = line.substr(7, sp - 7);
                const std::string rest = line.substr(sp + 1);
                BOOST_TEST(is_metric_name(name));
                BOOST_TEST(finished.count(name) == 0, "metadata after the family's samples");
                BOOST_TEST(current != name, "metadata after the family's samples");
                if (help)
                {
                    BOOST_TEST(e.helps.count(name) == 0, "a second HELP");
                    BOOST_TEST(e.types.count(name) == 0, "HELP after TYPE (this exporter writes HELP first)");
                    BOOST_TEST(rest.find('\n') == std::string::npos);
                    e.helps[name] = rest;
                }
                else
                {
                    BOOST_TEST(e.types.count(name) == 0, "a second TYPE");
                    BOOST_TEST((rest == "counter" || rest == "gauge" || rest == "histogram" ||
                                rest == "summary" || rest == "untyped"));
                    if (rest == "counter")
                        BOOST_TEST((name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0),
                                   "a counter's name ends in _total");
                    e.types[name] = rest;
                }
                continue;
            }
            BOOST_TEST_REQUIRE(line[0] != '#', "an unknown comment");
            // name{label="value",...} value
            sample s;
            std::size_t i = 0;
            while (i < line.size() && line[i] != '{' && line[i] != ' ')
                ++i;
            s.name = line.substr(0, i);
            BOOST_TEST(is_metric_name(s.name));
            std::string series = s.name;
            if (i < line.size() && line[i] == '{')
            {
                ++i;
                while (true)
                {
                    BOOST_TEST_REQUIRE(i < line.size());
                    if (line[i] == '}')
                    {
                        ++i;
                        break;
                    }
                    const std::size_t eq = line.find('=', i);
                    BOOST_TEST_REQUIRE(eq != std::string::npos);
                    const std::string lname = line.substr(i, eq - i);
                    BOOST_TEST(is_label_name(lname), "label name '" << lname << "'");
                    BOOST_TEST_REQUIRE(eq + 1 < line.size());
                    BOOST_TEST_REQUIRE(line[eq + 1] == '"');
                    i = eq + 2;
                    std::string value;
                    while (true)
                    {
                        BOOST_TEST_REQUIRE(i < line.size(), "unterminated label value");
                        const char c = line[i++];
                        if (c == '"')
                            break;
                        if (c == '\\')
                        {
                            BOOST_TEST_REQUIRE(i < line.size());
                            const char x = line[i++];
                            BOOST_TEST((x == '\\' || x == '"' || x == 'n'), "escape \\" << x);
                            value += x == 'n' ? '\n' : x;
                        }
                        else
                            value += c;
                    }
                    BOOST_TEST(s.labels.count(lname) == 0, "label " << lname << " twice");
                    s.labels[lname] = value;
                    series += "|" + lname + "=" + value;
                    BOOST_TEST_REQUIRE(i < line.size());
                    if (line[i] == ',')
                        ++i;
                    else
                        BOOST_TEST_REQUIRE(line[i] == '}');
                }
            }
            BOOST_TEST_REQUIRE(i < line.size());
            BOOST_TEST_REQUIRE(line[i] == ' ');
            const std::string value = line.substr(i + 1);
            BOOST_TEST(value.find(' ') == std::string::npos, "a timestamp or trailing text");
            s.value = parse_value(value);
            BOOST_TEST(seen_series.insert(series).second, "a duplicate series");

            const std::string family = family_of(e, s.name);
            BOOST_TEST_REQUIRE(!family.empty(), "a sample of no declared family: " << s.name);
            BOOST_TEST(e.helps.count(family) == 1u, "no HELP for " << family);
            if (family != current)
            {
                BOOST_TEST(finished.count(family) == 0, "the samples of " << family << " are not together");
                if (!current.empty())
                    finished.insert(current);
                current = family;
            }
            if (e.types[family] == "histogram")
                BOOST_TEST((s.name != family), "a histogram's samples are _bucket, _sum and _count");
            if (s.name.size() > 7 && s.name.compare(s.name.size() - 7, 7, "_bucket") == 0)
                BOOST_TEST(s.labels.count("le") == 1u);
            e.samples.push_back(std::move(s));
        }
    }

    // Each histogram series: le increasing, counts cumulative, +Inf last and equal to _count.
    for (const auto& [family, type] : e.types)
    {
        if (type != "histogram")
            continue;
        std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
        for (const auto& s : e.find(family + "_bucket"))
        {
            auto labels = s.labels;
            const double le = parse_value(labels.at("le"));
            labels.erase("le");
            buckets[labels].push_back({le, s.value});
        }
        for (const auto& [labels, list] : buckets)
        {
            for (std::size_t i = 1; i < list.size(); ++i)
            {
                BOOST_TEST(list[i].first > list[i - 1].first, "le must increase");
                BOOST_TEST(list[i].second >= list[i - 1].second, "bucket counts are cumulative");
            }
            BOOST_TEST_REQUIRE(!list.empty());
            BOOST_TEST(list.back().first == HUGE_VAL, "the last bucket is +Inf");
            BOOST_TEST(e.value(family + "_count", labels) == list.back().second);
            BOOST_TEST(e.find(family + "_sum", labels).size() == 1u);
        }
    }
    return e;
}

std::map<std::string, std::string> labels_of(const zctor::actor_snapshot& a)
{
    return {{"id", std::to_string(a.id)},
            {"name", a.name},
            {"type", a.type},
            {"worker", std::to_string(a.worker)}};
}

class counter_actor
{
public:
    void handle(int) {}
};

} // namespace

BOOST_AUTO_TEST_CASE(histogram_buckets_are_log2)
{
    BOOST_TEST(latency_histogram::upper_bound(0) == 64ns);
    BOOST_TEST(latency_histogram::upper_bound(1) == 128ns);
    BOOST_TEST(latency_histogram::upper_bound(latency_histogram::bucket_count - 2) ==
               std::chrono::nanoseconds(1ll << 36));
    BOOST_TEST((latency_histogram::upper_bound(latency_histogram::bucket_count - 1) ==
                std::chrono::nanoseconds::max()));
    // Bounds are inclusive.
    BOOST_TEST(latency_histogram::bucket_of(0ns) == 0u);
    BOOST_TEST(latency_histogram::bucket_of(64ns) == 0u);
    BOOST_TEST(latency_histogram::bucket_of(65ns) == 1u);
    BOOST_TEST(latency_histogram::bucket_of(128ns) == 1u);
    BOOST_TEST(latency_histogram::bucket_of(129ns) == 2u);
    BOOST_TEST(latency_histogram::bucket_of(1ms) == 14u); // 2^20 ns = 1.048576 ms
    BOOST_TEST(latency_histogram::bucket_of(std::chrono::nanoseconds(1ll << 36)) ==
               latency_histogram::bucket_count - 2);
    BOOST_TEST(latency_histogram::bucket_of(std::chrono::nanoseconds((1ll << 36) + 1)) ==
               latency_histogram::bucket_count - 1);
    BOOST_TEST(latency_histogram::bucket_of(std::chrono::hours(1000)) == latency_histogram::bucket_count - 1);
    for (std::size_t i = 0; i + 1 < latency_histogram::bucket_count; ++i)
    {
        BOOST_TEST(latency_histogram::bucket_of(latency_histogram::upper_bound(i)) == i);
        BOOST_TEST(latency_histogram::bucket_of(latency_histogram::upper_bound(i) + 1ns) == i + 1);
    }
}

BOOST_AUTO_TEST_CASE(a_scripted_workload_gives_exact_counts)
{
    constexpr std::uint64_t n = 200, k = 13, thrown = 4; // k fail by returning false, `thrown` of them throw
    zctor::engine eng(measured());
    auto ref = eng.spawn<job>(zctor::actor_config{.name = "worker-a"}, [](job j) {
        if (j.throws)
            throw std::runtime_error("scripted");
        return !j.fail;
    });
    auto other = eng.spawn<job>([](job) {}); // unnamed, idle
    eng.run();
    for (std::uint64_t i = 0; i < n; ++i)
        ref.send(job{i % 15 == 0 && i / 15 < k - thrown, i % 15 == 7 && i / 15 < thrown});
    BOOST_REQUIRE(wait_until([&] { return eng.stats().messages_handled == n; }));

    const auto s = eng.snapshot();
    check_invariants(s);
    BOOST_TEST(s.metrics);
    BOOST_TEST(s.actors_alive == 2u);
    BOOST_TEST(s.actors_spawned == 2u);
    BOOST_TEST(s.actors_stopped == 0u);
    BOOST_TEST(s.messages == n);
    BOOST_TEST(s.messages_failed == k);
    BOOST_TEST(s.messages_dropped == 0u);
    BOOST_TEST(s.workers.size() == 2u);

    const auto* a = find_actor(s, "worker-a");
    BOOST_REQUIRE(a != nullptr);
    BOOST_TEST(a->id == ref.id());
    BOOST_TEST(a->worker == ref.worker_index());
    BOOST_TEST(a->type.find("zctor::receives<") == 0u, a->type);
    BOOST_TEST(a->type.find("job>") != std::string::npos, a->type);
    BOOST_TEST(a->received == n);
    BOOST_TEST(a->processed == n);
    BOOST_TEST(a->failed == k);
    BOOST_TEST(a->dropped == 0u);
    BOOST_TEST(a->mailbox_depth == 0u);
    BOOST_TEST(a->mailbox_peak >= 1u);
    BOOST_TEST(a->mailbox_peak <= n);
    BOOST_TEST(a->handler_latency.count() == n);
    BOOST_TEST(a->handler_time_max <= a->handler_time);
    BOOST_TEST(a->handler_time.count() > 0);

    const auto* b = find_actor(s, other.id());
    BOOST_REQUIRE(b != nullptr);
    BOOST_TEST(b->name.empty());
    BOOST_TEST(b->received == 0u);
    BOOST_TEST(b->processed == 0u);
    BOOST_TEST(b->handler_latency.count() == 0u);

    // The workers: every message and activation counted on the actor's worker only.
    const auto& wa = s.workers[a->worker];
    const auto& wb = s.workers[1 - a->worker];
    BOOST_TEST(wa.messages == n);
    BOOST_TEST(wa.failed == k);
    BOOST_TEST(wa.actors == 1u);
    BOOST_TEST(wa.activations >= 1u);
    BOOST_TEST(wa.activations <= n);
    BOOST_TEST(wa.busy.count() > 0);
    BOOST_TEST(wa.busy >= a->handler_time);
    BOOST_TEST((wa.busy + wa.idle == s.uptime));
    BOOST_TEST(wb.messages == 0u);
    BOOST_TEST(wb.activations == 0u);
    BOOST_TEST(wb.busy.count() == 0);
    BOOST_TEST(wb.idle == s.uptime);
}

BOOST_AUTO_TEST_CASE(a_handler_s_time_lands_in_its_bucket)
{
    // A handler that waits 2 ms (a sleep inside the handler is the workload, not synchronisation).
    zctor::engine eng(measured(1));
    auto ref = eng.spawn<job>([](job) { std::this_thread::sleep_for(2ms); });
    eng.run();
    ref.send(job{});
    ref.send(job{});
    BOOST_REQUIRE(wait_until([&] { return eng.stats().messages_handled == 2u; }));
    const auto s = eng.snapshot();
    const auto* a = find_actor(s, ref.id());
    BOOST_REQUIRE(a != nullptr);
    BOOST_TEST(a->handler_time >= 4ms);
    BOOST_TEST(a->handler_time_max >= 2ms);
    // Both calls are in buckets at or above the one for 2 ms.
    std::uint64_t at_least_2ms = 0;
    for (std::size_t i = latency_histogram::bucket_of(2ms); i < latency_histogram::bucket_count; ++i)
        at_least_2ms += a->handler_latency.counts[i];
    BOOST_TEST(at_least_2ms == 2u);
}

BOOST_AUTO_TEST_CASE(mailbox_depth_and_peak)
{
    constexpr std::uint64_t queued = 25;
    zctor::engine eng(measured());
    zctor_test::latch started(1);
    zctor_test::latch release(1);
    std::atomic<bool> first{true};
    std::atomic<bool> released{false}; // Boost.Test's assertions are for the test's thread only
    auto ref = eng.spawn<job>([&](job) {
        if (first.exchange(false))
        {
            started.count_down();
            released = release.wait(); // holds the actor while the test fills its mailbox
        }
    });
    eng.run();
    ref.send(job{});
    BOOST_REQUIRE(started.wait());
    for (std::uint64_t i = 0; i < queued; ++i)
        ref.send(job{});

    auto s = eng.snapshot();
    check_invariants(s);
    auto* a = find_actor(s, ref.id());
    BOOST_REQUIRE(a != nullptr);
    BOOST_TEST(a->received == queued + 1);
    BOOST_TEST(a->processed == 0u); // the first handler has not returned
    BOOST_TEST(a->mailbox_depth == queued);
    BOOST_TEST(a->mailbox_peak == queued);

    release.count_down();
    BOOST_REQUIRE(wait_until([&] { return eng.stats().messages_handled == queued + 1; }));
    BOOST_TEST(released.load());
    s = eng.snapshot();
    a = find_actor(s, ref.id());
    BOOST_REQUIRE(a != nullptr);
    BOOST_TEST(a->processed == queued + 1);
    BOOST_TEST(a->mailbox_depth == 0u);
    BOOST_TEST(a->mailbox_peak == queued);
    BOOST_TEST(a->handler_latency.count() == queued + 1);
}

BOOST_AUTO_TEST_CASE(a_stopped_actor_leaves_the_snapshot_and_its_drops_stay_counted)
{
    constexpr std::uint64_t queued = 5;
    zctor::engine eng(measured());
    zctor_test::latch started(1);
    zctor_test::latch release(1);
    auto keep = eng.spawn<job>(zctor::actor_config{.name = "keep"}, [](job) {});
    std::atomic<bool> released{false};
    auto ref = eng.spawn<job>(zctor::actor_config{.name = "stopper"}, [&](zctor::context& ctx, job) {
        started.count_down();
        released = release.wait();
        ctx.stop(); // the queued messages are dropped
    });
    eng.run();
    ref.send(job{});
    BOOST_REQUIRE(started.wait());
    for (std::uint64_t i = 0; i < queued; ++i)
        ref.send(job{});
    release.count_down();
    BOOST_REQUIRE(wait_until([&] { return eng.stats().actors_stopped == 1u; }));
    BOOST_TEST(released.load());

    const auto s = eng.snapshot();
    check_invariants(s);
    BOOST_TEST(s.actors_alive == 1u);
    BOOST_TEST(s.actors_spawned == 2u);
    BOOST_TEST(s.actors_stopped == 1u);
    BOOST_TEST(s.messages == 1u);
    BOOST_TEST(s.messages_dropped == queued);
    BOOST_TEST(find_actor(s, "stopper") == nullptr);
    BOOST_TEST(find_actor(s, "keep") != nullptr);
}

BOOST_AUTO_TEST_CASE(snapshots_taken_under_load_are_consistent)
{
    constexpr int producers = 2;
    constexpr std::uint64_t per_producer = 20'000;
    zctor::engine eng(measured());
    auto target = eng.spawn<job>(zctor::actor_config{.name = "target"}, [](job j) { return !j.fail; });
    eng.run();
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p)
        threads.emplace_back([&] {
            for (std::uint64_t i = 0; i < per_producer; ++i)
                target.send(job{i % 3 == 0});
        });
    // Snapshots while the messages flow: the invariants hold in each, and counters never go back.
    std::uint64_t last_processed = 0, last_received = 0, last_failed = 0;
    const std::uint64_t total = producers * per_producer;
    for (int round = 0; round < 2000; ++round)
    {
        const auto s = eng.snapshot();
        check_invariants(s);
        const auto* a = find_actor(s, "target");
        BOOST_REQUIRE(a != nullptr);
        BOOST_TEST(a->processed >= last_processed);
        BOOST_TEST(a->received >= last_received);
        BOOST_TEST(a->failed >= last_failed);
        last_processed = a->processed;
        last_received = a->received;
        last_failed = a->failed;
        if (a->processed == total)
            break;
    }
    for (auto& t : threads)
        t.join();
    BOOST_REQUIRE(wait_until([&] { return eng.stats().messages_handled == total; }));
    // Quiet now: every count is exact.
    const auto s = eng.snapshot();
    const auto* a = find_actor(s, "target");
    BOOST_REQUIRE(a != nullptr);
    BOOST_TEST(a->received == total);
    BOOST_TEST(a->processed == total);
    BOOST_TEST(a->failed == producers * ((per_producer + 2) / 3));
    BOOST_TEST(a->handler_latency.count() == total);
    BOOST_TEST(a->mailbox_depth == 0u);
    BOOST_TEST(a->mailbox_peak >= 1u);
    BOOST_TEST(a->mailbox_peak <= total);
}

BOOST_AUTO_TEST_CASE(without_metrics_the_snapshot_lists_actors_and_totals)
{
    engine_config config;
    config.thread_count = 2;
    zctor::engine eng(config);
    auto named = eng.spawn<counter_actor>(zctor::actor_config{.name = "counter"});
    auto plain = eng.spawn<job>([](job j) { return !j.fail; });
    eng.run();
    named.send(1);
    plain.send(job{true});
    BOOST_REQUIRE(wait_until([&] { return eng.stats().messages_handled == 2u; }));
    const auto s = eng.snapshot();
    check_invariants(s);
    BOOST_TEST(!s.metrics);
    BOOST_TEST(s.actors_alive == 2u);
    BOOST_TEST(s.messages == 2u);
    BOOST_TEST(s.messages_failed == 1u);
    const auto* a = find_actor(s, "counter");
    BOOST_REQUIRE(a != nullptr);
    BOOST_TEST(a->id == named.id());
    BOOST_TEST(a->type.find("counter_actor") != std::string::npos, a->type);
    BOOST_TEST(a->processed == 0u); // not measured
    BOOST_TEST(a->received == 0u);
    std::uint64_t activations = 0;
    for (const auto& w : s.workers)
    {
        activations += w.activations;
        BOOST_TEST(w.busy.count() == 0);
    }
    BOOST_TEST(activations == 0u);

    // Only the series that are always counted, and the actors' info.
    const auto e = parse_prometheus(zctor::to_prometheus(s));
    BOOST_TEST(e.value("zctor_messages_total") == 2.0);
    BOOST_TEST(e.value("zctor_actor_info", {{"name", "counter"}}) == 1.0);
    BOOST_TEST(e.find("zctor_actor_info").size() == 2u);
    BOOST_TEST(e.types.count("zctor_actor_messages_processed_total") == 0u);
    BOOST_TEST(e.types.count("zctor_actor_handler_seconds") == 0u);
    BOOST_TEST(e.types.count("zctor_worker_busy_seconds_total") == 0u);
}

BOOST_AUTO_TEST_CASE(context_spawn_takes_an_actor_config)
{
    zctor::engine eng(measured());
    zctor_test::latch spawned(1);
    std::uint64_t child_id = 0;
    auto parent = eng.spawn<job>([&](zctor::context& ctx, job) {
        auto child = ctx.spawn<counter_actor>(zctor::actor_config{.name = "child"});
        child_id = child.id();
        spawned.count_down();
    });
    eng.run();
    parent.send(job{});
    BOOST_REQUIRE(spawned.wait());
    const auto s = eng.snapshot();
    const auto* c = find_actor(s, "child");
    BOOST_REQUIRE(c != nullptr);
    BOOST_TEST(c->id == child_id);
}

BOOST_AUTO_TEST_CASE(prometheus_output_follows_the_format_and_the_snapshot)
{
    constexpr std::uint64_t n = 50, k = 5;
    zctor::engine eng(measured());
    // A name that needs every escape of a label value.
    const std::string tricky = "a \"quoted\" back\\slash\nnew line";
    auto ref = eng.spawn<job>(zctor::actor_config{.name = tricky}, [](job j) { return !j.fail; });
    auto idle = eng.spawn<counter_actor>();
    eng.run();
    for (std::uint64_t i = 0; i < n; ++i)
        ref.send(job{i < k});
    BOOST_REQUIRE(wait_until([&] { return eng.stats().messages_handled == n; }));

    const auto s = eng.snapshot();
    const std::string text = zctor::to_prometheus(s);
    BOOST_TEST_MESSAGE(text.substr(0, 2000));
    const auto e = parse_prometheus(text);

    // Engine series.
    BOOST_TEST(e.types.at("zctor_actors_alive") == "gauge");
    BOOST_TEST(e.value("zctor_actors_alive") == 2.0);
    BOOST_TEST(e.types.at("zctor_actors_spawned_total") == "counter");
    BOOST_TEST(e.value("zctor_actors_spawned_total") == 2.0);
    BOOST_TEST(e.value("zctor_actors_stopped_total") == 0.0);
    BOOST_TEST(e.value("zctor_messages_total") == double(n));
    BOOST_TEST(e.value("zctor_messages_failed_total") == double(k));
    BOOST_TEST(e.value("zctor_messages_dropped_total") == 0.0);

    // Worker series, one per worker.
    for (const auto& w : s.workers)
    {
        const std::map<std::string, std::string> l{{"worker", std::to_string(w.index)}};
        BOOST_TEST(e.value("zctor_worker_messages_total", l) == double(w.messages));
        BOOST_TEST(e.value("zctor_worker_activations_total", l) == double(w.activations));
        BOOST_TEST(e.value("zctor_worker_actors", l) == double(w.actors));
        BOOST_TEST(e.find("zctor_worker_busy_seconds_total", l).size() == 1u);
        BOOST_TEST(e.find("zctor_worker_idle_seconds_total", l).size() == 1u);
    }

    // Actor series, labelled; the tricky name reads back exactly.
    const auto* a = find_actor(s, tricky);
    BOOST_REQUIRE(a != nullptr);
    const auto l = labels_of(*a);
    BOOST_TEST(e.find("zctor_actor_info", {{"name", tricky}}).size() == 1u);
    BOOST_TEST(e.value("zctor_actor_messages_received_total", l) == double(n));
    BOOST_TEST(e.value("zctor_actor_messages_processed_total", l) == double(n));
    BOOST_TEST(e.value("zctor_actor_messages_failed_total", l) == double(k));
    BOOST_TEST(e.value("zctor_actor_messages_dropped_total", l) == 0.0);
    BOOST_TEST(e.value("zctor_actor_mailbox_depth", l) == 0.0);
    BOOST_TEST(e.value("zctor_actor_mailbox_peak_depth", l) == double(a->mailbox_peak));
    BOOST_TEST(e.types.at("zctor_actor_handler_seconds") == "histogram");
    BOOST_TEST(e.value("zctor_actor_handler_seconds_count", l) == double(n));
    BOOST_TEST(e.value("zctor_actor_handler_seconds_sum", l) ==
               static_cast<double>(a->handler_time.count()) / 1e9);
    // One bucket per histogram bucket, bounds in seconds.
    const auto buckets = e.find("zctor_actor_handler_seconds_bucket", l);
    BOOST_TEST(buckets.size() == latency_histogram::bucket_count);
    BOOST_TEST(e.value("zctor_actor_handler_seconds_bucket", [&] {
        auto m = l;
        m["le"] = "6.4e-08";
        return m;
    }()) == double(a->handler_latency.counts[0]));
    const auto* b = find_actor(s, idle.id());
    BOOST_REQUIRE(b != nullptr);
    BOOST_TEST(e.value("zctor_actor_handler_seconds_count", labels_of(*b)) == 0.0);
}

BOOST_AUTO_TEST_CASE(an_empty_snapshot_is_still_valid_exposition)
{
    engine_config config;
    config.thread_count = 1;
    config.metrics = true;
    zctor::engine eng(config);
    const auto s = eng.snapshot(); // never run: no uptime, no actors
    BOOST_TEST(s.uptime.count() == 0);
    BOOST_TEST(s.actors.empty());
    const auto e = parse_prometheus(zctor::to_prometheus(s));
    BOOST_TEST(e.value("zctor_actors_alive") == 0.0);
    BOOST_TEST(e.find("zctor_actor_info").empty());
}
