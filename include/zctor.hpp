//
// Copyright (c) 2026 The zctor authors. Distributed under the MIT License.
//
#ifndef ZCTOR_HPP
#define ZCTOR_HPP

#include <zctor/actor_ref.hpp>
#include <zctor/ask.hpp>
#include <zctor/config.hpp>
#include <zctor/context.hpp>
#include <zctor/engine.hpp>
#include <zctor/error.hpp>
#include <zctor/lifecycle.hpp>
#include <zctor/metrics.hpp>
#include <zctor/oneshot.hpp>
#include <zctor/response_promise.hpp>
#include <zctor/stats.hpp>
#include <zctor/supervisor.hpp>
#include <zctor/timer.hpp>

#endif
