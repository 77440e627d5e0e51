/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SIPSWARM_DEMO_H
#define SIPSWARM_DEMO_H

/** The embedded default's phone configuration and load profile (one text). */
extern const char sw_demo_config[];
/** Its cluster fault schedule. */
extern const char sw_demo_schedule[];

#endif
