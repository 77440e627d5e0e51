/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * sipswarm-tool commands. Each returns the process exit status: 0 success, 1 a negative answer
 * (for example a message that does not parse), 2 bad usage or bad input.
 */
#ifndef SW_TOOL_H
#define SW_TOOL_H

/** Exit status for bad usage or unreadable input. */
#define SW_TOOL_EUSAGE 2

int sw_tool_config(int argc, char **argv);
int sw_tool_simulate(int argc, char **argv);
int sw_tool_sip(int argc, char **argv);
int sw_tool_dns(int argc, char **argv);
int sw_tool_report(int argc, char **argv);

#endif /* SW_TOOL_H */
