//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Proves that a CMake consumer using zctor through find_package(zctor) on an installed tree can
// compile against the headers, link the library and run an actor to completion.
#include <zctor.hpp>

#include <iostream>

namespace
{

struct ping
{
    int n;
};

} // namespace

int main()
{
    zctor::engine_config config;
    config.thread_count = 1;
    zctor::engine e(config);
    int got = 0;
    e.spawn<ping>(
        [&](zctor::context& ctx, ping p)
        {
            got = p.n;
            ctx.get_engine().stop();
        });
    e.send(ping{42});
    e.start();
    std::cout << "zctor cmake_install_test: got " << got << '\n';
    return got == 42 ? 0 : 1;
}
