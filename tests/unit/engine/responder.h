/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal registrar for the engine's tests, on the virtual wire: answers ARP for its
 * addresses, challenges REGISTER (401, MD5 or SHA-256, qop=auth), checks the digest response
 * it gets back (computed independently here with OpenSSL's EVP), answers 200 with the granted
 * expiry, answers nothing while "silent". Test code: it parses with strstr and prints with
 * snprintf.
 */
#ifndef TEST_RESPONDER_H
#define TEST_RESPONDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RESP_MAX_SERVERS 4

struct responder {
	unsigned int n;
	uint32_t ip[RESP_MAX_SERVERS];
	uint8_t mac[RESP_MAX_SERVERS][6];
	bool silent[RESP_MAX_SERVERS];
	uint32_t grant; /* s granted */
	const char *realm;
	bool sha256; /* challenge with algorithm=SHA-256 (RFC 7616), not MD5 */
	/* what it saw */
	uint64_t registers[RESP_MAX_SERVERS];
	uint64_t challenged, accepted, bad_digest, unregistered;
	uint64_t bindings[RESP_MAX_SERVERS]; /* 200s to REGISTER with Expires > 0 */
};

/* one frame in; replies appended to out (frames of at most 2048 bytes); returns their count */
unsigned int responder_input(struct responder *r, const uint8_t *frame, size_t len,
                             uint8_t (*out)[2048], uint16_t *out_len, unsigned int max);

#endif
