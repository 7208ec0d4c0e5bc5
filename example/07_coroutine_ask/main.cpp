//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Coroutine handlers: a quote service answers get_quote with a boost::asio::awaitable handler
// that asks the inventory and the price list at the same time, then, optionally, a discount
// service, and combines the answers into its reply. Errors travel as exceptions (use_awaitable)
// or as values (as_tuple). A one-shot channel tells main, once, when an item is back in stock.
//

#include <zctor.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

struct get_stock
{
    std::string item;
    using reply_type = int;
};
struct get_price
{
    std::string item;
    using reply_type = int; // cents
};
struct get_discount
{
    std::string item;
    using reply_type = int; // percent
};

//[inventory
struct restock
{
    std::string item;
    int quantity = 0;
};
// "Tell me once when this item is in stock": the inventory keeps the sending end.
struct watch_stock
{
    std::string item;
    zctor::oneshot_sender<int> in_stock;
};

class inventory
{
public:
    int handle(const get_stock& req) { return stock_[req.item]; }

    void handle(restock r)
    {
        const int level = stock_[r.item] += r.quantity;
        const auto [first, last] = watchers_.equal_range(r.item);
        for (auto w = first; w != last; ++w)
            w->second.send(level); // false if the receiver has gone: nothing to do then
        watchers_.erase(first, last);
    }

    // Watchers still here when the inventory stops are destroyed unsent: their receivers get
    // error::broken_promise instead of waiting forever.
    void handle(watch_stock w)
    {
        if (stock_[w.item] > 0)
            w.in_stock.send(stock_[w.item]);
        else
            watchers_.emplace(w.item, std::move(w.in_stock));
    }

private:
    std::unordered_map<std::string, int> stock_{{"apple", 12}, {"pear", 0}};
    std::unordered_multimap<std::string, zctor::oneshot_sender<int>> watchers_;
};
//]

//[quote_service
struct quote
{
    bool available = false;
    int total_cents = 0;
    int discount_percent = 0;
};
struct get_quote
{
    std::string item;
    int quantity = 0;
    using reply_type = quote;
};

class quote_service
{
public:
    quote_service(zctor::actor_ref<inventory> stock, zctor::actor_ref<zctor::receives<get_price>> prices,
                  zctor::actor_ref<zctor::receives<get_discount>> discounts)
        : stock_(std::move(stock)), prices_(std::move(prices)), discounts_(std::move(discounts))
    {}

    // A coroutine handler: its co_return value is the reply. The service's next message waits
    // until this coroutine has finished, so its handlers still run one at a time.
    boost::asio::awaitable<quote> handle(zctor::context&, get_quote req) // by value: it outlives the call
    {
        using boost::asio::experimental::awaitable_operators::operator&&;
        using boost::asio::use_awaitable;

        // Nothing is sent yet: an awaitable starts when it is awaited. (Naming the operations
        // before co_await also keeps clear of g++ 12, which corrupts temporaries such as
        // get_stock{req.item} when they are created inside a co_await expression.)
        auto stock = stock_.async_ask(get_stock{req.item}, 1s, use_awaitable);
        auto price = prices_.async_ask(get_price{req.item}, 1s, use_awaitable);
        // Both asks at once. A failure of either throws here (and cancels the other).
        const auto [in_stock, unit_cents] = co_await (std::move(stock) && std::move(price));

        // The discount is optional: as_tuple turns an error into a value instead of an exception.
        auto discount =
            discounts_.async_ask(get_discount{req.item}, 100ms, boost::asio::as_tuple(boost::asio::deferred));
        const auto [ec, percent] = co_await std::move(discount);

        quote q;
        q.available = in_stock >= req.quantity;
        q.discount_percent = ec ? 0 : percent;
        q.total_cents = req.quantity * unit_cents * (100 - q.discount_percent) / 100;
        co_return q;
    }

private:
    zctor::actor_ref<inventory> stock_;
    zctor::actor_ref<zctor::receives<get_price>> prices_;
    zctor::actor_ref<zctor::receives<get_discount>> discounts_;
};
//]

int main()
{
    zctor::engine_config config;
    config.thread_count = 2;
    zctor::engine engine(config);

    bool ok = true;
    auto check = [&ok](bool passed, const char* what) {
        if (!passed)
        {
            std::cout << "FAILED: " << what << "\n";
            ok = false;
        }
    };

    //[spawn_services
    const std::unordered_map<std::string, int> price_list{{"apple", 50}, {"pear", 80}};
    auto prices = engine.spawn<get_price>([price_list](const get_price& req) {
        const auto found = price_list.find(req.item);
        if (found == price_list.end())
            throw std::invalid_argument("no price for " + req.item); // the asker gets handler_failed
        return found->second;
    });
    auto discounts =
        engine.spawn<get_discount>([](const get_discount& req) { return req.item == "apple" ? 10 : 0; });
    auto stock = engine.spawn<inventory>();
    auto quotes = engine.spawn<quote_service>(stock, prices, discounts);
    engine.run();
    //]

    //[ask_quotes
    const quote apples = quotes.ask(get_quote{"apple", 5}, 1s);
    const quote pears = quotes.ask(get_quote{"pear", 2}, 1s);
    std::cout << std::boolalpha << "5 apples: available " << apples.available << ", " << apples.total_cents
              << " cents (" << apples.discount_percent << "% off)\n"
              << "2 pears: available " << pears.available << "\n";

    // A failure inside the coroutine (here, the price list throws) fails the quote.
    boost::system::error_code ec;
    quotes.ask(get_quote{"kiwi", 1}, 1s, ec);
    std::cout << "a kiwi: " << ec.message() << "\n";
    //]
    check(apples.available && apples.total_cents == 225 && apples.discount_percent == 10, "apples");
    check(!pears.available && pears.total_cents == 160, "pears");
    check(ec == zctor::error::handler_failed, "kiwi");

    //[oneshot
    auto [pears_in, pears_out] = zctor::make_oneshot<int>();
    stock.send(watch_stock{"pear", std::move(pears_in)});
    stock.send(restock{"pear", 10});
    const int pear_level = pears_out.receive_for(1s); // sleeps until the inventory sends
    std::cout << "pears back in stock: " << pear_level << "\n";
    //]
    check(pear_level == 10, "one-shot notification");
    check(quotes.ask(get_quote{"pear", 2}, 1s).available, "pears after restock");

    //[optional_dependency
    // Without its discount service, the quote service still answers: the as_tuple ask fails.
    discounts.stop();
    const quote apples_now = quotes.ask(get_quote{"apple", 5}, 1s);
    std::cout << "5 apples without discounts: " << apples_now.total_cents << " cents\n";
    //]
    check(apples_now.available && apples_now.total_cents == 250 && apples_now.discount_percent == 0,
          "quote without the discount service");

    // A watcher left waiting when the engine stops: its receiver is told, not left hanging.
    auto [kiwis_in, kiwis_out] = zctor::make_oneshot<int>();
    stock.send(watch_stock{"kiwi", std::move(kiwis_in)});

    engine.stop();
    engine.join();
    kiwis_out.receive(ec);
    check(ec == zctor::error::broken_promise, "an unsent one-shot fails with broken_promise");

    // The price list's throw and the kiwi quote's coroutine: two failed handlers.
    check(engine.stats().handler_failures == 2, "failure count");
    std::cout << (ok ? "all checks passed\n" : "some checks FAILED\n");
    return ok ? 0 : 1;
}
