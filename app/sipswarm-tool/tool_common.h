/* SPDX-License-Identifier: BSD-3-Clause */
/** @file Helpers shared by the tool commands that read configuration files. */
#ifndef SW_TOOL_COMMON_H
#define SW_TOOL_COMMON_H

#include "sw_config.h"

/**
 * Load every file in order, finish, print warnings and errors to stderr.
 *
 * @return the configuration, or NULL after printing why
 */
struct sw_config *sw_tool_load_config(char *const *files, int n, bool quiet_warnings);

#endif /* SW_TOOL_COMMON_H */
