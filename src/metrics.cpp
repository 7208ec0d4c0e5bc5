//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#include <zctor/metrics.hpp>

#include <charconv>
#include <cstdio>
#include <string_view>

namespace zctor {

namespace {

/// Writes one metric family after another in the Prometheus text format (version 0.0.4).
class exposition
{
public:
    explicit exposition(std::string& out) : out_(out) {}

    void family(std::string_view name, std::string_view type, std::string_view help)
    {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        for (char c : help)
        {
            if (c == '\\')
                out_ += "\\\\";
            else if (c == '\n')
                out_ += "\\n";
            else
                out_ += c;
        }
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }

    /// `name{labels} ` (labels already rendered, without braces), then the caller's value.
    void sample_start(std::string_view name, std::string_view labels)
    {
        out_ += name;
        if (!labels.empty())
        {
            out_ += '{';
            out_ += labels;
            out_ += '}';
        }
        out_ += ' ';
    }

    void value(std::uint64_t v)
    {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof(buf) - 1, v);
        *r.ptr++ = '\n';
        // One append of a known length: appending the range [buf, r.ptr) made gcc 12 warn
        // (-Wrestrict, a false positive of its memcpy overlap analysis).
        out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
    }

    void value(double v)
    {
        out_ += number(v);
        out_ += '\n';
    }

    void sample(std::string_view name, std::string_view labels, std::uint64_t v)
    {
        sample_start(name, labels);
        value(v);
    }

    void sample(std::string_view name, std::string_view labels, double v)
    {
        sample_start(name, labels);
        value(v);
    }

    /// The shortest text that reads back as `v` (Prometheus parses it as Go's ParseFloat does).
    static std::string number(double v)
    {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof(buf), v);
        return std::string(buf, r.ptr);
    }

private:
    std::string& out_;
};

/// Appends `name="value"` with the value escaped as the format requires: \ " and newline.
void label(std::string& out, std::string_view name, std::string_view value)
{
    if (!out.empty())
        out += ',';
    out += name;
    out += "=\"";
    for (char c : value)
    {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    out += '"';
}

double seconds(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }

} // namespace

std::string to_prometheus(const engine_snapshot& s)
{
    std::string out;
    exposition e(out);

    e.family("zctor_actors_alive", "gauge", "Actors alive when the snapshot was taken.");
    e.sample("zctor_actors_alive", "", s.actors_alive);
    e.family("zctor_actors_spawned_total", "counter", "Actors spawned since the engine was constructed.");
    e.sample("zctor_actors_spawned_total", "", s.actors_spawned);
    e.family("zctor_actors_stopped_total", "counter", "Actors stopped since the engine was constructed.");
    e.sample("zctor_actors_stopped_total", "", s.actors_stopped);
    e.family("zctor_messages_total", "counter", "Handler calls, failed ones included.");
    e.sample("zctor_messages_total", "", s.messages);
    e.family("zctor_messages_failed_total", "counter", "Handler calls that returned failure or threw.");
    e.sample("zctor_messages_failed_total", "", s.messages_failed);
    e.family("zctor_messages_dropped_total", "counter", "Accepted messages freed without being handled.");
    e.sample("zctor_messages_dropped_total", "", s.messages_dropped);
    e.family("zctor_uptime_seconds", "gauge", "Time since the engine ran.");
    e.sample("zctor_uptime_seconds", "", seconds(s.uptime));

    std::vector<std::string> worker_labels;
    for (const auto& w : s.workers)
    {
        std::string l;
        label(l, "worker", std::to_string(w.index));
        worker_labels.push_back(std::move(l));
    }
    auto per_worker = [&](std::string_view name, std::string_view type, std::string_view help, auto get) {
        e.family(name, type, help);
        for (std::size_t i = 0; i < s.workers.size(); ++i)
            e.sample(name, worker_labels[i], get(s.workers[i]));
    };
    per_worker("zctor_worker_actors", "gauge", "Actors placed on the worker.",
               [](const worker_snapshot& w) { return std::uint64_t(w.actors); });
    per_worker("zctor_worker_messages_total", "counter", "Handler calls on the worker.",
               [](const worker_snapshot& w) { return w.messages; });
    per_worker("zctor_worker_messages_failed_total", "counter", "Failed handler calls on the worker.",
               [](const worker_snapshot& w) { return w.failed; });
    if (s.metrics)
    {
        per_worker("zctor_worker_activations_total", "counter", "Actor mailbox drains run by the worker.",
                   [](const worker_snapshot& w) { return w.activations; });
        per_worker("zctor_worker_busy_seconds_total", "counter", "Time the worker spent draining mailboxes.",
                   [](const worker_snapshot& w) { return seconds(w.busy); });
        per_worker("zctor_worker_idle_seconds_total", "counter",
                   "Time the worker did not drain mailboxes since the engine ran.",
                   [](const worker_snapshot& w) { return seconds(w.idle); });
    }

    std::vector<std::string> actor_labels;
    actor_labels.reserve(s.actors.size());
    for (const auto& a : s.actors)
    {
        std::string l;
        label(l, "id", std::to_string(a.id));
        label(l, "name", a.name);
        label(l, "type", a.type);
        label(l, "worker", std::to_string(a.worker));
        actor_labels.push_back(std::move(l));
    }
    auto per_actor = [&](std::string_view name, std::string_view type, std::string_view help, auto get) {
        e.family(name, type, help);
        for (std::size_t i = 0; i < s.actors.size(); ++i)
            e.sample(name, actor_labels[i], get(s.actors[i]));
    };
    per_actor("zctor_actor_info", "gauge", "A live actor: its id, name, behaviour type and worker.",
              [](const actor_snapshot&) { return std::uint64_t(1); });
    if (!s.metrics)
        return out;
    per_actor("zctor_actor_messages_received_total", "counter", "Messages accepted into the actor's mailbox.",
              [](const actor_snapshot& a) { return a.received; });
    per_actor("zctor_actor_messages_processed_total", "counter", "Handler calls, failed ones included.",
              [](const actor_snapshot& a) { return a.processed; });
    per_actor("zctor_actor_messages_failed_total", "counter", "Handler calls that returned failure or threw.",
              [](const actor_snapshot& a) { return a.failed; });
    per_actor("zctor_actor_messages_dropped_total", "counter",
              "Accepted messages freed without being handled.",
              [](const actor_snapshot& a) { return a.dropped; });
    per_actor("zctor_actor_mailbox_depth", "gauge", "Messages waiting in the mailbox.",
              [](const actor_snapshot& a) { return a.mailbox_depth; });
    per_actor("zctor_actor_mailbox_peak_depth", "gauge", "The largest mailbox depth seen.",
              [](const actor_snapshot& a) { return a.mailbox_peak; });
    per_actor("zctor_actor_handler_max_seconds", "gauge", "The longest handler call.",
              [](const actor_snapshot& a) { return seconds(a.handler_time_max); });

    constexpr std::string_view hist = "zctor_actor_handler_seconds";
    e.family(hist, "histogram", "Time in the actor's handler per message.");
    std::string bounds[latency_histogram::bucket_count];
    for (std::size_t b = 0; b < latency_histogram::bucket_count; ++b)
        bounds[b] = b + 1 < latency_histogram::bucket_count
                        ? exposition::number(seconds(latency_histogram::upper_bound(b)))
                        : std::string("+Inf");
    for (std::size_t i = 0; i < s.actors.size(); ++i)
    {
        const auto& a = s.actors[i];
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b < latency_histogram::bucket_count; ++b)
        {
            cumulative += a.handler_latency.counts[b];
            std::string l = actor_labels[i];
            label(l, "le", bounds[b]);
            e.sample("zctor_actor_handler_seconds_bucket", l, cumulative);
        }
        e.sample("zctor_actor_handler_seconds_sum", actor_labels[i], seconds(a.handler_time));
        e.sample("zctor_actor_handler_seconds_count", actor_labels[i], cumulative);
    }
    return out;
}

} // namespace zctor
