//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// A supervision tree with zctor::supervisor: a root supervising a logger and a pipeline
// supervisor, which supervises a parser and a flaky worker. The flaky worker fails on every job.
// The pipeline restarts it (after a short backoff) until its restart intensity is exceeded; then
// it stops its children in reverse order and fails, and the root restarts the whole pipeline.
// When that happens once too often for the root, the root gives up too.
//

#include <zctor.hpp>

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;

struct job
{
    int n = 0;
};

// Prints what the supervisors report, and lets main wait for it.
class journal
{
public:
    void print(const std::string& line)
    {
        std::lock_guard lock(m_);
        std::cout << line << "\n";
        ++lines_;
        cv_.notify_all();
    }

    template <class Pred>
    void wait(Pred pred)
    {
        std::unique_lock lock(m_);
        if (!cv_.wait_for(lock, 10s, pred))
            throw std::runtime_error("the tree did not do what was expected in time");
    }

    std::mutex& mutex() { return m_; }

private:
    std::mutex m_;
    std::condition_variable cv_;
    int lines_ = 0;
};

//[worker
// A child: `flaky` fails on every job, the others do their work.
class worker
{
public:
    static constexpr zctor::failure_policy on_failure = zctor::failure_policy::stop;

    worker(std::string name, journal* out) : name_(std::move(name)), out_(out) {}

    void on_stop(const zctor::stop_reason& why)
    {
        out_->print("    " + name_ + " stopped (" + zctor::to_string(why.kind) + ")");
    }

    bool handle(const job& j)
    {
        if (name_ == "flaky")
            return false; // fails: the actor stops, its supervisor decides
        out_->print("    " + name_ + " did job " + std::to_string(j.n));
        return true;
    }

private:
    std::string name_;
    journal* out_;
};
//]

int main()
{
    journal out;
    int pipeline_starts = 0;
    bool root_stopped = false;

    // What each supervisor reports, printed with its name.
    auto report = [&](const std::string& sup) {
        return [&out, &pipeline_starts, &root_stopped, sup](const zctor::supervisor_event& e) {
            std::string line = sup + ": ";
            switch (e.kind)
            {
            case zctor::supervisor_event_kind::child_started:
                line += "started " + e.child + " (restarts: " + std::to_string(e.restarts) + ")";
                break;
            case zctor::supervisor_event_kind::child_stopped:
                line += e.child + " stopped: " + zctor::to_string(e.why.kind) +
                        (e.why.error ? ", " + e.why.error.message() : "");
                break;
            case zctor::supervisor_event_kind::restart_scheduled:
                line +=
                    "restarting " + e.child + " in " +
                    std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(e.delay).count()) +
                    " ms";
                break;
            case zctor::supervisor_event_kind::gave_up:
                line += "restart intensity exceeded, giving up: " + e.why.error.message();
                break;
            case zctor::supervisor_event_kind::stopped:
                line += "stopped (" + std::string(zctor::to_string(e.why.kind)) + ")";
                break;
            }
            {
                std::lock_guard lock(out.mutex());
                if (sup == "root" && e.kind == zctor::supervisor_event_kind::child_started &&
                    e.child == "pipeline")
                    ++pipeline_starts;
                if (sup == "root" && e.kind == zctor::supervisor_event_kind::stopped)
                    root_stopped = true;
            }
            out.print(line);
        };
    };

    zctor::engine engine;
    engine.run();

    //[tree
    auto spec = [&out](const std::string& name) {
        return zctor::child_spec{name,
                                 [name, &out](zctor::context& ctx) { return ctx.spawn<worker>(name, &out); },
                                 zctor::restart_type::permanent, name /* registered under its name */};
    };

    zctor::supervisor_options pipeline;
    pipeline.strategy = zctor::restart_strategy::one_for_one;
    pipeline.max_restarts = 2; // the third failure within a minute is one too many
    pipeline.within = std::chrono::minutes(1);
    pipeline.backoff = {.initial = 10ms, .multiplier = 2.0, .max = 100ms};
    pipeline.on_event = report("pipeline");

    zctor::supervisor_options root;
    root.strategy = zctor::restart_strategy::one_for_one;
    root.max_restarts = 1; // the pipeline may fail once
    root.within = std::chrono::minutes(1);
    root.on_event = report("root");

    auto tree = engine.spawn<zctor::supervisor>(
        root, std::vector{spec("logger"),
                          zctor::supervisor_child("pipeline", pipeline, {spec("parser"), spec("flaky")})});
    //]

    // The supervisor starts its children on its own strand: wait for the logger to be there.
    zctor::actor_ref<worker> logger;
    out.wait([&] {
        boost::system::error_code ec;
        logger = engine.lookup<worker>("logger", ec);
        return !ec;
    });
    logger.send(job{1});

    // Keep sending work to whatever incarnation of `flaky` runs now, until the root gives up.
    for (int n = 1;; ++n)
    {
        boost::system::error_code ec;
        zctor::actor_ref<worker> flaky;
        out.wait([&] {
            flaky = engine.lookup<worker>("flaky", ec); // absent while a restart waits
            return !ec || root_stopped;
        });
        if (root_stopped)
            break;
        out.print("main: job " + std::to_string(n) + " to flaky (actor " + std::to_string(flaky.id()) + ")");
        flaky.send(job{n}, ec); // actor_stopped if it stopped in between: the loop goes on
        out.wait([&] { return flaky.stopped(); });
    }

    {
        std::lock_guard lock(out.mutex());
        std::cout << "the pipeline was started " << pipeline_starts
                  << " times; the root has stopped: " << std::boolalpha << tree.stopped() << "\n";
    }
    engine.stop();
    engine.join();
    return pipeline_starts == 2 ? 0 : 1;
}
