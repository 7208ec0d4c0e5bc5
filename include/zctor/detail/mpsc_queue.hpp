//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_DETAIL_MPSC_QUEUE_HPP
#define ZCTOR_DETAIL_MPSC_QUEUE_HPP

#include <atomic>
#include <cstdint>

namespace zctor::detail {

class actor_base;

/// What running one message did.
enum class run_result : std::uint8_t
{
    handled,   // the handler returned success
    failed,    // the handler reported failure or threw
    suspended, // a coroutine handler is suspended: the mailbox waits until it finishes
    skipped,   // no handler ran (a cancelled timer's message)
};

/// A mailbox's link: the part of a message the queue uses, and all of the queue's stub.
struct message_link
{
    std::atomic<message_link*> next{nullptr};
};

/// A queued message. `run` handles the message (when `handle` is true) and always frees the node.
struct message_node : message_link
{
    using run_fn = run_result (*)(message_node*, actor_base&, bool handle);

    run_fn run = nullptr;
};

/// An actor's link in its worker's queue of actors ready to run.
struct ready_link
{
    std::atomic<ready_link*> next{nullptr};
};

/// Intrusive multi-producer single-consumer queue (D. Vyukov's design) of `Node`s, which derive
/// from (or are) `Link`, which has a `std::atomic<Link*> next`. push is wait-free and costs one atomic
/// exchange; the node memory belongs to the caller until it is popped.
template <class Node, class Link = Node>
class intrusive_mpsc
{
public:
    intrusive_mpsc() noexcept : head_(&stub_), tail_(&stub_) {}
    intrusive_mpsc(const intrusive_mpsc&) = delete;
    intrusive_mpsc& operator=(const intrusive_mpsc&) = delete;

    /// Any thread.
    void push(Node* n) noexcept { push_link(n); }

    /// Consumer only. Returns nullptr when empty or when a producer is between its two steps
    /// (then empty() is false and the caller tries again later).
    Node* pop() noexcept
    {
        Link* tail = tail_;
        Link* next = tail->next.load(std::memory_order_acquire);
        if (tail == &stub_)
        {
            if (next == nullptr)
                return nullptr;
            tail_ = next;
            tail = next;
            next = next->next.load(std::memory_order_acquire);
        }
        if (next != nullptr)
        {
            tail_ = next;
            return static_cast<Node*>(tail);
        }
        if (tail != head_.load(std::memory_order_acquire))
            return nullptr;
        push_link(&stub_);
        next = tail->next.load(std::memory_order_acquire);
        if (next != nullptr)
        {
            tail_ = next;
            return static_cast<Node*>(tail);
        }
        return nullptr;
    }

    /// Consumer only.
    bool empty() const noexcept { return tail_ == &stub_ && head_.load(std::memory_order_seq_cst) == &stub_; }

private:
    void push_link(Link* n) noexcept
    {
        n->next.store(nullptr, std::memory_order_relaxed);
        Link* prev = head_.exchange(n, std::memory_order_seq_cst);
        prev->next.store(n, std::memory_order_release);
    }

    std::atomic<Link*> head_;
    Link* tail_;
    Link stub_; // a bare link: a mailbox does not carry a whole message node for it
};

/// A mailbox.
using mpsc_queue = intrusive_mpsc<message_node, message_link>;

} // namespace zctor::detail

#endif
