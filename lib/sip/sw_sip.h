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
	/**
	 * Only the top Via's branch (a UAC's demultiplexing key), without decoding or checking
	 * the rest of that Via; SW_SIP_WANT_VIA implies it. Same branch value and the same
	 * rejections of the branch itself (empty: SW_SIP_BAD_VIA, too long:
	 * SW_SIP_OVERSIZE_FIELD) as SW_SIP_WANT_VIA.
	 */
	SW_SIP_WANT_BRANCH = 1u << 5,
	/**
	 * The first Authorization header's value, raw (struct sw_sip_msg authorization), so a
	 * registrar needs no second pass to find it; it is never decoded or checked here.
	 */
	SW_SIP_WANT_AUTHORIZATION = 1u << 6,
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
	/**
	 * The first Authorization header's value, white space around it (and folds) trimmed;
	 * p is NULL when there is none or SW_SIP_WANT_AUTHORIZATION was not asked for.
	 */
	struct sw_sip_str authorization;
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

/* ---------------------------------------------------------------------------------------------
 * Token: worker, line and transaction in the Via branch, Call-ID and tags, checked by a MAC.
 */

/** Characters of a token on the wire (base64url of 96 bits: 64 payload + 32 MAC). */
#define SW_SIP_TOKEN_LEN 16u
/** The Via branch magic cookie (RFC 3261 section 8.1.1.7). */
#define SW_SIP_BRANCH_COOKIE "z9hG4bK"

/** Where a token is carried: part of the MAC input, so one cannot stand in for another. */
enum sw_sip_token_kind {
	SW_SIP_TOKEN_BRANCH = 0,
	SW_SIP_TOKEN_CALL_ID = 1,
	SW_SIP_TOKEN_TAG = 2,
};

/** The per-run secret (a SipHash-2-4 key); read-only, shared by all workers. */
struct sw_sip_token_key {
	uint64_t k0, k1;
};

/** What a token carries. */
struct sw_sip_token {
	uint32_t line;  /**< line index within the worker */
	uint32_t txn;   /**< transaction (or dialog) id, 24 bits */
	uint8_t worker; /**< worker index, 0..255 */
};

/**
 * Encode a token: 16 characters from the base64url alphabet (all RFC 3261 token characters).
 *
 * @param key
 *   The per-run secret.
 * @param kind
 *   Where the token goes.
 * @param t
 *   What it carries (txn is taken modulo 2^24).
 * @param out
 *   SW_SIP_TOKEN_LEN characters, not NUL-terminated.
 */
void sw_sip_token_encode(const struct sw_sip_token_key *key, enum sw_sip_token_kind kind,
                         const struct sw_sip_token *t, char *out);

/**
 * Encode the Call-ID and the tag of one dialog (or registration leg) at once: the same as
 * sw_sip_token_encode() with SW_SIP_TOKEN_CALL_ID and with SW_SIP_TOKEN_TAG, for the cost of
 * one MAC.
 *
 * @param key
 *   The per-run secret.
 * @param t
 *   What both carry.
 * @param call_id
 *   SW_SIP_TOKEN_LEN characters, not NUL-terminated.
 * @param tag
 *   SW_SIP_TOKEN_LEN characters, not NUL-terminated.
 */
void sw_sip_token_encode_dialog(const struct sw_sip_token_key *key, const struct sw_sip_token *t,
                                char *call_id, char *tag);

/**
 * Decode and check a token in O(1).
 *
 * @param key
 *   The per-run secret.
 * @param kind
 *   Where the token was found.
 * @param p
 *   The token: exactly SW_SIP_TOKEN_LEN characters, or followed by '@' (a Call-ID).
 * @param len
 *   Its length.
 * @param t
 *   Filled on success.
 * @return
 *   0; -EINVAL when it is not a token of ours (length, alphabet); -EBADMSG when the MAC does
 *   not match (forged, damaged, or from another run): count it, never trust it. A token that
 *   checks but names a transaction the line no longer has is stale: the caller compares t->txn.
 */
int sw_sip_token_decode(const struct sw_sip_token_key *key, enum sw_sip_token_kind kind,
                        const char *p, size_t len, struct sw_sip_token *t);

/**
 * Decode the token of a Via branch ("z9hG4bK" + token).
 *
 * @param key
 *   The per-run secret.
 * @param branch
 *   The branch parameter value (struct sw_sip_msg via_branch).
 * @param t
 *   Filled on success.
 * @return
 *   0, -EINVAL (no magic cookie or not a token of ours), -EBADMSG (MAC mismatch).
 */
int sw_sip_branch_decode(const struct sw_sip_token_key *key, struct sw_sip_str branch,
                         struct sw_sip_token *t);

/**
 * sw_sip_token_encode() that also says which MAC it wrote, so that a worker may keep it and
 * recognise the token when it comes back without computing it again (sw_sip_branch_read()).
 *
 * @param key
 *   The per-run secret.
 * @param kind
 *   Where the token goes.
 * @param t
 *   What it carries (txn is taken modulo 2^24).
 * @param out
 *   SW_SIP_TOKEN_LEN characters, not NUL-terminated.
 * @return
 *   The token's 32-bit MAC.
 */
uint32_t sw_sip_token_encode_mac(const struct sw_sip_token_key *key, enum sw_sip_token_kind kind,
                                 const struct sw_sip_token *t, char *out);

/**
 * The MAC of one dialog's (or registration leg's) Call-ID and tag: a pure function of key
 * and t, so a worker may compute it once per leg and keep it (sw_sip_token_put_dialog()).
 *
 * @param key
 *   The per-run secret.
 * @param t
 *   What both tokens carry.
 * @return
 *   The 64-bit MAC (both halves).
 */
uint64_t sw_sip_token_dialog_mac(const struct sw_sip_token_key *key, const struct sw_sip_token *t);

/** Most tokens one burst call hashes (more are left out). */
#define SW_SIP_TOKEN_BURST 16u

/**
 * sw_sip_token_dialog_mac() of n tokens at once (several hashes per instruction where the build
 * has AVX2): the same MACs.
 *
 * @param key
 *   The per-run secret.
 * @param t
 *   n tokens.
 * @param n
 *   At most SW_SIP_TOKEN_BURST.
 * @param mac
 *   n MACs.
 */
void sw_sip_token_dialog_mac_burst(const struct sw_sip_token_key *key, const struct sw_sip_token *t,
                                   unsigned int n, uint64_t *mac);

/**
 * sw_sip_token_encode_mac() of n tokens of one kind at once (several hashes per instruction
 * where the build has AVX2): the same characters and MACs.
 *
 * @param key
 *   The per-run secret.
 * @param kind
 *   Where the tokens go.
 * @param t
 *   n tokens.
 * @param n
 *   At most SW_SIP_TOKEN_BURST.
 * @param out
 *   n tokens of SW_SIP_TOKEN_LEN characters, not NUL-terminated.
 * @param mac
 *   n MACs.
 */
void sw_sip_token_encode_mac_burst(const struct sw_sip_token_key *key, enum sw_sip_token_kind kind,
                                   const struct sw_sip_token *t, unsigned int n,
                                   char (*out)[SW_SIP_TOKEN_LEN], uint32_t *mac);

/**
 * sw_sip_token_encode_dialog() with the MAC from sw_sip_token_dialog_mac() (no hashing).
 *
 * @param t
 *   What both carry.
 * @param mac
 *   sw_sip_token_dialog_mac() of the same key and t.
 * @param call_id
 *   SW_SIP_TOKEN_LEN characters, not NUL-terminated.
 * @param tag
 *   SW_SIP_TOKEN_LEN characters, not NUL-terminated.
 */
void sw_sip_token_put_dialog(const struct sw_sip_token *t, uint64_t mac, char *call_id, char *tag);

/**
 * Read the token of a Via branch without checking it: sw_sip_branch_decode() is this and
 * sw_sip_token_check(). A caller that kept the MAC it sent for exactly this worker, line and
 * transaction (sw_sip_token_encode_mac()) may compare instead of checking; anything else
 * must be checked.
 *
 * @param branch
 *   The branch parameter value (struct sw_sip_msg via_branch).
 * @param t
 *   Filled on success: what the token says (not trusted yet).
 * @param mac
 *   Filled on success: the MAC it carries.
 * @return
 *   0, -EINVAL (no magic cookie or not a token of ours).
 */
int sw_sip_branch_read(struct sw_sip_str branch, struct sw_sip_token *t, uint32_t *mac);

/**
 * Check the MAC of a token read by sw_sip_branch_read().
 *
 * @param key
 *   The per-run secret.
 * @param kind
 *   Where the token was found.
 * @param t
 *   What it says.
 * @param mac
 *   The MAC it carries.
 * @return
 *   0, -EBADMSG (MAC mismatch: forged, damaged, or from another run).
 */
int sw_sip_token_check(const struct sw_sip_token_key *key, enum sw_sip_token_kind kind,
                       const struct sw_sip_token *t, uint32_t mac);

/**
 * SipHash-2-4 of up to 15 bytes (exposed for its test vectors).
 *
 * @param key
 *   The key.
 * @param p
 *   The bytes.
 * @param n
 *   Their count, at most 15.
 * @return
 *   The 64-bit hash.
 */
uint64_t sw_sip_siphash(const struct sw_sip_token_key *key, const void *p, size_t n);

/* ---------------------------------------------------------------------------------------------
 * Digest authentication (RFC 2617, RFC 7616).
 */

/** Longest nonce kept for a line (a longer one is refused with -E2BIG). */
#define SW_SIP_DIGEST_NONCE_MAX 128u
/** Longest opaque kept for a line. */
#define SW_SIP_DIGEST_OPAQUE_MAX 64u
/** Hex characters of an MD5 digest; SHA-256 has twice as many. */
#define SW_SIP_MD5_HEX    32u
#define SW_SIP_SHA256_HEX 64u

/** A line's answer state after a challenge: what it needs to sign each request. */
struct sw_sip_digest {
	uint32_t mid[4]; /**< MD5 state after the first 64 bytes of "HA1:nonce", when has_mid */
	uint32_t nc;     /**< the last nonce-count sent */
	uint32_t cnonce; /**< the cnonce of the last response (fixed per nonce for -sess) */
	uint8_t algo;    /**< enum sw_sip_digest_algo */
	uint8_t qop;     /**< 1: qop=auth, 0: no qop (RFC 2069 compatibility) */
	uint8_t proxy;   /**< 1: answer with Proxy-Authorization */
	uint8_t has_mid; /**< 1 when mid[] is valid (MD5 family and a nonce of 31+ characters) */
	uint8_t echo_algorithm; /**< 1 when the challenge named an algorithm */
	uint8_t nonce_len;
	uint8_t opaque_len;
	uint8_t hex_len;             /**< 32 (MD5) or 64 (SHA-256) */
	char ha1[SW_SIP_SHA256_HEX]; /**< hex HA1 (session HA1 for -sess) */
	char nonce[SW_SIP_DIGEST_NONCE_MAX];
	char opaque[SW_SIP_DIGEST_OPAQUE_MAX];
};

/**
 * HA1 = H(username ":" realm ":" password), hex; once per line at start (slow path).
 *
 * @param algo
 *   SW_SIP_ALGO_MD5 or SW_SIP_ALGO_SHA256 (the -sess variants give the same base HA1).
 * @param user
 *   The authentication name; with its length ulen.
 * @param ulen
 *   Length of user.
 * @param realm
 *   The realm; with its length rlen.
 * @param rlen
 *   Length of realm.
 * @param pass
 *   The password; with its length plen.
 * @param plen
 *   Length of pass.
 * @param out
 *   32 or 64 hex characters, not NUL-terminated.
 * @return
 *   The number of hex characters written, or -EINVAL for an unknown algorithm.
 */
int sw_sip_digest_ha1(enum sw_sip_digest_algo algo, const char *user, size_t ulen,
                      const char *realm, size_t rlen, const char *pass, size_t plen, char *out);

/**
 * HA2 = H(method ":" digest-uri), hex; once per (method, URI) (qop=auth or no qop).
 *
 * @param algo
 *   The algorithm.
 * @param method
 *   The method as on the wire.
 * @param mlen
 *   Its length.
 * @param uri
 *   The digest-uri (the Request-URI as written).
 * @param ulen
 *   Its length.
 * @param out
 *   32 or 64 hex characters.
 * @return
 *   The number of hex characters written, or -EINVAL for an unknown algorithm.
 */
int sw_sip_digest_ha2(enum sw_sip_digest_algo algo, const char *method, size_t mlen,
                      const char *uri, size_t ulen, char *out);

/**
 * Take a challenge into a line's digest state (on a 401/407; slow path, once per nonce).
 *
 * @param d
 *   The line's state; overwritten.
 * @param c
 *   The parsed challenge (its slices are copied; the datagram may go).
 * @param ha1
 *   The line's hex HA1 for c->realm, computed with the challenge's hash (MD5 or SHA-256).
 *   NULL for MD5 (not MD5-sess): HA1 is left for sw_sip_digest_ha1_burst(), which must run
 *   before the first response (sw_sip_digest_ha1_pending() is 1 until then).
 * @param cnonce
 *   For -sess algorithms the client nonce fixed for this server nonce; ignored otherwise.
 * @return
 *   0; -EINVAL when c holds no Digest challenge, or ha1 is NULL for another algorithm than
 *   MD5; -ENOTSUP for an unknown algorithm, or qop offered without "auth" (auth-int only);
 *   -E2BIG for a nonce or opaque over the limits.
 */
int sw_sip_digest_accept(struct sw_sip_digest *d, const struct sw_sip_challenge *c, const char *ha1,
                         uint32_t cnonce);

/**
 * @return
 *   1 while a state taken by sw_sip_digest_accept() without its HA1 waits for it (a hex HA1
 *   never holds a NUL: the zeroed first byte is the mark), 0 otherwise.
 */
static inline int
sw_sip_digest_ha1_pending(const struct sw_sip_digest *d)
{
	return d->hex_len != 0 && d->ha1[0] == '\0';
}

/**
 * HA1 = MD5(user ":" realm ":" password) for n states left pending by sw_sip_digest_accept()
 * with ha1 NULL, and each one's saved state after it: what sw_sip_digest_ha1() and
 * sw_sip_digest_accept() with the HA1 would have made, 16 lines at a time in the multi-buffer
 * MD5 lanes when the build has AVX2 and the three fields fit one block (55 bytes), one by one
 * otherwise. A line's first challenge then costs no lone MD5 on the worker (two before: HA1
 * and, for a nonce of 31+ characters, the saved state).
 *
 * @param d
 *   The pending states (distinct).
 * @param cred
 *   For each state, user, realm and password: cred[3k], cred[3k+1], cred[3k+2], each at most
 *   256 bytes.
 * @param n
 *   How many states.
 * @return
 *   0, or -EINVAL when a state is not pending or a field is over 256 bytes (those states
 *   are left pending; the others are done).
 */
struct sw_sip_cstr;
int sw_sip_digest_ha1_burst(struct sw_sip_digest *const *d, const struct sw_sip_cstr *cred,
                            unsigned n);

/**
 * The response for the next request: nc is incremented, cnonce recorded (except -sess).
 * MD5 with a saved state hashes two blocks; without, three.
 *
 * @param d
 *   The line's state from sw_sip_digest_accept().
 * @param ha2
 *   The hex HA2 of the request's method and URI (d->hex_len characters).
 * @param cnonce
 *   The client nonce for this request (8 hex digits on the wire).
 * @param out
 *   d->hex_len hex characters.
 */
void sw_sip_digest_response(struct sw_sip_digest *d, const char *ha2, uint32_t cnonce, char *out);

/**
 * sw_sip_digest_response() for n lines at once: MD5 lines whose input is two blocks at most
 * (after the saved state, or in all for a nonce under 31 characters) are hashed 16 at a time
 * with AVX2 (multi-buffer MD5) when the build has it; the others one by one. Results equal n
 * calls of sw_sip_digest_response(). Use it for a burst of requests.
 *
 * @param d
 *   The lines' states (distinct).
 * @param ha2
 *   Each line's hex HA2.
 * @param cnonce
 *   Each line's client nonce.
 * @param out
 *   Where each line's hex response goes.
 * @param n
 *   How many lines.
 */
void sw_sip_digest_response_burst(struct sw_sip_digest *const *d, const char *const *ha2,
                                  const uint32_t *cnonce, char *const *out, unsigned n);

/**
 * @param d
 *   A line's state from sw_sip_digest_accept().
 * @return
 *   1 when sw_sip_digest_response_burst() hashes this line in its multi-buffer lanes (worth
 *   waiting for a burst), 0 when it would be hashed alone.
 */
int sw_sip_digest_burstable(const struct sw_sip_digest *d);

/* ---------------------------------------------------------------------------------------------
 * Templates: messages built by copying compiled pieces and the variable fields between them.
 */

/** Message kinds with a built-in template. */
enum sw_sip_kind {
	SW_SIP_KIND_REGISTER = 0,
	SW_SIP_KIND_INVITE,
	SW_SIP_KIND_ACK,
	SW_SIP_KIND_BYE,
	SW_SIP_KIND_CANCEL,
	SW_SIP_KIND_SUBSCRIBE,
	SW_SIP_KIND_OPTIONS,
	SW_SIP_KIND_100,     /**< 100 Trying to a request */
	SW_SIP_KIND_180,     /**< 180 Ringing */
	SW_SIP_KIND_200_SDP, /**< 200 OK with an SDP answer (to INVITE) */
	SW_SIP_KIND_200,     /**< 200 OK without a body (to BYE, CANCEL, OPTIONS, NOTIFY) */
	SW_SIP_KIND_481,     /**< 481 Call/Transaction Does Not Exist */
	SW_SIP_KIND_486,     /**< 486 Busy Here */
	SW_SIP_KIND_COUNT
};

/**
 * String variables of a message. In a template text they are written {name}, with name the
 * lower-case suffix (SW_SIP_V_FROM_TAG is {from_tag}).
 */
enum sw_sip_var {
	SW_SIP_V_USER = 0,      /**< the line's user part (From, Contact) */
	SW_SIP_V_DISPLAY,       /**< display name; empty: none */
	SW_SIP_V_DOMAIN,        /**< the SIP domain (Request-URI of REGISTER, AORs) */
	SW_SIP_V_AUTH_USER,     /**< the digest username */
	SW_SIP_V_LOCAL,         /**< our host:port (Via sent-by, Contact) */
	SW_SIP_V_LOCAL_IP,      /**< our IP (SDP) */
	SW_SIP_V_TO_USER,       /**< the called user (INVITE, CANCEL) */
	SW_SIP_V_REMOTE_TARGET, /**< the dialog's remote target URI (ACK for 2xx, BYE) */
	SW_SIP_V_REALM,         /**< the realm of the line's digest state */
	SW_SIP_V_BRANCH,        /**< the Via branch after z9hG4bK (a token) */
	SW_SIP_V_FROM_TAG,      /**< a token */
	SW_SIP_V_TO_TAG,        /**< the peer's tag (in-dialog), or ours (UAS responses) */
	SW_SIP_V_CALL_ID,       /**< a token, optionally "@host" */
	SW_SIP_V_RESPONSE,      /**< the digest response (hex) */
	SW_SIP_V_COUNT
};

/** Number variables, written in decimal: {cseq} {expires} {rtp_port} {sdp_id}. */
enum sw_sip_num {
	SW_SIP_N_CSEQ = 0,
	SW_SIP_N_EXPIRES,
	SW_SIP_N_RTP_PORT,
	SW_SIP_N_SDP_ID,
	SW_SIP_N_COUNT
};

/** Profile-wide constants folded into the templates when they are compiled. */
struct sw_sip_profile {
	const char *user_agent; /**< User-Agent / Server value; NULL: "sipswarm" */
	/** {domain} as fixed text (a template per domain: fewer pieces to build); NULL or ""
	 *  keeps it a field, taken from sw_sip_vars */
	const char *domain;
};

/** Most pieces and bytes in one compiled template. */
#define SW_SIP_TMPL_SEGS 96u
#define SW_SIP_TMPL_TEXT 2048u
/** Bytes past the end of a message that sw_sip_build() may write (fast copies). */
#define SW_SIP_BUILD_SLACK 32u

/** One piece: literal text, then a variable field, under a mask of conditions. */
struct sw_sip_seg {
	uint16_t off;  /**< literal: offset in text */
	uint16_t len;  /**< literal: length; 0 for none */
	uint8_t field; /**< private: 1 + id of the field after the literal; 0 for none */
	uint8_t cond;  /**< private condition mask; all must hold */
	uint8_t skip;  /**< private: the pieces after this one that need cond too */
};

/** A compiled template: read-only after sw_sip_tmpl_compile(), shared by all lines. */
struct sw_sip_tmpl {
	uint16_t nseg;
	uint16_t body_seg; /**< first piece of the body (== nseg without a body) */
	uint16_t text_len;
	uint8_t kind;
	uint8_t fixed;       /**< private: 1 for sw_sip_tmpl_specialize()'s */
	uint8_t fixed_conds; /**< private: the conditions it was specialized for */
	struct sw_sip_seg seg[SW_SIP_TMPL_SEGS];
	char text[SW_SIP_TMPL_TEXT + SW_SIP_BUILD_SLACK];
};

/** A string variable's value; p may be NULL when len is 0. */
struct sw_sip_cstr {
	const char *p;
	uint32_t len;
};

/** Everything that varies per message; unset strings are empty. */
struct sw_sip_vars {
	struct sw_sip_cstr s[SW_SIP_V_COUNT];
	uint32_t n[SW_SIP_N_COUNT];
	const struct sw_sip_digest *digest; /**< non-NULL: add (Proxy-)Authorization */
	const struct sw_sip_msg *req;       /**< the request a UAS response answers */
};

/**
 * Compile a built-in template for a kind (start-up, slow path).
 *
 * @param t
 *   Filled.
 * @param kind
 *   The message kind.
 * @param profile
 *   Profile constants; may be NULL.
 * @return
 *   0, -EINVAL (unknown kind), -E2BIG (too many pieces or too much text).
 */
int sw_sip_tmpl_compile(struct sw_sip_tmpl *t, enum sw_sip_kind kind,
                        const struct sw_sip_profile *profile);

/**
 * Compile a template from text: literal bytes, {var} fields, {?cond}...{/} sections and {ua}.
 * Fields beyond enum sw_sip_var: {auth_hdr} {nonce} {opaque} {algorithm} {nc} {cnonce}
 * (from vars->digest), {req_via} (every Via line of vars->req), {req_from} {req_to}
 * {req_call_id} {req_cseq}, {content_length}. Conditions: display, auth, qop, opaque,
 * algorithm, to_tag, req_no_to_tag, proxy (the challenge was a
 * Proxy-Authenticate). The body is whatever follows the first empty line.
 *
 * @param t
 *   Filled.
 * @param text
 *   The template, NUL-terminated.
 * @param profile
 *   Profile constants; may be NULL.
 * @return
 *   0, -EINVAL (unknown name or unbalanced section), -E2BIG (over the template limits).
 */
int sw_sip_tmpl_compile_text(struct sw_sip_tmpl *t, const char *text,
                             const struct sw_sip_profile *profile);

/**
 * The conditions a message's variables give the template's {?...} sections (display name,
 * digest credentials and their qop, opaque, algorithm and proxy, To tag, the request's To
 * tag): what sw_sip_tmpl_specialize() takes. Two variable sets with the same value build the
 * same pieces of any template.
 *
 * @param v
 *   The variables.
 * @return
 *   A value below 256.
 */
unsigned int sw_sip_build_conds(const struct sw_sip_vars *v);

/**
 * Make a template for one set of conditions (start-up or once per new challenge shape, slow
 * path): src's pieces that the conditions keep, in order, the others left out, adjacent
 * literals merged. sw_sip_build() with it writes the same bytes as with src, in fewer pieces
 * and no condition tests, for variables whose sw_sip_build_conds() is conds (others: -EINVAL).
 *
 * @param dst
 *   Filled.
 * @param src
 *   A compiled template (not itself specialized).
 * @param conds
 *   From sw_sip_build_conds().
 * @return
 *   0, -EINVAL (conds out of range, or src specialized), -E2BIG (cannot happen for a
 *   template that compiled).
 */
int sw_sip_tmpl_specialize(struct sw_sip_tmpl *dst, const struct sw_sip_tmpl *src,
                           unsigned int conds);

/** sw_sip_tmpl_specialize_fold(): fold the digest's algorithm name (string variables fold by
 *  their bit, 1 << enum sw_sip_var). */
#define SW_SIP_FOLD_ALGORITHM (1u << 31)
/** sw_sip_tmpl_specialize_fold(): fold {expires}, the number v->n[SW_SIP_N_EXPIRES]. */
#define SW_SIP_FOLD_EXPIRES (1u << 30)

/**
 * sw_sip_tmpl_specialize() that also writes some fields' values into the template as text:
 * the string variables whose bit (1 << enum sw_sip_var) is in fold, the digest's algorithm
 * with SW_SIP_FOLD_ALGORITHM and the Expires number with SW_SIP_FOLD_EXPIRES, as v has them.
 * One piece less per folded field for every message built; the template then builds right only
 * for variables with those values, which the caller checks (sw_sip_build() checks the
 * conditions only).
 *
 * @param dst
 *   Filled.
 * @param src
 *   A compiled template (not itself specialized).
 * @param conds
 *   From sw_sip_build_conds().
 * @param v
 *   The values to fold; may be NULL when fold is 0.
 * @param fold
 *   Bits of the fields to fold.
 * @return
 *   0, -EINVAL (conds out of range, src specialized, an unknown bit, or the algorithm without
 *   a digest), -E2BIG (the values do not fit the template's text).
 */
int sw_sip_tmpl_specialize_fold(struct sw_sip_tmpl *dst, const struct sw_sip_tmpl *src,
                                unsigned int conds, const struct sw_sip_vars *v, unsigned int fold);

/**
 * Build one message: copies of template pieces and variables, no formatted printing.
 * Content-Length is the body's exact length.
 *
 * @param t
 *   A compiled template.
 * @param v
 *   The variables.
 * @param out
 *   Where the message goes; up to SW_SIP_BUILD_SLACK bytes after it may be overwritten.
 * @param cap
 *   Size of out.
 * @return
 *   The message length, or -ENOSPC when out is too small (message + SW_SIP_BUILD_SLACK),
 *   -EINVAL when t is specialized for other conditions than v's.
 */
int sw_sip_build(const struct sw_sip_tmpl *t, const struct sw_sip_vars *v, char *out, size_t cap);

/**
 * sw_sip_build() for a caller that has the variables' conditions already (it chose the
 * template by them): the same bytes and errors, without working them out again.
 *
 * @param t
 *   A compiled template.
 * @param v
 *   The variables.
 * @param conds
 *   sw_sip_build_conds(v): other values build another message (never past cap).
 * @param out
 *   Where the message goes; up to SW_SIP_BUILD_SLACK bytes after it may be overwritten.
 * @param cap
 *   Size of out.
 * @return
 *   As sw_sip_build(); -EINVAL also for conds above 255.
 */
int sw_sip_build_with_conds(const struct sw_sip_tmpl *t, const struct sw_sip_vars *v,
                            unsigned int conds, char *out, size_t cap);

/**
 * @param k
 *   A kind.
 * @return
 *   Its name ("register", "200-sdp"), or NULL out of range.
 */
const char *sw_sip_kind_name(enum sw_sip_kind k);

#endif /* SW_SIP_H */
