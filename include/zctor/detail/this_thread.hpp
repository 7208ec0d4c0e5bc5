//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_THIS_THREAD_HPP
#define ZCTOR_DETAIL_THIS_THREAD_HPP

namespace zctor::detail {

class actor_base;

/// The actor whose messages this thread is handling right now, or nullptr. Set around every
/// drain, timer message and coroutine step, so that an ask knows whose strand to complete on.
inline thread_local actor_base* current_actor = nullptr;

/// Whether this thread is one of an engine's own workers, or is running an actor's handler
/// (which covers application threads running an embedded engine's io_context). Blocking there
/// can deadlock the engine, so blocking calls fail with error::would_deadlock instead.
bool on_engine_thread() noexcept;

/// Sets current_actor for a scope.
class current_actor_scope
{
public:
    explicit current_actor_scope(actor_base* a) noexcept : saved_(current_actor) { current_actor = a; }
    current_actor_scope(const current_actor_scope&) = delete;
    current_actor_scope& operator=(const current_actor_scope&) = delete;
    ~current_actor_scope() { current_actor = saved_; }

private:
    actor_base* saved_;
};

} // namespace zctor::detail

#endif
