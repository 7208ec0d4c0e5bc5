//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#include <zctor/error.hpp>

namespace zctor {
namespace {

class category final : public boost::system::error_category
{
public:
    const char* name() const noexcept override { return "zctor"; }

    std::string message(int ev) const override
    {
        switch (static_cast<error>(ev))
        {
        case error::out_of_memory: return "insufficient memory for the operation";
        case error::thread_pool_full: return "every worker holds its maximum number of actors";
        case error::invalid_configuration: return "invalid configuration";
        case error::already_started: return "the engine is already running";
        case error::not_started: return "the engine has not been started";
        case error::invalid_message: return "the message failed validation";
        case error::actor_not_found: return "no actor handles the message";
        case error::state_corrupted: return "the actor state is not of the requested type";
        case error::handler_failed: return "a message handler failed";
        case error::thread_creation_failed: return "failed to create a worker thread";
        case error::thread_join_failed: return "failed to join the worker threads";
        case error::event_loop_failed: return "a worker event loop handler failed";
        case error::engine_stopped: return "the engine is stopped";
        case error::actor_stopped: return "the actor has stopped";
        case error::mailbox_full: return "the mailbox is full";
        case error::timed_out: return "the operation timed out";
        case error::broken_promise: return "the request was dropped without a reply";
        case error::would_deadlock: return "the call would deadlock";
        case error::already_received: return "the value was already received";
        case error::name_in_use: return "another actor is registered under the name";
        case error::restart_limit_reached:
            return "a supervisor's children failed more often than its restart intensity allows";
        }
        return "unknown zctor error";
    }
};

} // namespace

const boost::system::error_category& error_category() noexcept
{
    static const category instance;
    return instance;
}

void detail::throw_error(const boost::system::error_code& ec, const char* what)
{
    throw boost::system::system_error(ec, what);
}

} // namespace zctor
