//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Must NOT compile: async_receive completes an error with T{} as the value, so it refuses a T
// without a default constructor, with a diagnostic that says so ("needs a default-constructible
// T"). The blocking receives accept such a T.
#include <zctor/oneshot.hpp>

#include <boost/asio/use_future.hpp>

struct no_default
{
    explicit no_default(int v) : value(v) {}
    int value;
};

int main()
{
    zctor::oneshot_channel<no_default> ch;
    ch.send(no_default(1));
    ch.try_receive();                          // fine
    ch.async_receive(boost::asio::use_future); // error: no_default{} cannot be made
}
