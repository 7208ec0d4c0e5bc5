//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
// Must NOT compile: a typed reference refuses, at compile time, a message its actor does not
// handle, with the diagnostic "zctor: this actor does not handle that message type".
#include <zctor.hpp>

struct increment
{
    int by = 1;
};

struct unrelated
{};

class counter
{
public:
    void handle(zctor::context&, increment m) { total_ += m.by; }

private:
    int total_ = 0;
};

int main()
{
    zctor::engine eng;
    zctor::actor_ref<counter> ref = eng.spawn<counter>();
    ref.send(increment{}); // fine
    ref.send(unrelated{}); // error: counter has no handle(unrelated)
}
