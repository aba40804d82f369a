/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libberth-plugin: the HTTP/JSON side of a Docker managed (or legacy) plugin,
 * so a plugin written in C contains only its own logic.
 *
 *   pkg-config --cflags --libs berth-plugin-1
 */
#pragma once

#define BERTH_PLUGIN_INSIDE
#include "berth-plugin-error.h"
#include "berth-plugin-server.h"
#include "berth-plugin-volume-driver.h"
#undef BERTH_PLUGIN_INSIDE
