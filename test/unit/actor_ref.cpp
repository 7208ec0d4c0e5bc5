//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#define BOOST_TEST_MODULE zctor_actor_ref
// Test that the header file is self-contained.
#include <zctor/actor_ref.hpp>
// Other headers, to spawn the actors the references point to.
#include <zctor/engine.hpp>
#include <zctor/error.hpp>
#include <zctor_test/wait.hpp>

#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace {

using zctor::error;
using zctor::receives;
using zctor_test::wait_until;

struct increment
{
    int by = 1;
};
struct reset
{};
struct unrelated
{};

// What a `counter` saw.
struct probe
{
    std::atomic<int> total{0};            // sum of increments, by handle(context&, increment)
    std::atomic<int> resets{0};           // calls of handle(reset)
    std::atomic<std::uint64_t> ctx_id{0}; // the context's actor id, in handle(context&, ...)
    std::atomic<int> calls{0};            // every handler call
    zctor_test::latch done;               // counted down by every handler call
    explicit probe(std::ptrdiff_t expected) : done(expected) {}
};

// A class actor with both handler forms: with and without a context.
class counter
{
public:
    explicit counter(probe& p) : probe_(&p) {}

    void handle(zctor::context& ctx, increment m)
    {
        probe_->total += m.by;
        probe_->ctx_id = ctx.id();
        ++probe_->calls;
        probe_->done.count_down();
    }

    void handle(reset)
    {
        ++probe_->resets;
        ++probe_->calls;
        probe_->done.count_down();
    }

private:
    probe* probe_;
};

// The concept: what a reference accepts is decided at compile time.
static_assert(zctor::accepts<counter, increment>);
static_assert(zctor::accepts<counter, increment&>);
static_assert(zctor::accepts<counter, const increment&>);
static_assert(zctor::accepts<counter, reset>);
static_assert(!zctor::accepts<counter, unrelated>);
static_assert(!zctor::accepts<counter, int>);

using number_or_text = std::variant<int, std::string>;
static_assert(zctor::accepts<receives<number_or_text>, number_or_text>);
static_assert(zctor::accepts<receives<number_or_text>, int>);
static_assert(zctor::accepts<receives<number_or_text>, std::string>);
static_assert(zctor::accepts<receives<number_or_text>, const char*>);
static_assert(!zctor::accepts<receives<number_or_text>, unrelated>);
static_assert(zctor::accepts<receives<increment, reset>, increment>);
static_assert(zctor::accepts<receives<increment, reset>, reset>);
static_assert(!zctor::accepts<receives<increment, reset>, unrelated>);
static_assert(!zctor::accepts<receives<int>, std::string>);

// A move-only message cannot be sent as an lvalue (that would copy it), to either kind of actor.
struct unique_holder
{
    void handle(std::unique_ptr<int>) {}
};
static_assert(zctor::accepts<unique_holder, std::unique_ptr<int>>);
static_assert(!zctor::accepts<unique_holder, std::unique_ptr<int>&>);
static_assert(zctor::accepts<receives<std::unique_ptr<int>>, std::unique_ptr<int>>);
static_assert(!zctor::accepts<receives<std::unique_ptr<int>>, std::unique_ptr<int>&>);
static_assert(!zctor::accepts<receives<std::unique_ptr<int>>, const std::unique_ptr<int>&>);

zctor::engine_config two_workers()
{
    zctor::engine_config config;
    config.thread_count = 2;
    return config;
}

// The code carried by what `f` throws; success when it throws nothing.
template <class F>
boost::system::error_code thrown_code(F&& f)
{
    try
    {
        f();
    }
    catch (const boost::system::system_error& e)
    {
        return e.code();
    }
    return {};
}

} // namespace

BOOST_AUTO_TEST_CASE(empty_reference)
{
    zctor::actor_ref<counter> ref;
    BOOST_TEST(!ref);
    BOOST_TEST(ref.stopped());
    BOOST_TEST(ref.id() == 0u);

    boost::system::error_code ec;
    ref.send(increment{}, ec);
    BOOST_TEST((ec == error::actor_not_found));
    BOOST_TEST((thrown_code([&] { ref.send(increment{}); }) == error::actor_not_found));
    ref.stop(); // harmless

    zctor::actor_ref<receives<int>> handler_ref;
    handler_ref.send(1, ec);
    BOOST_TEST((ec == error::actor_not_found));
    BOOST_TEST(handler_ref.stopped());
    BOOST_TEST(handler_ref.id() == 0u);

    BOOST_TEST((ref == zctor::actor_ref<counter>()));
    BOOST_TEST((ref == handler_ref)); // both point to no actor
}

BOOST_AUTO_TEST_CASE(references_compare_by_actor)
{
    probe p(0);
    zctor::engine eng(two_workers());
    auto a = eng.spawn<counter>(p);
    auto b = eng.spawn<counter>(p);
    static_assert(std::is_same_v<decltype(a), zctor::actor_ref<counter>>);

    BOOST_TEST(static_cast<bool>(a));
    BOOST_TEST(!a.stopped());
    BOOST_TEST(a.id() != 0u);
    BOOST_TEST(a.id() != b.id());

    const auto a_copy = a;
    BOOST_TEST((a == a_copy));
    BOOST_TEST(a_copy.id() == a.id());
    BOOST_TEST((a != b));
    BOOST_TEST((a != zctor::actor_ref<counter>()));

    // A view through message types is the same actor.
    zctor::actor_ref<receives<increment, reset>> view = a;
    BOOST_TEST((view == a));
    BOOST_TEST((a == view));
    BOOST_TEST((view != b));
    BOOST_TEST(view.id() == a.id());
    BOOST_TEST(view.worker_index() == a.worker_index());
}

BOOST_AUTO_TEST_CASE(class_actor_send_reaches_the_matching_handle)
{
    probe p(3);
    zctor::engine eng(two_workers());
    auto ref = eng.spawn<counter>(p);
    eng.run();

    boost::system::error_code ec;
    ref.send(increment{5}, ec);
    BOOST_TEST(!ec);
    ref.send(reset{});
    const increment two{2};
    ref.send(two); // an lvalue is copied
    BOOST_REQUIRE(p.done.wait());

    BOOST_TEST(p.total == 7);                // handle(context&, increment), twice
    BOOST_TEST(p.resets == 1);               // handle(reset), once
    BOOST_TEST(p.ctx_id.load() == ref.id()); // the context is the target's
    eng.stop();
    eng.join();
    BOOST_TEST(p.calls == 3);
    BOOST_TEST(eng.stats().messages_handled == 3u);
}

BOOST_AUTO_TEST_CASE(handler_reference_accepts_what_its_message_is_constructible_from)
{
    std::mutex mutex;
    std::vector<number_or_text> got;
    zctor_test::latch done(4);
    zctor::engine eng(two_workers());
    auto ref = eng.spawn<number_or_text>([&](number_or_text m) {
        {
            std::lock_guard lock(mutex);
            got.push_back(std::move(m));
        }
        done.count_down();
    });
    static_assert(std::is_same_v<decltype(ref), zctor::actor_ref<receives<number_or_text>>>);

    ref.send(42);
    ref.send(std::string("two"));
    ref.send("three");
    ref.send(number_or_text(4));
    eng.run();
    BOOST_REQUIRE(done.wait());
    eng.stop();
    eng.join();

    const std::vector<number_or_text> expected = {42, std::string("two"), std::string("three"), 4};
    BOOST_TEST((got == expected)); // in the order sent, as the alternative each converts to
}

BOOST_AUTO_TEST_CASE(receives_view_of_a_class_actor)
{
    probe p(3);
    zctor::engine eng(two_workers());
    auto ref = eng.spawn<counter>(p);
    zctor::actor_ref<receives<increment, reset>> both = ref;
    zctor::actor_ref<receives<increment>> one = ref;
    eng.run();

    both.send(increment{2});
    both.send(reset{});
    one.send(increment{3});
    BOOST_REQUIRE(p.done.wait());
    BOOST_TEST(p.total == 5);
    BOOST_TEST(p.resets == 1);
    BOOST_TEST(p.ctx_id.load() == ref.id());
}

BOOST_AUTO_TEST_CASE(send_after_the_actor_stopped)
{
    probe p(0);
    std::atomic<int> handled{0};
    zctor::engine eng(two_workers());
    auto ref = eng.spawn<counter>(p);
    auto handler_ref = eng.spawn<int>([&](int) { ++handled; });
    eng.run();

    ref.stop();
    handler_ref.stop();
    BOOST_REQUIRE(wait_until([&] { return ref.stopped() && handler_ref.stopped(); }));

    boost::system::error_code ec;
    ref.send(increment{}, ec);
    BOOST_TEST((ec == error::actor_stopped));
    BOOST_TEST((thrown_code([&] { ref.send(reset{}); }) == error::actor_stopped));
    handler_ref.send(1, ec);
    BOOST_TEST((ec == error::actor_stopped));
    BOOST_TEST((thrown_code([&] { handler_ref.send(2); }) == error::actor_stopped));
    ref.stop(); // harmless on a stopped actor

    eng.stop();
    eng.join();
    BOOST_TEST(p.calls == 0);
    BOOST_TEST(handled == 0);
    // Refused sends are reported to the sender, not counted as accepted-then-dropped.
    BOOST_TEST(eng.stats().messages_dropped == 0u);
}

BOOST_AUTO_TEST_CASE(send_after_the_engine_stopped)
{
    for (bool ran : {false, true})
    {
        BOOST_TEST_CONTEXT("engine ran: " << ran)
        {
            probe p(0);
            zctor::engine eng(two_workers());
            auto ref = eng.spawn<counter>(p);
            auto handler_ref = eng.spawn<int>([](int) {});
            if (ran)
                eng.run();
            eng.stop();

            // At once, before the shutdown has finished...
            boost::system::error_code ec;
            ref.send(increment{}, ec);
            BOOST_TEST((ec == error::engine_stopped));
            BOOST_TEST((thrown_code([&] { ref.send(increment{}); }) == error::engine_stopped));
            handler_ref.send(1, ec);
            BOOST_TEST((ec == error::engine_stopped));

            // ...and after it.
            if (ran)
                eng.join();
            BOOST_REQUIRE(wait_until([&] { return eng.stopped(); }));
            ref.send(increment{}, ec);
            BOOST_TEST((ec == error::engine_stopped));
            BOOST_TEST((thrown_code([&] { handler_ref.send(3); }) == error::engine_stopped));
            BOOST_TEST(p.calls == 0);
        }
    }
}

namespace {

// Its move constructor throws, which lets a variant holding it become valueless.
struct throws_on_move
{
    throws_on_move() = default;
    throws_on_move(const throws_on_move&) = default;
    throws_on_move(throws_on_move&&) { throw std::runtime_error("no move"); }
    throws_on_move& operator=(const throws_on_move&) = default;
    throws_on_move& operator=(throws_on_move&&) = default;
};

using fragile = std::variant<int, throws_on_move>;

fragile valueless()
{
    fragile v(1);
    try
    {
        v.emplace<throws_on_move>(throws_on_move{});
    }
    catch (const std::runtime_error&)
    {}
    return v; // copying a valueless variant gives a valueless variant
}

} // namespace

BOOST_AUTO_TEST_CASE(valueless_variant_is_an_invalid_message)
{
    std::vector<int> got; // only touched by the handler until the engine has stopped
    zctor_test::latch done(1);
    zctor::engine eng(two_workers());
    auto ref = eng.spawn<fragile>([&](fragile m) {
        got.push_back(m.valueless_by_exception() ? -1 : static_cast<int>(m.index()));
        done.count_down();
    });
    eng.run();

    fragile bad = valueless();
    BOOST_REQUIRE(bad.valueless_by_exception());
    boost::system::error_code ec;
    ref.send(bad, ec);
    BOOST_TEST((ec == error::invalid_message));
    BOOST_TEST((thrown_code([&] { ref.send(valueless()); }) == error::invalid_message));

    // The actor is unaffected, and only the valid message reached it (sends from one thread
    // arrive in order, so the invalid ones would have arrived first).
    ref.send(fragile(7));
    BOOST_REQUIRE(done.wait());
    eng.stop();
    eng.join();
    BOOST_TEST(got == std::vector<int>{0});
    BOOST_TEST(eng.stats().messages_handled == 1u);
    BOOST_TEST(eng.stats().messages_dropped == 0u);
}

namespace {

// Building a `big` from an `oom` fails as if memory ran out.
struct oom
{};
struct big
{
    big() = default;
    explicit big(oom) { throw std::bad_alloc(); }
};

// A message whose move fails as if memory ran out, when asked to.
struct fails_to_move
{
    bool fail = false;
    explicit fails_to_move(bool f) : fail(f) {}
    fails_to_move(const fails_to_move&) = default;
    fails_to_move(fails_to_move&& o) : fail(o.fail)
    {
        if (fail)
            throw std::bad_alloc();
    }
};

struct taker
{
    std::atomic<int>* handled;
    void handle(fails_to_move) { ++*handled; }
};

} // namespace

BOOST_AUTO_TEST_CASE(message_construction_out_of_memory)
{
    std::atomic<int> handled{0};
    zctor::engine eng(two_workers());
    auto handler_ref = eng.spawn<big>([&](big) { ++handled; });
    auto class_ref = eng.spawn<taker>(taker{&handled});
    eng.run();

    static_assert(zctor::accepts<receives<big>, oom>);
    boost::system::error_code ec;
    handler_ref.send(oom{}, ec);
    BOOST_TEST((ec == error::out_of_memory));
    BOOST_TEST((thrown_code([&] { handler_ref.send(oom{}); }) == error::out_of_memory));
    class_ref.send(fails_to_move(true), ec);
    BOOST_TEST((ec == error::out_of_memory));
    BOOST_TEST((thrown_code([&] { class_ref.send(fails_to_move(true)); }) == error::out_of_memory));

    // Nothing was queued, and the actors still work.
    handler_ref.send(big{});
    class_ref.send(fails_to_move(false));
    BOOST_REQUIRE(wait_until([&] { return handled == 2; }));
    eng.stop();
    eng.join();
    BOOST_TEST(handled == 2);
    BOOST_TEST(eng.stats().messages_handled == 2u);
    BOOST_TEST(eng.stats().messages_dropped == 0u);
}

BOOST_AUTO_TEST_CASE(messages_from_one_sender_arrive_in_order)
{
    constexpr int count = 10'000;
    int last = -1;        // handler only (the actor's strand)
    int out_of_order = 0; // handler only
    zctor_test::latch done(count);
    zctor::engine eng(two_workers());
    auto ref = eng.spawn<int>([&](int n) {
        if (n <= last)
            ++out_of_order;
        last = n;
        done.count_down();
    });
    eng.run(); // the actor drains while the sender is still sending
    for (int i = 0; i < count; ++i)
        ref.send(i);
    BOOST_REQUIRE(done.wait());
    eng.stop();
    eng.join();
    BOOST_TEST(out_of_order == 0);
    BOOST_TEST(last == count - 1);
    BOOST_TEST(done.count() == 0); // each message handled exactly once
    BOOST_TEST(eng.stats().messages_handled == static_cast<std::uint64_t>(count));
}

BOOST_AUTO_TEST_CASE(messages_are_moved_in)
{
    std::atomic<int> got_handler{0};
    std::atomic<int> got_class{0};
    zctor_test::lifetime life;
    std::atomic<int> got_counted{-1};
    zctor::engine eng(two_workers());
    auto unique_ref = eng.spawn<std::unique_ptr<int>>([&](std::unique_ptr<int> p) { got_handler = *p; });

    struct unique_taker
    {
        std::atomic<int>* got;
        void handle(std::unique_ptr<int> p) { *got = *p; }
    };
    auto class_ref = eng.spawn<unique_taker>(unique_taker{&got_class});
    auto counted_ref =
        eng.spawn<zctor_test::counted>([&](zctor_test::counted c) { got_counted = c.value(); });

    {
        // The sender's variables die before the actors run: the runtime owns what was sent.
        auto p = std::make_unique<int>(42);
        unique_ref.send(std::move(p));
        BOOST_TEST(!p);
        auto q = std::make_unique<int>(43);
        class_ref.send(std::move(q));
        BOOST_TEST(!q);
        zctor_test::counted c(life, 44);
        counted_ref.send(std::move(c));
    }
    BOOST_TEST(life.alive() == 1); // one live object: the queued message
    eng.run();
    BOOST_REQUIRE(wait_until([&] { return got_handler == 42 && got_class == 43 && got_counted == 44; }));
    eng.stop();
    eng.join();
    BOOST_TEST(life.constructed == 1); // never copied on the way
    BOOST_TEST(life.destroyed == 1);   // and destroyed exactly once
}
