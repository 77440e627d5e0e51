/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * SIP on the wire: a one-pass, zero-copy parser for what servers send back, templates that turn
 * a line's actions into bytes, the token carried in Via branch / Call-ID / tags, and digest
 * authentication (RFC 2617, RFC 7616). Plain C11, no allocation and no formatted printing on
 * any per-message call.
 */
#ifndef SW_SIP_H
#define SW_SIP_H

#include <stddef.h>
#include <stdint.h>

/** Largest datagram the parser accepts (UDP payload limit). */
#define SW_SIP_MSG_MAX 65507u
/** Most header lines the parser walks before giving up (SW_SIP_TOO_MANY_HEADERS). */
#define SW_SIP_MAX_HEADERS 128u
/** Longest Via branch, tag or Call-ID accepted (SW_SIP_OVERSIZE_FIELD). */
#define SW_SIP_TOKEN_FIELD_MAX 255u
/** Longest realm, nonce or opaque accepted in a challenge (SW_SIP_OVERSIZE_FIELD). */
#define SW_SIP_CHALLENGE_FIELD_MAX 255u
/** Via header values kept for a UAS response (the rest are counted but not kept). */
#define SW_SIP_MAX_VIAS 4u

/** Why a datagram was not accepted; names in sw_sip_reason_name(). */
enum sw_sip_reason {
#define SW_SIP_REASON(sym, name, help) SW_SIP_##sym,
#include "sip_reason.def"
#undef SW_SIP_REASON
	SW_SIP_REASON_COUNT
};

/** SIP methods the generator knows; anything else is SW_SIP_METHOD_OTHER. */
enum sw_sip_method {
	SW_SIP_METHOD_NONE = 0, /**< a response's start line has no method */
	SW_SIP_METHOD_INVITE,
	SW_SIP_METHOD_ACK,
	SW_SIP_METHOD_BYE,
	SW_SIP_METHOD_CANCEL,
	SW_SIP_METHOD_REGISTER,
	SW_SIP_METHOD_OPTIONS,
	SW_SIP_METHOD_SUBSCRIBE,
	SW_SIP_METHOD_NOTIFY,
	SW_SIP_METHOD_PRACK,
	SW_SIP_METHOD_UPDATE,
	SW_SIP_METHOD_INFO,
	SW_SIP_METHOD_REFER,
	SW_SIP_METHOD_MESSAGE,
	SW_SIP_METHOD_PUBLISH,
	SW_SIP_METHOD_OTHER,
	SW_SIP_METHOD_COUNT
};

/** Digest algorithms (RFC 7616 section 3.3). */
enum sw_sip_digest_algo {
	SW_SIP_ALGO_MD5 = 0, /**< also when the challenge names no algorithm */
	SW_SIP_ALGO_MD5_SESS,
	SW_SIP_ALGO_SHA256,
	SW_SIP_ALGO_SHA256_SESS,
	SW_SIP_ALGO_UNKNOWN,
	SW_SIP_ALGO_COUNT
};

/** A slice of the datagram: never NUL-terminated, len 0 when absent. */
struct sw_sip_str {
	const char *p;
	uint32_t len;
};

/** A Digest challenge (WWW-Authenticate or Proxy-Authenticate). */
struct sw_sip_challenge {
	struct sw_sip_str realm;     /**< without the quotes */
	struct sw_sip_str nonce;     /**< without the quotes */
	struct sw_sip_str opaque;    /**< without the quotes; len 0 when absent */
	struct sw_sip_str qop;       /**< the qop-options list without quotes */
	struct sw_sip_str algorithm; /**< as written; len 0 when absent */
	uint8_t present;             /**< 1 when a Digest challenge was found */
	uint8_t proxy;               /**< 1 for Proxy-Authenticate (407) */
	uint8_t stale;               /**< 1 for stale=true */
	uint8_t qop_auth;            /**< 1 when qop-options include "auth" */
	uint8_t algo;                /**< enum sw_sip_digest_algo */
};

/** Which sub-fields sw_sip_parse() decodes; header lines are always located. */
enum sw_sip_want {
	SW_SIP_WANT_VIA = 1u << 0,     /**< top Via branch, received, rport */
	SW_SIP_WANT_TAGS = 1u << 1,    /**< From and To tags */
	SW_SIP_WANT_CONTACT = 1u << 2, /**< first Contact URI and its expires */
	SW_SIP_WANT_AUTH = 1u << 3,    /**< WWW-/Proxy-Authenticate */
	SW_SIP_WANT_NUMBERS = 1u << 4, /**< Expires, Retry-After */
	SW_SIP_WANT_ALL = 0x1fu,
};

/** A parsed message: every slice points into the datagram given to sw_sip_parse(). */
struct sw_sip_msg {
	/* start line */
	uint8_t is_request;         /**< 1 request, 0 response */
	uint8_t method;             /**< enum sw_sip_method of a request */
	uint8_t cseq_method;        /**< enum sw_sip_method of CSeq */
	uint8_t via_count;          /**< Via header values kept in vias[] */
	uint16_t status;            /**< response status code 100..699 */
	uint16_t header_count;      /**< header lines seen */
	struct sw_sip_str method_s; /**< request method as written */
	struct sw_sip_str ruri;     /**< request-URI */
	struct sw_sip_str reason;   /**< response reason phrase */
	/* top Via */
	struct sw_sip_str via_transport; /**< UDP, TCP, ... */
	struct sw_sip_str via_host;      /**< sent-by host */
	struct sw_sip_str via_branch;    /**< whole branch value, z9hG4bK included */
	struct sw_sip_str via_received;  /**< received= value */
	int32_t via_port;                /**< sent-by port, -1 when absent */
	int32_t via_rport;               /**< -1 absent, 0 "rport" without value, else the port */
	struct sw_sip_str vias[SW_SIP_MAX_VIAS]; /**< raw Via header values, top first */
	/* dialog */
	struct sw_sip_str from; /**< raw From value */
	struct sw_sip_str to;   /**< raw To value */
	struct sw_sip_str from_tag;
	struct sw_sip_str to_tag;
	struct sw_sip_str call_id;
	struct sw_sip_str cseq_s;        /**< raw CSeq value */
	struct sw_sip_str cseq_method_s; /**< CSeq method as written */
	uint32_t cseq;
	/* registration and retry */
	struct sw_sip_str contact_uri; /**< first Contact's URI (without < >); "*" for a star */
	int64_t contact_expires;       /**< first Contact's expires param, -1 when absent */
	int64_t expires;               /**< Expires header, -1 when absent */
	int64_t retry_after;           /**< Retry-After seconds, -1 when absent */
	int64_t content_length;        /**< -1 when absent (the body is the rest of the datagram) */
	struct sw_sip_challenge challenge;
	struct sw_sip_str body;
};

/**
 * Parse one SIP datagram in one pass without copying or allocating.
 *
 * ABNF (RFC 3261 section 25.1):
 *   SIP-message = Request / Response
 *   Request  = Request-Line *( message-header ) CRLF [ message-body ]
 *   Response = Status-Line *( message-header ) CRLF [ message-body ]
 * Lines may end in CRLF or a bare LF; a header line that starts with SP or HTAB continues the
 * previous one (LWS folding). Header names are case-insensitive, compact forms (v i f t m l k e c
 * s) are recognised. The body is located by Content-Length (or is the rest of the datagram
 * without one); bytes past Content-Length are ignored as RFC 3261 section 18.3 says for UDP.
 *
 * @param m
 *   Filled on success; partially filled on failure (do not use it then).
 * @param buf
 *   The datagram; never read outside [buf, buf + len).
 * @param len
 *   Its length in bytes.
 * @param want
 *   A mask of enum sw_sip_want: the sub-fields to decode (SW_SIP_WANT_ALL for everything).
 * @return
 *   SW_SIP_OK, or the reason the message was rejected (enum sw_sip_reason): SW_SIP_EMPTY,
 *   SW_SIP_OVERSIZE_MESSAGE, SW_SIP_TRUNCATED, SW_SIP_BAD_START_LINE, SW_SIP_BAD_VERSION,
 *   SW_SIP_BAD_STATUS, SW_SIP_BAD_HEADER, SW_SIP_TOO_MANY_HEADERS, SW_SIP_DUPLICATE_HEADER,
 *   SW_SIP_MISSING_VIA/FROM/TO/CALL_ID/CSEQ, SW_SIP_BAD_VIA, SW_SIP_BAD_FROM_TO,
 *   SW_SIP_BAD_CALL_ID, SW_SIP_BAD_CSEQ, SW_SIP_CSEQ_METHOD_MISMATCH, SW_SIP_BAD_NUMBER,
 *   SW_SIP_BAD_CONTENT_LENGTH, SW_SIP_CONTENT_LENGTH_MISMATCH, SW_SIP_BAD_CHALLENGE,
 *   SW_SIP_OVERSIZE_FIELD.
 */
enum sw_sip_reason sw_sip_parse(struct sw_sip_msg *m, const char *buf, size_t len, unsigned want);

/**
 * Parse the value of one WWW-Authenticate or Proxy-Authenticate header.
 *
 * @param c
 *   Filled; c->present is 1 when the value is a Digest challenge, 0 for another scheme.
 * @param p
 *   The header value (after the colon); never read outside [p, p + len).
 * @param len
 *   Its length.
 * @return
 *   SW_SIP_OK (also for a non-Digest scheme, with c->present 0), SW_SIP_BAD_CHALLENGE
 *   (no realm or nonce, bad quoting, bad syntax), SW_SIP_OVERSIZE_FIELD (realm, nonce or
 *   opaque longer than SW_SIP_CHALLENGE_FIELD_MAX).
 */
enum sw_sip_reason sw_sip_challenge_parse(struct sw_sip_challenge *c, const char *p, size_t len);

/**
 * @param r
 *   A reason code.
 * @return
 *   Its short name ("truncated"), or "unknown" for a value out of range.
 */
const char *sw_sip_reason_name(enum sw_sip_reason r);

/**
 * @param r
 *   A reason code.
 * @return
 *   A sentence that explains it, or "unknown" for a value out of range.
 */
const char *sw_sip_reason_help(enum sw_sip_reason r);

/**
 * @param m
 *   A method.
 * @return
 *   Its name as on the wire ("INVITE"), "" for SW_SIP_METHOD_NONE, "?" out of range.
 */
const char *sw_sip_method_name(enum sw_sip_method m);

/**
 * @param a
 *   An algorithm.
 * @return
 *   Its name as on the wire ("MD5-sess"), "?" out of range.
 */
const char *sw_sip_algo_name(enum sw_sip_digest_algo a);

#endif /* SW_SIP_H */
