/* SPDX-License-Identifier: BSD-3-Clause */
/* The hand-written MD5 measured against OpenSSL's in bench_sip. */
#ifndef BENCH_MD5_H
#define BENCH_MD5_H

#include <stddef.h>
#include <stdint.h>

void sw_sip_md5_init(uint32_t st[4]);
void sw_sip_md5_compress(uint32_t st[4], const uint8_t *blk);
void sw_sip_md5_finish(uint32_t st[4], const uint8_t *tail, size_t n, uint64_t total,
                       uint8_t out[16]);
void sw_sip_md5(const void *p, size_t n, uint8_t out[16]);

#endif /* BENCH_MD5_H */
