//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_ONESHOT_HPP
#define ZCTOR_ONESHOT_HPP

#include <zctor/detail/oneshot_core.hpp>
#include <zctor/error.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/assert.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace zctor {

/// A channel that carries exactly one value from a sender to a receiver (the book's
/// OneShotChannel), without spinning: blocking receives sleep on a condition variable, and
/// async_receive completes through Asio.
///
/// Life cycle: empty, then either ready (send) and consumed (a receive took the value), or
/// closed (close() before any send). Exactly one receive ever gets the value; every later or
/// losing receive fails with error::already_received.
///
/// Thread safety: every member function may be called concurrently from any thread, except
/// the destructor. Not copyable or movable: share it by reference, or use make_oneshot() for
/// separately owned sender and receiver handles.
template <class T>
class oneshot_channel
{
public:
    using value_type = T;

    oneshot_channel() : core_(std::make_shared<detail::oneshot_core<T>>()) {}
    oneshot_channel(const oneshot_channel&) = delete;
    oneshot_channel& operator=(const oneshot_channel&) = delete;

    /// Pending async receives complete with boost::asio::error::operation_aborted. No blocking
    /// receive may still be running.
    ~oneshot_channel() { core_->abandon(); }

    /// Sends the value. Returns true the first time; false, dropping `value`, when a value was
    /// already sent or the channel is closed. If async receives are pending, the first one
    /// registered gets the value and the others complete with error::already_received.
    /// Throws std::bad_alloc if the winning completion cannot be posted (the value is then lost).
    bool send(T value) { return core_->send(std::move(value)); }

    /// The sender gives up: pending and later receives fail with error::broken_promise. No effect
    /// after a send or a previous close.
    void close() noexcept { core_->close(); }

    /// Blocks until a value is sent (and returns it) or the channel is closed. Throws
    /// boost::system::system_error: already_received (the value was taken), broken_promise
    /// (closed without a value), would_deadlock (called on an engine worker or from an actor's
    /// handler while no value is there yet: waiting could block the very thread that would send).
    T receive()
    {
        boost::system::error_code ec;
        auto v = receive(ec);
        detail::throw_if(ec, "zctor::oneshot_channel::receive");
        return std::move(*v);
    }

    /// As receive(), reporting errors in `ec` and returning nullopt.
    std::optional<T> receive(boost::system::error_code& ec)
    {
        ec = {};
        return core_->receive(nullptr, ec);
    }

    /// As receive(), giving up after `timeout` with error::timed_out.
    template <class Rep, class Period>
    T receive_for(std::chrono::duration<Rep, Period> timeout)
    {
        boost::system::error_code ec;
        auto v = receive_for(timeout, ec);
        detail::throw_if(ec, "zctor::oneshot_channel::receive_for");
        return std::move(*v);
    }

    /// As receive(ec), giving up after `timeout` with error::timed_out.
    template <class Rep, class Period>
    std::optional<T> receive_for(std::chrono::duration<Rep, Period> timeout, boost::system::error_code& ec)
    {
        ec = {};
        const auto deadline = detail::oneshot_deadline(timeout);
        return core_->receive(deadline ? &*deadline : nullptr, ec);
    }

    /// Never blocks: takes the value if one is waiting, else returns nullopt.
    std::optional<T> try_receive() { return core_->try_receive(); }

    /// Whether a value waits to be received.
    bool is_ready() const { return core_->current() == state::ready; }
    /// Whether the value was received.
    bool is_consumed() const { return core_->current() == state::consumed; }
    /// Whether nothing was sent yet and the channel is not closed.
    bool is_empty() const { return core_->current() == state::empty; }
    /// Whether the channel was closed without a value.
    bool is_closed() const { return core_->current() == state::closed; }

    /// Cancels every pending async_receive: each completes with
    /// boost::asio::error::operation_aborted and the value, if sent later, stays for the next
    /// receive. Blocking receives are not affected.
    void cancel() noexcept { core_->cancel(); }

    /// Starts an asynchronous receive.
    ///
    /// Completion signature: `void(boost::system::error_code, T)`; `T{}` accompanies an error:
    /// already_received, broken_promise, or boost::asio::error::operation_aborted (cancelled, or
    /// the channel destroyed). The handler never runs inside this call, nor inside send() or
    /// close(): it is posted to its associated executor, or, when it has none, to the strand of
    /// the actor whose handler started the operation, else to boost::asio::system_executor.
    /// Until then the operation keeps outstanding work on that executor, which must outlive it.
    /// Several receives may wait; the first registered gets the value.
    ///
    /// Cancellation (the handler's associated slot): terminal, partial and total. A cancelled
    /// receive consumes nothing. Emit the signal from the handler's executor, as Asio requires.
    ///
    /// The default token is boost::asio::deferred, as in later Asio releases (Boost 1.81's own
    /// default is none), so that `co_await ch.async_receive()` works in an awaitable.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_receive(CompletionToken&& token = boost::asio::deferred_t())
    {
        static_assert(std::is_default_constructible_v<T>,
                      "zctor::oneshot_channel<T>::async_receive needs a default-constructible T: an "
                      "error completes with T{} as the value (receive a std::optional<T> instead)");
        // Only when the assertion holds: a failed one then comes without pages of follow-on errors.
        if constexpr (std::is_default_constructible_v<T>)
            return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, T)>(
                detail::oneshot_initiate_receive<T>{core_}, token);
    }

private:
    using state = typename detail::oneshot_core<T>::state;

    std::shared_ptr<detail::oneshot_core<T>> core_;
};

template <class T>
class oneshot_sender;
template <class T>
class oneshot_receiver;

/// A one-shot channel split into its two ends, each owned separately: see oneshot_sender and
/// oneshot_receiver.
template <class T>
std::pair<oneshot_sender<T>, oneshot_receiver<T>> make_oneshot();

/// The sending end of make_oneshot(). Destroying it without sending closes the channel, so the
/// receiver fails with error::broken_promise instead of waiting forever.
///
/// Movable, not copyable. A moved-from sender may only be assigned to or destroyed.
/// Thread safety: distinct objects, safe; one object, safe except for assignment and destruction.
template <class T>
class oneshot_sender
{
public:
    oneshot_sender(oneshot_sender&&) noexcept = default;
    /// Closes this sender's channel (as destruction does), then takes `other`'s.
    oneshot_sender& operator=(oneshot_sender&& other) noexcept
    {
        if (this != &other)
        {
            release();
            core_ = std::move(other.core_);
        }
        return *this;
    }
    ~oneshot_sender() { release(); }

    /// Sends the value: true the first time; false, dropping `value`, after a send or close, or
    /// once the receiver is destroyed. See oneshot_channel::send.
    bool send(T value)
    {
        BOOST_ASSERT(core_);
        return core_->send(std::move(value));
    }

    /// Gives up: the receiver fails with error::broken_promise. No effect after a send.
    void close() noexcept
    {
        BOOST_ASSERT(core_);
        core_->close();
    }

    /// See oneshot_channel.
    bool is_ready() const { return current() == state::ready; }
    bool is_consumed() const { return current() == state::consumed; }
    bool is_empty() const { return current() == state::empty; }
    bool is_closed() const { return current() == state::closed; }

    /// Whether this sender owns a channel end (false once moved from).
    bool valid() const noexcept { return core_ != nullptr; }

private:
    using state = typename detail::oneshot_core<T>::state;
    friend std::pair<oneshot_sender<T>, oneshot_receiver<T>> make_oneshot<T>();

    explicit oneshot_sender(std::shared_ptr<detail::oneshot_core<T>> core) noexcept : core_(std::move(core))
    {}

    state current() const
    {
        BOOST_ASSERT(core_);
        return core_->current();
    }
    void release() noexcept
    {
        if (auto c = std::move(core_))
            c->close();
    }

    std::shared_ptr<detail::oneshot_core<T>> core_;
};

/// The receiving end of make_oneshot(). Destroying it makes the sender's send() return false
/// and completes its pending async receives with boost::asio::error::operation_aborted.
///
/// Movable, not copyable. A moved-from receiver may only be assigned to or destroyed.
/// Thread safety: distinct objects, safe; one object, safe except for assignment and destruction
/// (so two threads may race to receive: one gets the value, the other error::already_received).
template <class T>
class oneshot_receiver
{
public:
    oneshot_receiver(oneshot_receiver&&) noexcept = default;
    /// Gives up this receiver's channel (as destruction does), then takes `other`'s.
    oneshot_receiver& operator=(oneshot_receiver&& other) noexcept
    {
        if (this != &other)
        {
            release();
            core_ = std::move(other.core_);
        }
        return *this;
    }
    ~oneshot_receiver() { release(); }

    /// See oneshot_channel::receive: errors already_received, broken_promise (the sender closed
    /// or was destroyed without sending), would_deadlock.
    T receive()
    {
        boost::system::error_code ec;
        auto v = receive(ec);
        detail::throw_if(ec, "zctor::oneshot_receiver::receive");
        return std::move(*v);
    }
    std::optional<T> receive(boost::system::error_code& ec)
    {
        BOOST_ASSERT(core_);
        ec = {};
        return core_->receive(nullptr, ec);
    }

    /// See oneshot_channel::receive_for: receive() giving up after `timeout` with timed_out.
    template <class Rep, class Period>
    T receive_for(std::chrono::duration<Rep, Period> timeout)
    {
        boost::system::error_code ec;
        auto v = receive_for(timeout, ec);
        detail::throw_if(ec, "zctor::oneshot_receiver::receive_for");
        return std::move(*v);
    }
    template <class Rep, class Period>
    std::optional<T> receive_for(std::chrono::duration<Rep, Period> timeout, boost::system::error_code& ec)
    {
        BOOST_ASSERT(core_);
        ec = {};
        const auto deadline = detail::oneshot_deadline(timeout);
        return core_->receive(deadline ? &*deadline : nullptr, ec);
    }

    /// Never blocks: takes the value if one is waiting, else returns nullopt.
    std::optional<T> try_receive()
    {
        BOOST_ASSERT(core_);
        return core_->try_receive();
    }

    /// See oneshot_channel::async_receive.
    template <class CompletionToken = boost::asio::deferred_t>
    auto async_receive(CompletionToken&& token = boost::asio::deferred_t())
    {
        static_assert(std::is_default_constructible_v<T>,
                      "zctor::oneshot_receiver<T>::async_receive needs a default-constructible T: an "
                      "error completes with T{} as the value (receive a std::optional<T> instead)");
        BOOST_ASSERT(core_);
        // Only when the assertion holds: a failed one then comes without pages of follow-on errors.
        if constexpr (std::is_default_constructible_v<T>)
            return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, T)>(
                detail::oneshot_initiate_receive<T>{core_}, token);
    }

    /// See oneshot_channel::cancel.
    void cancel() noexcept
    {
        BOOST_ASSERT(core_);
        core_->cancel();
    }

    /// See oneshot_channel.
    bool is_ready() const { return current() == state::ready; }
    bool is_consumed() const { return current() == state::consumed; }
    bool is_empty() const { return current() == state::empty; }
    bool is_closed() const { return current() == state::closed; }

    /// Whether this receiver owns a channel end (false once moved from).
    bool valid() const noexcept { return core_ != nullptr; }

private:
    using state = typename detail::oneshot_core<T>::state;
    friend std::pair<oneshot_sender<T>, oneshot_receiver<T>> make_oneshot<T>();

    explicit oneshot_receiver(std::shared_ptr<detail::oneshot_core<T>> core) noexcept : core_(std::move(core))
    {}

    state current() const
    {
        BOOST_ASSERT(core_);
        return core_->current();
    }
    void release() noexcept
    {
        if (auto c = std::move(core_))
            c->abandon();
    }

    std::shared_ptr<detail::oneshot_core<T>> core_;
};

template <class T>
std::pair<oneshot_sender<T>, oneshot_receiver<T>> make_oneshot()
{
    auto core = std::make_shared<detail::oneshot_core<T>>();
    return {oneshot_sender<T>(core), oneshot_receiver<T>(core)};
}

} // namespace zctor

#endif
