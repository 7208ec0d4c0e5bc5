//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Serving the inspector to Prometheus: a small HTTP server on the loopback interface, written
// with plain Asio, answers GET /metrics with to_prometheus(engine.snapshot()). The actors do
// some work meanwhile.
//
// Run as is (as the test does), it fetches its own /metrics page once, prints it and exits.
// With --serve it keeps serving until interrupted; --port N picks the port (default: any free
// one, printed at start):  ./zctor_example_11_metrics_server --serve --port 9464
//

#include <zctor.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <thread>

namespace asio = boost::asio;
using asio::ip::tcp;

struct work
{
    std::uint32_t n = 0;
};

//[serve_metrics
// One HTTP/1.1 exchange per connection: read the request head, answer, close.
asio::awaitable<void> serve_one(tcp::socket socket, zctor::engine& eng)
{
    std::string request;
    auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(request, 8192), "\r\n\r\n",
                                                   asio::as_tuple(asio::use_awaitable));
    if (ec)
        co_return; // the client went away or sent a head too large: nothing to answer
    std::string status = "404 Not Found";
    std::string type = "text/plain; charset=utf-8";
    std::string body = "not found\n";
    if (request.rfind("GET /metrics ", 0) == 0)
    {
        status = "200 OK";
        type = "text/plain; version=0.0.4; charset=utf-8"; // the Prometheus text format
        body = zctor::to_prometheus(eng.snapshot());
    }
    const std::string response = "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
                                 "\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\nConnection: close\r\n\r\n" + body;
    co_await asio::async_write(socket, asio::buffer(response), asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, zctor::engine& eng)
{
    for (;;)
    {
        auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec)
            co_return; // closed
        asio::co_spawn(acceptor.get_executor(), serve_one(std::move(socket), eng), asio::detached);
    }
}
//]

// What a scraper does: GET /metrics, read to the end. Returns the response.
asio::awaitable<std::string> fetch(tcp::endpoint at, std::string path)
{
    tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(at, asio::use_awaitable);
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    std::string response;
    auto [ec, n] = co_await asio::async_read(socket, asio::dynamic_buffer(response),
                                             asio::as_tuple(asio::use_awaitable));
    if (ec && ec != asio::error::eof)
        throw boost::system::system_error(ec, "reading the response");
    co_return response;
}

int main(int argc, char** argv)
{
    bool serve = false;
    unsigned short port = 0;
    for (int i = 1; i < argc; ++i)
    {
        if (std::strcmp(argv[i], "--serve") == 0)
            serve = true;
        else if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = static_cast<unsigned short>(std::atoi(argv[++i]));
        else
        {
            std::cerr << "usage: " << argv[0] << " [--serve] [--port N]\n";
            return 2;
        }
    }

    zctor::engine_config config;
    config.thread_count = 2;
    config.metrics = true;
    zctor::engine eng(config);
    auto worker = eng.spawn<work>(zctor::actor_config{.name = "worker"}, [](work w) {
        return w.n != 0; // 0 fails, to show a failure in the numbers
    });
    eng.run();
    for (std::uint32_t i = 0; i < 1000; ++i)
        worker.send(work{i % 100});

    asio::io_context io; // the HTTP side: plain Asio, on this thread
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    const tcp::endpoint at = acceptor.local_endpoint();
    std::cout << "serving http://127.0.0.1:" << at.port() << "/metrics\n";
    asio::co_spawn(io, accept_loop(acceptor, eng), asio::detached);

    int status = 0;
    if (serve)
    {
        asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](auto, int) { acceptor.close(); });
        io.run();
    }
    else
    {
        // Scrape once, after the work is done (bounded: a lost message fails the example), and
        // check what came back.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (eng.stats().messages_handled < 1000 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        asio::co_spawn(io, fetch(at, "/metrics"), [&](std::exception_ptr ep, std::string response) {
            acceptor.close();
            if (ep)
            {
                status = 1;
                return;
            }
            std::cout << response.substr(0, 1500) << "...\n";
            const bool ok = response.rfind("HTTP/1.1 200 OK\r\n", 0) == 0 &&
                            response.find("zctor_actor_messages_processed_total{id=\"1\",name=\"worker\"") !=
                                std::string::npos &&
                            response.find("zctor_messages_failed_total 10\n") != std::string::npos;
            if (!ok)
                status = 1;
        });
        io.run();
    }
    eng.stop();
    eng.join();
    return status;
}
