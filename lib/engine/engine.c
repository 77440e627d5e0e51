/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop's body: see sw_engine.h. Hot paths: sw_engine_rx(), the timer callback,
 * send_request(). Slow paths (start-up, challenges, stop) are marked.
 */
#include <errno.h>
#include <stdatomic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_engine.h"

#define TICK_NS    SW_NS_PER_MS
#define MAX_REALMS 16
#define NO_SID     0xff

/* authenticated REGISTERs signed together: lib/sip's multi-buffer MD5 hashes 16 lanes (two
 * interleaved groups of 8) per call, so a burst of 8 would leave half of them idle */
#define SW_ENGINE_SIGN_BURST 16
/* the tag of a line's first REGISTER: leg 0, sequence 1 (lib/phone counts from 0, +1 a
 * transaction) */
#define FIRST_TAG 1u
_Static_assert(SW_ENGINE_SIGN_BURST <= SW_SIP_TOKEN_BURST, "a burst's branches in one call");
/* the bytes per line the README states: new fields go into the padding */
_Static_assert(sizeof(struct sw_engine_line) == 112, "sw_engine_line is 112 bytes");

struct sw_engine {
	struct sw_engine_cfg cfg;
	const struct sw_engine_routes *routes;            /* in use by the worker */
	_Atomic(const struct sw_engine_routes *) offered; /* set by the control core */
	_Atomic(const struct sw_engine_routes *) adopted; /* set by the worker */
	struct sw_phone_ctx ctx;
	struct sw_phone_account *acc; /* per route */
	struct sw_phone_line *lines;
	struct sw_timer *timers;
	struct sw_engine_line *ext;
	struct sw_sip_digest *dig; /* 2 per line: one per registration leg */
	uint32_t n_lines;
	uint32_t next_start;
	bool held;         /* the last start waited for cfg.max_in_flight */
	uint64_t released; /* ns: when the limit last let starts go (their lag counts from it) */
	unsigned int n_pending; /* authenticated REGISTERs waiting for a burst digest */
	bool defer_ha1;         /* first MD5 challenges hashed in the burst (pending_ha1) */
	struct {
		uint32_t i;
		struct sw_phone_action a;
	} pending[SW_ENGINE_SIGN_BURST];
	char *ident; /* every line's user and auth names, formatted once at start */
	size_t ident_cap;
	bool stopped;
	bool stop_unreg;    /* stopping with unregistration, paced: lines [stop_next, next_start) */
	uint32_t stop_next; /* the next line to stop */
	uint64_t stop_t0;   /* ns: when the stop began */
	uint64_t stop_sends; /* unregistrations sent so far (the pacing's count) */
	uint64_t now;
	uint64_t rng;
	uint16_t ip_id;
	/* prehash_starts(): the first REGISTER's branch of lines about to start, by line modulo
	 * the burst (line UINT32_MAX: none) */
	struct first_branch {
		uint32_t line;
		uint32_t mac;
		char text[SW_SIP_TOKEN_LEN];
	} first_br[SW_SIP_TOKEN_BURST];
	const struct sw_net_neigh *hop; /* next_hop(): the last known entry found, for hop_ip */
	uint32_t hop_ip;
	/* put_addr(): the last /24 and port formatted, "a.b.c." and ":port" (UINT32_MAX and
	 * a port above 65535 at start: formatted at the first use) */
	uint32_t addr_net;
	uint32_t addr_port;
	uint8_t addr_net_len, addr_port_len;
	char addr_net_s[16];
	char addr_port_s[8];
	size_t bytes;
	unsigned int n_realms;
	char realm[MAX_REALMS][SW_SIP_CHALLENGE_FIELD_MAX + 1];
	uint16_t realm_len[MAX_REALMS];
	struct sw_sip_vars reg_vars; /* send_register()'s, zero but for what it sets */
	struct sw_sip_tmpl tmpl_register;
	/* the REGISTER once more per route (account) and server, its domain folded in as text:
	 * 4 pieces fewer to build (request URI, From, To, digest uri) */
	struct sw_sip_tmpl *tmpl_reg;
	unsigned int n_tmpl_reg;
	/* each tmpl_reg specialized (sw_sip_tmpl_specialize_fold) twice: [0] for REGISTERs
	 * without credentials asking for the server's configured Expires (at start), [1] for
	 * the first shape of credentials, realm, algorithm and Expires one is sent with (filled
	 * then, once); a REGISTER of another shape takes tmpl_reg itself */
	struct sw_sip_tmpl *tmpl_fast;
	/* what each tmpl_fast pair folded: the Expires of both, the realm (index in realm[])
	 * and the algorithm of [1] */
	struct fast_key {
		uint32_t expires[2];
		uint8_t realm, algo;
	} * fast_key;
	struct sw_sip_tmpl tmpl_200;
	struct sw_sip_tmpl tmpl_486;
	struct sw_sip_tmpl tmpl_481;
	struct sw_timer_wheel wheel;
	struct sw_engine_stats st SW_ALIGNED_CACHE;
};

static const char *const counter_names[] = {
#define SW_ENGINE_COUNTER(sym, name, help) name,
#include "engine_counter.def"
#undef SW_ENGINE_COUNTER
};

static const char *const counter_helps[] = {
#define SW_ENGINE_COUNTER(sym, name, help) help,
#include "engine_counter.def"
#undef SW_ENGINE_COUNTER
};

static const char *const hist_names[SW_ENGINE_H_MAX] = {
        [SW_ENGINE_H_RTT] = "rtt_ns",
        [SW_ENGINE_H_REGISTER_RTT] = "register_auth_rtt_ns",
        [SW_ENGINE_H_TIMER_LATE] = "timer_late_ns",
        [SW_ENGINE_H_START_LAG] = "start_lag_ns",
        [SW_ENGINE_H_FIRST_REGISTER] = "first_register_ns",
        [SW_ENGINE_H_UNREG_GAP] = "unregistered_gap_ns",
        [SW_ENGINE_H_FAILOVER] = "failover_ns",
};

const char *
sw_engine_counter_name(enum sw_engine_counter c)
{
	return (unsigned int)c < SW_ENGINE_C_MAX ? counter_names[c] : "?";
}

const char *
sw_engine_counter_help(enum sw_engine_counter c)
{
	return (unsigned int)c < SW_ENGINE_C_MAX ? counter_helps[c] : "?";
}

const char *
sw_engine_hist_name(enum sw_engine_hist h)
{
	return (unsigned int)h < SW_ENGINE_H_MAX ? hist_names[h] : "?";
}

size_t
sw_engine_bytes_per_line(void)
{
	/* + the identity arena: about 3 x 9 characters a line (user and authentication names,
	 * password) with the usual templates */
	return sizeof(struct sw_phone_line) + sizeof(struct sw_timer) +
	       sizeof(struct sw_engine_line) + 2 * sizeof(struct sw_sip_digest) + 27;
}

static inline void
count(struct sw_engine *e, enum sw_engine_counter c)
{
	sw_stat_add(&e->st.c[c], 1);
}

static inline void
gauge_sub(uint64_t *g)
{
	sw_stat_add(g, (uint64_t)-1);
}

/* ---- start-up (slow path) ----------------------------------------------------------------- */

static void *
zalloc(const struct sw_engine_cfg *c, size_t n)
{
	if (c->zalloc != NULL)
		return c->zalloc(n, c->alloc_arg);
	return calloc(1, n);
}

static void
zfree(const struct sw_engine_cfg *c, void *p, size_t n)
{
	if (p == NULL)
		return;
	if (c->free != NULL)
		c->free(p, n, c->alloc_arg);
	else
		free(p);
}

static void timer_fired(struct sw_timer_wheel *w, struct sw_timer *t, void *arg);

static uint32_t
line_gid(const struct sw_engine *e, uint32_t i)
{
	return i * e->cfg.n_workers + e->cfg.worker;
}

static int
route_of(const struct sw_engine_routes *r, const struct sw_account_cfg *cfg)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (r->r[i].cfg == cfg)
			return (int)i;
	return -1;
}

/* ns: when the resolution of server s of route i ends (failback mode 1 reads it) */
static uint64_t
route_expiry(const struct sw_engine_routes *rs, unsigned int i, unsigned int s, uint64_t base)
{
	const struct sw_engine_route *r = &rs->r[i];

	if (r->ttl[s] == UINT32_MAX)
		return UINT64_MAX;
	/* dns_cache_type 0 (real-time) [ours]: a resolution with TTL 0, renewed at every
	 * re-resolution cycle (spec section 2) */
	if (r->cfg->dns_cache_type == SW_DNS_CACHE_REALTIME)
		return base;
	return base + r->ttl[s] * SW_NS_PER_S;
}

/* what the phone reads of route i: its target counts and when each resolution ends */
static void
account_targets(struct sw_phone_account *acc, const struct sw_engine_routes *rs, unsigned int i,
                uint64_t base)
{
	for (unsigned int s = 0; s < SW_MAX_SERVERS; s++) {
		acc->n_targets[s] = rs->r[i].n_targets[s];
		acc->dns_expiry[s] = route_expiry(rs, i, s, base);
	}
}

struct sw_engine *
sw_engine_new(const struct sw_engine_cfg *cfg)
{
	if (cfg == NULL || cfg->config == NULL || cfg->routes == NULL || cfg->key == NULL ||
	    cfg->n_workers == 0 || cfg->worker >= cfg->n_workers || cfg->n_workers > 256 ||
	    cfg->shard_n == 0 || cfg->shard_k >= cfg->shard_n || cfg->io.alloc == NULL ||
	    cfg->io.send == NULL) {
		errno = EINVAL;
		return NULL;
	}
	struct sw_engine *e = aligned_alloc(SW_CACHE_LINE, sizeof(*e));

	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->cfg = *cfg;
	e->routes = cfg->routes;
	e->addr_net = UINT32_MAX;
	e->addr_port = UINT32_MAX;
	for (unsigned int k = 0; k < SW_SIP_TOKEN_BURST; k++)
		e->first_br[k].line = UINT32_MAX;
	atomic_init(&e->offered, cfg->routes);
	atomic_init(&e->adopted, cfg->routes);
	uint64_t total = sw_config_line_count(cfg->config, cfg->shard_k, cfg->shard_n);
	uint64_t mine = total / cfg->n_workers + (cfg->worker < total % cfg->n_workers);

	if (cfg->max_lines && mine > cfg->max_lines)
		mine = cfg->max_lines;
	if (mine > UINT32_MAX / 2) {
		free(e);
		errno = EINVAL;
		return NULL;
	}
	e->n_lines = (uint32_t)mine;
	e->acc = calloc(cfg->routes->n ? cfg->routes->n : 1, sizeof(*e->acc));
	e->bytes = (size_t)e->n_lines * sw_engine_bytes_per_line();
	e->lines = zalloc(cfg, (size_t)e->n_lines * sizeof(*e->lines) + 1);
	e->timers = zalloc(cfg, (size_t)e->n_lines * sizeof(*e->timers) + 1);
	e->ext = zalloc(cfg, (size_t)e->n_lines * sizeof(*e->ext) + 1);
	e->dig = zalloc(cfg, (size_t)e->n_lines * 2 * sizeof(*e->dig) + 1);
	if (e->acc == NULL || e->lines == NULL || e->timers == NULL || e->ext == NULL ||
	    e->dig == NULL)
		goto nomem;
	for (unsigned int i = 0; i < cfg->routes->n; i++) {
		const struct sw_engine_route *r = &cfg->routes->r[i];

		e->acc[i].cfg = r->cfg;
		account_targets(&e->acc[i], cfg->routes, i, cfg->start);
	}
	if (sw_phone_ctx_init(&e->ctx, sw_config_timing(cfg->config), e->acc, cfg->routes->n,
	                      cfg->start) < 0)
		goto inval;
	sw_timer_wheel_init(&e->wheel, 0, timer_fired, e);
	for (uint32_t i = 0; i < e->n_lines; i++) {
		struct sw_line_info info;
		uint32_t gid = line_gid(e, i);

		if (sw_config_line(cfg->config, cfg->shard_k, cfg->shard_n, gid, &info) < 0)
			goto inval;
		int r = route_of(cfg->routes, info.cfg);

		if (r < 0)
			goto inval;
		sw_phone_line_init(&e->lines[i], (uint16_t)r, gid);
		e->timers[i].data = i;
		e->ext[i].gid = gid;
		uint64_t h = gid ^ (sw_config_timing(cfg->config)->seed << 32);

		e->ext[i].variant = (uint8_t)(sw_splitmix64(&h) % SW_ENGINE_VARIANTS);
		e->ext[i].reg_sid[0] = e->ext[i].reg_sid[1] = NO_SID;
		e->ext[i].src_ip = info.src_ip;
		e->ext[i].src_port = info.src_port;
		e->ext[i].br_tag = 0xffff;
	}
	/* identities: formatted once here (the templates are parsed on each format), so that a
	 * send copies bytes (slow path: about 100 ns a line at start) */
	size_t imax = sw_config_ident_max(cfg->config);

	if (imax > 255)
		goto inval;
	/* the password too, when its length fits pass_len: a line's first challenge then
	 * formats nothing (pending_ha1), ~230 instructions a line less (callgrind, bench_loop),
	 * for about 10 bytes a line */
	bool keep_pw = imax < 0xff;

	e->ident_cap = (size_t)e->n_lines * (keep_pw ? 3 : 2) * imax + 1;
	e->ident = zalloc(cfg, e->ident_cap);
	/* pending_ha1 formats passwords into 128-byte buffers: always enough when this holds */
	e->defer_ha1 = sw_config_ident_max(cfg->config) + 1 <= 128;
	if (e->ident == NULL)
		goto nomem;
	size_t used = 0;

	for (uint32_t i = 0; i < e->n_lines; i++) {
		struct sw_line_info info;
		char *u = e->ident + used;

		if (sw_config_line(cfg->config, cfg->shard_k, cfg->shard_n, e->ext[i].gid, &info) <
		    0)
			goto inval;
		int ul = sw_config_ident(cfg->config, &info, SW_IDENT_USER_NAME, u, imax + 1);

		if (ul < 0)
			goto inval;
		int al = sw_config_ident(cfg->config, &info, SW_IDENT_AUTH_NAME, u + ul, imax + 1);

		if (al < 0)
			goto inval;
		if (al == ul && memcmp(u, u + ul, (size_t)ul) == 0)
			al = 0;
		int pl = keep_pw ? sw_config_ident(cfg->config, &info, SW_IDENT_PASSWORD,
		                                   u + ul + al, imax + 1)
		                 : -1;

		e->ext[i].ident_off = (uint32_t)used;
		e->ext[i].user_len = (uint8_t)ul;
		e->ext[i].auth_len = (uint8_t)al;
		e->ext[i].pass_len = pl >= 0 ? (uint8_t)pl : 0xff;
		used += (size_t)ul + (size_t)al + (pl >= 0 ? (size_t)pl : 0);
		if (used > UINT32_MAX - 512)
			goto inval;
	}
	struct sw_sip_profile prof = {.user_agent = "sipswarm"};

	if (sw_sip_tmpl_compile(&e->tmpl_register, SW_SIP_KIND_REGISTER, &prof) < 0 ||
	    sw_sip_tmpl_compile(&e->tmpl_200, SW_SIP_KIND_200, &prof) < 0 ||
	    sw_sip_tmpl_compile(&e->tmpl_486, SW_SIP_KIND_486, &prof) < 0 ||
	    sw_sip_tmpl_compile(&e->tmpl_481, SW_SIP_KIND_481, &prof) < 0)
		goto inval;
	e->tmpl_reg = calloc((size_t)cfg->routes->n * SW_MAX_SERVERS + 1, sizeof(*e->tmpl_reg));
	if (e->tmpl_reg == NULL)
		goto nomem;
	e->tmpl_fast =
	        calloc((size_t)cfg->routes->n * SW_MAX_SERVERS * 2 + 1, sizeof(*e->tmpl_fast));
	e->fast_key = calloc((size_t)cfg->routes->n * SW_MAX_SERVERS + 1, sizeof(*e->fast_key));
	if (e->tmpl_fast == NULL || e->fast_key == NULL)
		goto nomem;
	e->n_tmpl_reg = cfg->routes->n;
	for (unsigned int i = 0; i < cfg->routes->n; i++)
		for (unsigned int s = 0; s < SW_MAX_SERVERS; s++) {
			unsigned int k = i * SW_MAX_SERVERS + s;

			/* [0]: no credentials, the server's configured Expires as text */
			struct sw_sip_vars fv = {0};

			fv.n[SW_SIP_N_EXPIRES] = cfg->routes->r[i].cfg->server[s].expires;
			e->fast_key[k].expires[0] = fv.n[SW_SIP_N_EXPIRES];
			prof.domain = cfg->routes->r[i].cfg->server[s].address;
			if (sw_sip_tmpl_compile(&e->tmpl_reg[k], SW_SIP_KIND_REGISTER, &prof) < 0 ||
			    sw_sip_tmpl_specialize_fold(&e->tmpl_fast[2 * k], &e->tmpl_reg[k],
			                                sw_sip_build_conds(&e->reg_vars), &fv,
			                                SW_SIP_FOLD_EXPIRES) < 0)
				goto inval;
		}
	e->rng = sw_config_timing(cfg->config)->seed * 0x9E3779B97F4A7C15u + cfg->worker;
	e->st.lines = e->n_lines;
	return e;
inval:
	sw_engine_free(e);
	errno = EINVAL;
	return NULL;
nomem:
	sw_engine_free(e);
	errno = ENOMEM;
	return NULL;
}

void
sw_engine_free(struct sw_engine *e)
{
	if (e == NULL)
		return;
	zfree(&e->cfg, e->lines, (size_t)e->n_lines * sizeof(*e->lines) + 1);
	zfree(&e->cfg, e->timers, (size_t)e->n_lines * sizeof(*e->timers) + 1);
	zfree(&e->cfg, e->ext, (size_t)e->n_lines * sizeof(*e->ext) + 1);
	zfree(&e->cfg, e->dig, (size_t)e->n_lines * 2 * sizeof(*e->dig) + 1);
	zfree(&e->cfg, e->ident, e->ident_cap);
	free(e->acc);
	free(e->tmpl_reg);
	free(e->tmpl_fast);
	free(e->fast_key);
	free(e);
}

/* ---- sending (hot) -------------------------------------------------------------------------- */

/* a port in decimal without printf (sw_dec_put_back); returns the length */
static inline unsigned int
put_port(char *p, uint16_t port)
{
	unsigned int n = sw_dec_len(port);

	sw_dec_put_back(p + n, port);
	return n;
}

/* "0".."255" in 4 bytes each (digits, then NUL padding): an address is written with four
 * 4-byte copies, no division (it is formatted for every REGISTER's Via and Contact) */
static const char octet[256][4] = {
        "0",   "1",   "2",   "3",   "4",   "5",   "6",   "7",   "8",   "9",   "10",  "11",  "12",
        "13",  "14",  "15",  "16",  "17",  "18",  "19",  "20",  "21",  "22",  "23",  "24",  "25",
        "26",  "27",  "28",  "29",  "30",  "31",  "32",  "33",  "34",  "35",  "36",  "37",  "38",
        "39",  "40",  "41",  "42",  "43",  "44",  "45",  "46",  "47",  "48",  "49",  "50",  "51",
        "52",  "53",  "54",  "55",  "56",  "57",  "58",  "59",  "60",  "61",  "62",  "63",  "64",
        "65",  "66",  "67",  "68",  "69",  "70",  "71",  "72",  "73",  "74",  "75",  "76",  "77",
        "78",  "79",  "80",  "81",  "82",  "83",  "84",  "85",  "86",  "87",  "88",  "89",  "90",
        "91",  "92",  "93",  "94",  "95",  "96",  "97",  "98",  "99",  "100", "101", "102", "103",
        "104", "105", "106", "107", "108", "109", "110", "111", "112", "113", "114", "115", "116",
        "117", "118", "119", "120", "121", "122", "123", "124", "125", "126", "127", "128", "129",
        "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "140", "141", "142",
        "143", "144", "145", "146", "147", "148", "149", "150", "151", "152", "153", "154", "155",
        "156", "157", "158", "159", "160", "161", "162", "163", "164", "165", "166", "167", "168",
        "169", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179", "180", "181",
        "182", "183", "184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "194",
        "195", "196", "197", "198", "199", "200", "201", "202", "203", "204", "205", "206", "207",
        "208", "209", "210", "211", "212", "213", "214", "215", "216", "217", "218", "219", "220",
        "221", "222", "223", "224", "225", "226", "227", "228", "229", "230", "231", "232", "233",
        "234", "235", "236", "237", "238", "239", "240", "241", "242", "243", "244", "245", "246",
        "247", "248", "249", "250", "251", "252", "253", "254", "255",
};

/* "a.b.c.d:port" at p (ADDR_MAX bytes of room: 16-byte and 8-byte moves may pass the end of
 * the text); returns its length. The lines of a worker mostly share their /24 and their port
 * (a phone's lines share its address; the ranges are dealt in order): both are formatted when
 * they change and copied otherwise, the last octet alone each time (40 instructions less per
 * REGISTER than four octets and a port, callgrind) */
#define ADDR_MAX 32

static unsigned int
put_addr(struct sw_engine *e, char *p, uint32_t ip, uint16_t port)
{
	unsigned int o = ip & 255, n;

	if (SW_UNLIKELY((ip >> 8) != e->addr_net)) {
		n = 0;
		for (int i = 3; i >= 1; i--) {
			unsigned int b = (ip >> (8 * i)) & 255;

			memcpy(e->addr_net_s + n, octet[b], 4);
			n += 1u + (b >= 10) + (b >= 100);
			e->addr_net_s[n++] = '.';
		}
		e->addr_net = ip >> 8;
		e->addr_net_len = (uint8_t)n;
	}
	if (SW_UNLIKELY(port != e->addr_port)) {
		e->addr_port_s[0] = ':';
		e->addr_port_len = (uint8_t)(1 + put_port(e->addr_port_s + 1, port));
		e->addr_port = port;
	}
	memcpy(p, e->addr_net_s, 16); /* up to "255.255.255." */
	n = e->addr_net_len;
	memcpy(p + n, octet[o], 4);
	n += 1u + (o >= 10) + (o >= 100);
	memcpy(p + n, e->addr_port_s, 8); /* up to ":65535" */
	return n + e->addr_port_len;
}

/* which of route r's SRV orders for server y a line uses: its variant modulo their number,
 * without a division when it is below (always, with SW_ENGINE_VARIANTS orders) */
static inline unsigned int
variant_of(const struct sw_engine_route *r, unsigned int y, uint8_t variant)
{
	unsigned int n = r->n_variants[y];

	return variant < n ? variant : n > 1 ? variant % n : 0;
}

static const struct sw_engine_target *
target_of(const struct sw_engine *e, uint32_t i, const struct sw_phone_action *a)
{
	const struct sw_phone_line *l = &e->lines[i];
	const struct sw_engine_route *r = &e->routes->r[l->account];

	if (a->proxy)
		return &r->proxy[a->proxy - 1];
	unsigned int v = variant_of(r, a->server, e->ext[i].variant);
	/* a transaction begun before a re-resolution shortened the list goes on to the last */
	unsigned int k = a->target < r->n_targets[a->server] ? a->target
	                 : r->n_targets[a->server] > 0       ? r->n_targets[a->server] - 1u
	                                                     : 0;

	return &r->t[a->server][v][k];
}

/* the MAC of the next hop toward ip; NULL (and an ARP request sent, at most once a second)
 * when it is not known yet */
static const uint8_t *
next_hop(struct sw_engine *e, uint32_t ip, uint32_t src_ip)
{
	uint32_t hop = e->cfg.gateway ? e->cfg.gateway : ip;

	/* the last hop found known: every REGISTER goes to one (the gateway) or a few; entries
	 * of the table stay where they are and stay known (sw_net_neigh_learn()) */
	if (SW_LIKELY(hop == e->hop_ip && e->hop != NULL))
		return e->hop->mac;

	struct sw_net_neigh *n = sw_net_neigh_get(&e->cfg.neigh, hop);

	if (n == NULL)
		return NULL;
	if (n->known) {
		e->hop_ip = hop;
		e->hop = n;
		return n->mac;
	}
	if (n->asked == 0 || e->now - n->asked >= SW_NS_PER_S) {
		uint8_t *f = e->cfg.io.alloc(e->cfg.io.arg);

		n->asked = e->now ? e->now : 1;
		if (f != NULL) {
			size_t len = sw_net_arp_write(f, 1, e->cfg.mac, src_ip, NULL, hop);

			e->cfg.io.send(e->cfg.io.arg, f, (uint16_t)len);
			count(e, SW_ENGINE_C_ARP_ASKED);
			count(e, SW_ENGINE_C_TX_FRAMES);
			sw_stat_add(&e->st.c[SW_ENGINE_C_TX_BYTES], len);
		}
	}
	return NULL;
}

static void
emit(struct sw_engine *e, uint8_t *f, uint32_t src_ip, uint16_t src_port, uint32_t dst_ip,
     uint16_t dst_port, const uint8_t *dst_mac, int plen)
{
	struct sw_net_udp_out o = {e->cfg.mac, dst_mac,         src_ip,
	                           dst_ip,     src_port,        dst_port,
	                           e->ip_id++, e->cfg.udp_csum, e->cfg.csum_offload};
	size_t len = sw_net_udp_write(f, &o, (uint16_t)plen);

	e->cfg.io.send(e->cfg.io.arg, f, (uint16_t)len);
	count(e, SW_ENGINE_C_TX_FRAMES);
	sw_stat_add(&e->st.c[SW_ENGINE_C_TX_BYTES], len);
}

static const enum sw_engine_counter method_counter[SW_PHONE_METHOD_MAX] = {
        [SW_PHONE_REGISTER] = SW_ENGINE_C_TX_REGISTER,
        [SW_PHONE_INVITE] = SW_ENGINE_C_TX_INVITE,
        [SW_PHONE_ACK] = SW_ENGINE_C_TX_ACK,
        [SW_PHONE_BYE] = SW_ENGINE_C_TX_BYE,
};

/* presigned: the digest response when flush_pending() hashed it; branch and br_mac: the Via
 * branch's token and MAC when it hashed them too (NULL: hashed here) */
static void
send_register(struct sw_engine *e, uint32_t i, const struct sw_phone_action *a,
              const char *presigned, const char *pre_branch, uint32_t pre_mac)
{
	const struct sw_engine_target *t = target_of(e, i, a);
	const struct sw_engine_route *r = &e->routes->r[e->lines[i].account];
	struct sw_engine_line *x = &e->ext[i];
	unsigned int leg = SW_PHONE_TAG_LEG(a->tag);
	/* the worker's REGISTER variables: zeroed at start, every field the template reads set
	 * below (the digest pointer included), so no 256-byte memset per message */
	struct sw_sip_vars *vp = &e->reg_vars;
	char local[ADDR_MAX], resp[SW_SIP_SHA256_HEX];
	char branch[SW_SIP_TOKEN_LEN], ftag[SW_SIP_TOKEN_LEN], callid[SW_SIP_TOKEN_LEN];
	struct sw_sip_token tok = {.line = i, .txn = a->tag, .worker = (uint8_t)e->cfg.worker};
	const uint8_t *mac = next_hop(e, t->ip, 0);

	if (mac == NULL) {
		/* ask with the phone's own address as the sender */
		next_hop(e, t->ip, x->src_ip);
		count(e, SW_ENGINE_C_TX_NO_NEIGH);
		return;
	}
	uint8_t *f = e->cfg.io.alloc(e->cfg.io.arg);

	if (f == NULL) {
		count(e, SW_ENGINE_C_TX_NOBUF);
		return;
	}
	vp->digest = NULL;
	const char *user = e->ident + x->ident_off;
	const char *domain = r->cfg->server[a->server].address;

	vp->s[SW_SIP_V_USER] = (struct sw_sip_cstr){user, x->user_len};
	vp->s[SW_SIP_V_AUTH_USER] = x->auth_len
	                                    ? (struct sw_sip_cstr){user + x->user_len, x->auth_len}
	                                    : (struct sw_sip_cstr){user, x->user_len};
	vp->s[SW_SIP_V_DOMAIN] = (struct sw_sip_cstr){domain, r->domain_len[a->server]};
	vp->s[SW_SIP_V_LOCAL] =
	        (struct sw_sip_cstr){local, put_addr(e, local, x->src_ip, x->src_port)};
	/* the branch's MAC kept with its transaction: the response is recognised by comparing,
	 * not by hashing again (rx_response) */
	const struct first_branch *fb = &e->first_br[i % SW_SIP_TOKEN_BURST];

	if (pre_branch == NULL && a->tag == FIRST_TAG && fb->line == i) {
		pre_branch = fb->text;
		pre_mac = fb->mac;
	}
	if (pre_branch != NULL) {
		memcpy(branch, pre_branch, SW_SIP_TOKEN_LEN);
		x->br_mac = pre_mac;
	} else {
		x->br_mac = sw_sip_token_encode_mac(e->cfg.key, SW_SIP_TOKEN_BRANCH, &tok, branch);
	}
	x->br_tag = a->tag;
	/* the Call-ID and From tag of a leg stay the same across its registrations (RFC 3261
	 * section 10.2.4): the token names the leg, not the transaction, so its MAC is hashed
	 * once per leg and kept */
	tok.txn = leg;
	if (leg < 2) {
		if (!(x->dialog_ok & (1u << leg))) {
			x->dialog_mac[leg] = sw_sip_token_dialog_mac(e->cfg.key, &tok);
			x->dialog_ok = (uint8_t)(x->dialog_ok | 1u << leg);
		}
		sw_sip_token_put_dialog(&tok, x->dialog_mac[leg], callid, ftag);
	} else {
		sw_sip_token_encode_dialog(e->cfg.key, &tok, callid, ftag);
	}
	vp->s[SW_SIP_V_BRANCH] = (struct sw_sip_cstr){branch, SW_SIP_TOKEN_LEN};
	vp->s[SW_SIP_V_FROM_TAG] = (struct sw_sip_cstr){ftag, SW_SIP_TOKEN_LEN};
	vp->s[SW_SIP_V_CALL_ID] = (struct sw_sip_cstr){callid, SW_SIP_TOKEN_LEN};
	if (!a->retrans)
		x->cseq[leg]++;
	vp->n[SW_SIP_N_CSEQ] = x->cseq[leg];
	vp->n[SW_SIP_N_EXPIRES] = a->expires;
	if (a->auth && leg < 2) {
		struct sw_sip_digest *d = &e->dig[2 * (size_t)i + leg];
		const char *ha2 = d->hex_len == SW_SIP_SHA256_HEX ? r->ha2_sha256[a->server]
		                                                  : r->ha2[a->server];

		if (presigned == NULL)
			sw_sip_digest_response(d, ha2, (uint32_t)sw_splitmix64(&e->rng), resp);
		vp->digest = d;
		vp->s[SW_SIP_V_RESPONSE] =
		        (struct sw_sip_cstr){presigned ? presigned : resp, d->hex_len};
		vp->s[SW_SIP_V_REALM] =
		        (struct sw_sip_cstr){e->realm[x->realm[leg]], e->realm_len[x->realm[leg]]};
		count(e, SW_ENGINE_C_TX_AUTH);
	}
	unsigned int acc = e->lines[i].account;
	const struct sw_sip_tmpl *tm = &e->tmpl_register;
	/* reg_vars never has a display name, a To tag or a request: without credentials its
	 * conditions are none */
	unsigned int c = vp->digest != NULL ? sw_sip_build_conds(vp) : 0;

	if (acc < e->n_tmpl_reg && a->server < SW_MAX_SERVERS) {
		unsigned int k = acc * SW_MAX_SERVERS + a->server;
		struct sw_sip_tmpl *fast = &e->tmpl_fast[2 * k];
		struct fast_key *fk = &e->fast_key[k];

		tm = &e->tmpl_reg[k];
		if (fast[0].fixed_conds == c && fk->expires[0] == a->expires) {
			tm = &fast[0];
		} else if (vp->digest != NULL) {
			const struct sw_sip_digest *d = vp->digest;
			uint8_t ri = x->realm[leg];

			/* slow path, once per account and server: the first shape of credentials,
			 * with its realm, algorithm and Expires as text (a worker's lines mostly
			 * share all three); other credentials take tmpl_reg */
			if (!fast[1].fixed) {
				if (sw_sip_tmpl_specialize_fold(&fast[1], tm, c, vp,
				                                1u << SW_SIP_V_REALM |
				                                        SW_SIP_FOLD_ALGORITHM |
				                                        SW_SIP_FOLD_EXPIRES) < 0)
					memset(&fast[1], 0, sizeof(fast[1]));
				fk->realm = ri;
				fk->algo = d->algo;
				fk->expires[1] = a->expires;
			}
			if (fast[1].fixed && fast[1].fixed_conds == c && fk->realm == ri &&
			    fk->algo == d->algo && fk->expires[1] == a->expires)
				tm = &fast[1];
		}
	}
	int plen = sw_sip_build_with_conds(tm, vp, c, (char *)f + SW_NET_HDR_LEN,
	                                   SW_ENGINE_FRAME_MAX - SW_NET_HDR_LEN);

	if (plen < 0 || plen > (int)SW_NET_MTU_DATA) {
		count(e, SW_ENGINE_C_TX_BUILD_ERROR);
		goto fail;
	}
	emit(e, f, x->src_ip, x->src_port, t->ip, t->port, mac, plen);
	count(e, method_counter[a->method]);
	sw_stat_add(&e->st.srv_tx[t->sid], 1);
	return;
fail:
	if (e->cfg.io.drop != NULL)
		e->cfg.io.drop(e->cfg.io.arg, f);
}

/* the HA1s of the pending lines that took their first challenge since the last burst, hashed
 * together (lib/sip's MD5 lanes); a line whose password cannot be formatted keeps its state
 * pending and is dropped from the burst, its REGISTER then times out (cannot happen while
 * the longest identity fits pw[], checked at start: defer_ha1). Returns how many stay. */
static unsigned int
pending_ha1(struct sw_engine *e, unsigned int n)
{
	struct sw_sip_digest *d[SW_ENGINE_SIGN_BURST];
	struct sw_sip_cstr cred[3 * SW_ENGINE_SIGN_BURST];
	char pw[SW_ENGINE_SIGN_BURST][128];
	unsigned int g = 0;

	for (unsigned int k = 0; k < n; k++) {
		uint32_t i = e->pending[k].i;
		unsigned int leg = SW_PHONE_TAG_LEG(e->pending[k].a.tag);
		struct sw_sip_digest *dk = &e->dig[2 * (size_t)i + leg];
		const struct sw_engine_line *x = &e->ext[i];
		struct sw_line_info info;
		int pl;

		if (!sw_sip_digest_ha1_pending(dk))
			continue;
		/* the password as formatted at start, or now when it was not kept */
		const char *pp = e->ident + x->ident_off + x->user_len + x->auth_len;

		pl = x->pass_len;
		if (x->pass_len == 0xff) {
			if (sw_config_line(e->cfg.config, e->cfg.shard_k, e->cfg.shard_n, x->gid,
			                   &info) < 0 ||
			    (pl = sw_config_ident(e->cfg.config, &info, SW_IDENT_PASSWORD, pw[g],
			                          sizeof(pw[g]))) < 0)
				continue;
			pp = pw[g];
		}
		/* the authentication name as formatted at start (the user name when it has none) */
		const char *user = e->ident + x->ident_off + (x->auth_len ? x->user_len : 0);

		d[g] = dk;
		cred[3 * g] = (struct sw_sip_cstr){user, x->auth_len ? x->auth_len : x->user_len};
		cred[3 * g + 1] =
		        (struct sw_sip_cstr){e->realm[x->realm[leg]], e->realm_len[x->realm[leg]]};
		cred[3 * g + 2] = (struct sw_sip_cstr){pp, (uint32_t)pl};
		g++;
	}
	if (g > 0)
		(void)sw_sip_digest_ha1_burst(d, cred, g);
	/* what is still pending could not be signed: out of the burst */
	unsigned int w = 0;

	for (unsigned int k = 0; k < n; k++) {
		uint32_t i = e->pending[k].i;
		unsigned int leg = SW_PHONE_TAG_LEG(e->pending[k].a.tag);

		if (sw_sip_digest_ha1_pending(&e->dig[2 * (size_t)i + leg])) {
			count(e, SW_ENGINE_C_RX_BAD_CHALLENGE);
			continue;
		}
		e->pending[w++] = e->pending[k];
	}
	return w;
}

/* sign the pending authenticated REGISTERs together (16-lane MD5 where the build has AVX2)
 * and send them; the lines' state already moved on, only the bytes waited */
static void
flush_pending(struct sw_engine *e)
{
	struct sw_sip_digest *d[SW_ENGINE_SIGN_BURST];
	const char *ha2[SW_ENGINE_SIGN_BURST];
	uint32_t cn[SW_ENGINE_SIGN_BURST];
	char hex[SW_ENGINE_SIGN_BURST][SW_SIP_SHA256_HEX];
	char *out[SW_ENGINE_SIGN_BURST];
	struct sw_sip_token tok[SW_ENGINE_SIGN_BURST];
	char br[SW_ENGINE_SIGN_BURST][SW_SIP_TOKEN_LEN];
	uint32_t br_mac[SW_ENGINE_SIGN_BURST];
	unsigned int n = e->n_pending;

	if (n == 0)
		return;
	e->n_pending = 0;
	for (unsigned int k = 0; k < n; k++)
		e->ext[e->pending[k].i].pending = 0;
	n = pending_ha1(e, n);
	for (unsigned int k = 0; k < n; k++) {
		uint32_t i = e->pending[k].i;
		const struct sw_phone_action *a = &e->pending[k].a;
		const struct sw_engine_route *r = &e->routes->r[e->lines[i].account];

		d[k] = &e->dig[2 * (size_t)i + SW_PHONE_TAG_LEG(a->tag)];
		ha2[k] = r->ha2[a->server];
		cn[k] = (uint32_t)sw_splitmix64(&e->rng);
		out[k] = hex[k];
		tok[k] = (struct sw_sip_token){
		        .line = i, .txn = a->tag, .worker = (uint8_t)e->cfg.worker};
	}
	sw_sip_digest_response_burst(d, ha2, cn, out, n);
	/* the branches too: their MACs four at a time (lib/sip's AVX2 SipHash lanes) */
	sw_sip_token_encode_mac_burst(e->cfg.key, SW_SIP_TOKEN_BRANCH, tok, n, br, br_mac);
	for (unsigned int k = 0; k < n; k++)
		send_register(e, e->pending[k].i, &e->pending[k].a, hex[k], br[k], br_mac[k]);
}

static void
queue_register(struct sw_engine *e, uint32_t i, const struct sw_phone_action *a)
{
	unsigned int leg = SW_PHONE_TAG_LEG(a->tag);

	/* only what lib/sip hashes in its multi-buffer lanes gains from the burst; a state that
	 * waits for its HA1 gets it there */
	if (!a->auth || leg >= 2 ||
	    (!sw_sip_digest_burstable(&e->dig[2 * (size_t)i + leg]) &&
	     !sw_sip_digest_ha1_pending(&e->dig[2 * (size_t)i + leg]))) {
		send_register(e, i, a, NULL, NULL, 0);
		return;
	}
	/* one line twice in a burst would sign its nonce-counts out of order: flush first */
	if (e->ext[i].pending)
		flush_pending(e);
	/* the nonce, read when the burst is signed: on its way meanwhile */
	const struct sw_sip_digest *d = &e->dig[2 * (size_t)i + leg];

	__builtin_prefetch(d->nonce);
	__builtin_prefetch(d->nonce + sizeof(d->nonce) - 1);
	e->ext[i].pending = 1;
	e->pending[e->n_pending].i = i;
	e->pending[e->n_pending].a = *a;
	if (++e->n_pending == SW_ARRAY_SIZE(e->pending))
		flush_pending(e);
}

void
sw_engine_flush(struct sw_engine *e)
{
	flush_pending(e);
}

/* registered-where gauges, from the line's REGISTERED / UNREGISTERED notes (the phone emits
 * one wherever a leg's registered flag changes) */
static void
track_registration(struct sw_engine *e, uint32_t i, const struct sw_phone_action *a)
{
	const struct sw_phone_line *l = &e->lines[i];
	struct sw_engine_line *x = &e->ext[i];
	const struct sw_engine_route *r = &e->routes->r[l->account];
	bool was = x->reg_sid[0] != NO_SID || x->reg_sid[1] != NO_SID;
	unsigned int y = a->server < SW_MAX_SERVERS ? a->server : 0;
	uint8_t sid = NO_SID;

	if (a->note == SW_PHONE_NOTE_REGISTERED) {
		unsigned int v = variant_of(r, y, x->variant);

		sid = r->t[y][v][a->target].sid;
	}
	if (sid != NO_SID && x->fo_ms[y] != 0) {
		/* the failover of this leg ends here */
		uint64_t t = e->cfg.start + (uint64_t)(x->fo_ms[y] - 1) * SW_NS_PER_MS;

		sw_hist_record(&e->st.h[SW_ENGINE_H_FAILOVER], e->now > t ? e->now - t : 0);
		x->fo_ms[y] = 0;
	}
	if (sid == x->reg_sid[y])
		return;
	if (x->reg_sid[y] != NO_SID)
		gauge_sub(&e->st.srv_registered[x->reg_sid[y]]);
	if (sid != NO_SID)
		sw_stat_add(&e->st.srv_registered[sid], 1);
	x->reg_sid[y] = sid;
	bool is = x->reg_sid[0] != NO_SID || x->reg_sid[1] != NO_SID;

	if (is && !was) {
		uint64_t gap = e->now - x->unreg_at;

		sw_stat_add(&e->st.lines_registered, 1);
		sw_hist_record(&e->st.h[x->ever_registered ? SW_ENGINE_H_UNREG_GAP
		                                           : SW_ENGINE_H_FIRST_REGISTER],
		               gap);
		if (x->ever_registered)
			x->gap_ms += (uint32_t)(gap / SW_NS_PER_MS);
		else
			x->first_reg_ms = (uint32_t)((e->now - e->cfg.start) / SW_NS_PER_MS);
		x->ever_registered = 1;
	} else if (was && !is) {
		gauge_sub(&e->st.lines_registered);
		x->unreg_at = e->now;
	}
}

static void
end_txn(struct sw_engine *e, uint32_t i, const struct sw_phone_action *a, enum sw_engine_counter c)
{
	count(e, c);
	gauge_sub(&e->st.c[SW_ENGINE_C_TXN_IN_FLIGHT]);
	if (c == SW_ENGINE_C_TXN_ANSWERED) {
		unsigned int leg = SW_PHONE_TAG_LEG(a->tag);
		uint64_t rtt = e->now - e->ext[i].t0[leg < 3 ? leg : 2];

		sw_hist_record(&e->st.h[SW_ENGINE_H_RTT], rtt);
		if (leg < 2 &&
		    (e->lines[i].flags & (leg ? SW_PHONE_F_NONCE1 : SW_PHONE_F_NONCE0)) &&
		    a->code >= 200 && a->code < 300)
			sw_hist_record(&e->st.h[SW_ENGINE_H_REGISTER_RTT], rtt);
	}
}

/* carry out what a line asked for; intended = when the event that caused it was due */
static void
run_out(struct sw_engine *e, uint32_t i, const struct sw_phone_out *out, uint64_t intended)
{
	for (unsigned int k = 0; k < out->n; k++) {
		const struct sw_phone_action *a = &out->a[k];

		if (a->kind == SW_PHONE_ACT_SEND) {
			if (a->retrans) {
				count(e, SW_ENGINE_C_TX_RETRANS);
			} else if (a->method != SW_PHONE_ACK) {
				count(e, SW_ENGINE_C_TXN_STARTED);
				count(e, SW_ENGINE_C_TXN_IN_FLIGHT);
				unsigned int leg = SW_PHONE_TAG_LEG(a->tag);

				e->ext[i].t0[leg < 3 ? leg : 2] = intended;
			}
			if (a->method == SW_PHONE_REGISTER)
				queue_register(e, i, a);
			else
				count(e, SW_ENGINE_C_TX_BUILD_ERROR); /* calls: not generated yet */
			continue;
		}
		switch (a->note) {
		case SW_PHONE_NOTE_REGISTERED:
			count(e, SW_ENGINE_C_REGISTERED);
			track_registration(e, i, a);
			break;
		case SW_PHONE_NOTE_UNREGISTERED:
			count(e, SW_ENGINE_C_UNREGISTERED);
			track_registration(e, i, a);
			break;
		case SW_PHONE_NOTE_ANSWERED:
			end_txn(e, i, a, SW_ENGINE_C_TXN_ANSWERED);
			break;
		case SW_PHONE_NOTE_TIMEOUT:
			end_txn(e, i, a, SW_ENGINE_C_TXN_TIMEOUT);
			break;
		case SW_PHONE_NOTE_TRANSPORT_ERROR:
			end_txn(e, i, a, SW_ENGINE_C_TXN_TRANSPORT_ERROR);
			break;
		case SW_PHONE_NOTE_CANCELLED:
			end_txn(e, i, a, SW_ENGINE_C_TXN_CANCELLED);
			break;
		case SW_PHONE_NOTE_FAILOVER: {
			/* the failed request's leg still has its intended first send in t0 (the
			 * line sends to the next target after this note) */
			unsigned int y = SW_PHONE_TAG_LEG(a->tag);

			count(e, SW_ENGINE_C_FAILOVER);
			if (y >= 2) /* a call's INVITE: calls are not measured here */
				break;
			uint64_t t0 = e->ext[i].t0[y];

			if (e->ext[i].fo_ms[y] == 0 && t0 >= e->cfg.start)
				e->ext[i].fo_ms[y] =
				        (uint32_t)((t0 - e->cfg.start) / SW_NS_PER_MS) + 1;
			break;
		}
		case SW_PHONE_NOTE_FAILBACK:
			count(e, SW_ENGINE_C_FAILBACK);
			break;
		case SW_PHONE_NOTE_FALLBACK:
			count(e, SW_ENGINE_C_FALLBACK);
			break;
		case SW_PHONE_NOTE_RECOVER:
			count(e, SW_ENGINE_C_RECOVER);
			break;
		case SW_PHONE_NOTE_AUTH_FAILED:
			count(e, SW_ENGINE_C_AUTH_FAILED);
			break;
		case SW_PHONE_NOTE_REJECTED:
			count(e, SW_ENGINE_C_REJECTED);
			break;
		case SW_PHONE_NOTE_SERVER_FAILED:
			count(e, SW_ENGINE_C_SERVER_FAILED);
			break;
		default:
			break;
		}
	}
	/* one timer per line, at the line's next deadline */
	if (out->next_deadline == UINT64_MAX) {
		sw_timer_cancel(&e->wheel, &e->timers[i]);
	} else {
		uint64_t d =
		        out->next_deadline > e->cfg.start ? out->next_deadline - e->cfg.start : 0;

		/* lazily: a later deadline (the usual case: a retransmission timer replaced by a
		 * refresh) only moves the expiry, the wheel re-files the timer when its old slot
		 * comes up; an earlier one moves it now */
		sw_timer_rearm_lazy(&e->wheel, &e->timers[i], (d + TICK_NS - 1) / TICK_NS);
	}
}

static void
timer_fired(struct sw_timer_wheel *w, struct sw_timer *t, void *arg)
{
	struct sw_engine *e = arg;
	uint32_t i = t->data;
	uint64_t due = e->cfg.start + t->expire * TICK_NS;
	struct sw_phone_out out;

	(void)w;
	count(e, SW_ENGINE_C_TIMER_FIRED);
	sw_hist_record(&e->st.h[SW_ENGINE_H_TIMER_LATE], e->now > due ? e->now - due : 0);
	sw_phone_timer(&e->ctx, &e->lines[i], e->now, &out);
	/* retransmissions and refreshes were due at `due`: latency counts from there */
	run_out(e, i, &out, due < e->now ? due : e->now);
}

/* ---- receiving (hot) ------------------------------------------------------------------------ */

/* intern a realm (slow path: once per challenge) */
static int
realm_index(struct sw_engine *e, struct sw_sip_str r)
{
	for (unsigned int k = 0; k < e->n_realms; k++)
		if (e->realm_len[k] == r.len && memcmp(e->realm[k], r.p, r.len) == 0)
			return (int)k;
	if (e->n_realms == MAX_REALMS || r.len > SW_SIP_CHALLENGE_FIELD_MAX)
		return -1;
	memcpy(e->realm[e->n_realms], r.p, r.len);
	e->realm_len[e->n_realms] = (uint16_t)r.len;
	return (int)e->n_realms++;
}

/* a 401/407 for a registration leg: take the nonce (slow path: once per nonce) */
static bool
take_challenge(struct sw_engine *e, uint32_t i, unsigned int leg, const struct sw_sip_msg *m)
{
	struct sw_line_info info;
	char pw[128];
	char ha1[SW_SIP_SHA256_HEX];
	int ri = realm_index(e, m->challenge.realm);
	enum sw_sip_digest_algo h = m->challenge.algo == SW_SIP_ALGO_SHA256 ||
	                                            m->challenge.algo == SW_SIP_ALGO_SHA256_SESS
	                                    ? SW_SIP_ALGO_SHA256
	                                    : SW_SIP_ALGO_MD5;

	struct sw_sip_digest *d = &e->dig[2 * (size_t)i + leg];

	if (ri < 0)
		return false;
	if (d->hex_len != 0 && e->ext[i].realm[leg] == ri && d->algo == h &&
	    !sw_sip_digest_ha1_pending(d)) {
		/* the leg's last challenge had this realm and this hash (not -sess, whose state
		 * holds the session HA1): its HA1 stands, as a phone keeps it per realm; a new
		 * nonce after a failover, a stale one or a server's re-challenge costs no password
		 * and no hash */
		memcpy(ha1, d->ha1, d->hex_len);
	} else if (h == SW_SIP_ALGO_MD5 && m->challenge.algo == SW_SIP_ALGO_MD5 && e->defer_ha1) {
		/* a line's first MD5 challenge: its HA1 (and saved state) are hashed with the
		 * burst's other lines when the burst is signed (flush_pending), in the MD5 lanes,
		 * not alone here: ~1,000 instructions less per line (callgrind, bench_loop) */
		if (sw_sip_digest_accept(d, &m->challenge, NULL, 0) < 0)
			return false;
		e->ext[i].realm[leg] = (uint8_t)ri;
		return true;
	} else {
		const struct sw_engine_line *x = &e->ext[i];
		/* the password as formatted at start, or now when it was not kept */
		const char *pp = e->ident + x->ident_off + x->user_len + x->auth_len;
		int pl = x->pass_len;

		if (x->pass_len == 0xff) {
			if (sw_config_line(e->cfg.config, e->cfg.shard_k, e->cfg.shard_n,
			                   e->ext[i].gid, &info) < 0)
				return false;
			pl = sw_config_ident(e->cfg.config, &info, SW_IDENT_PASSWORD, pw,
			                     sizeof(pw));
			pp = pw;
		}
		/* the authentication name as formatted at start (the user name when it has none) */
		const char *user = e->ident + x->ident_off + (x->auth_len ? x->user_len : 0);
		size_t ul = x->auth_len ? x->auth_len : x->user_len;

		if (pl < 0 || sw_sip_digest_ha1(h, user, ul, m->challenge.realm.p,
		                                m->challenge.realm.len, pp, (size_t)pl, ha1) < 0)
			return false;
	}
	if (sw_sip_digest_accept(d, &m->challenge, ha1, (uint32_t)sw_splitmix64(&e->rng)) < 0)
		return false;
	e->ext[i].realm[leg] = (uint8_t)ri;
	return true;
}

static int
rx_response(struct sw_engine *e, const struct sw_sip_msg *m)
{
	struct sw_sip_token tok;
	uint32_t mac;
	int rc = sw_sip_branch_read(m->via_branch, &tok, &mac);

	/* the answer to the branch a line sent last carries the MAC kept for it: equal MAC,
	 * worker, line and transaction is the check (a SipHash less per response); anything
	 * else is checked by hashing */
	if (rc == 0 && !(tok.worker == e->cfg.worker && tok.line < e->n_lines &&
	                 tok.txn == e->ext[tok.line].br_tag && mac == e->ext[tok.line].br_mac))
		rc = sw_sip_token_check(e->cfg.key, SW_SIP_TOKEN_BRANCH, &tok, mac);
	if (rc < 0) {
		count(e, SW_ENGINE_C_RX_BAD_TOKEN);
		return -1;
	}
	if (tok.worker != e->cfg.worker) {
		count(e, SW_ENGINE_C_RX_OTHER_WORKER);
		return tok.worker < e->cfg.n_workers ? tok.worker : -1;
	}
	if (tok.line >= e->n_lines || tok.txn > 0xffff) {
		count(e, SW_ENGINE_C_RX_BAD_TOKEN);
		return -1;
	}
	uint32_t i = tok.line;
	uint16_t tag = (uint16_t)tok.txn;
	unsigned int leg = SW_PHONE_TAG_LEG(tag);
	struct sw_phone_resp r = {.code = m->status, .granted = -1};
	struct sw_phone_out out;

	if (m->status == 401 || m->status == 407) {
		count(e, SW_ENGINE_C_RX_401);
		if (m->challenge.present && leg < 2) {
			r.challenge = take_challenge(e, i, leg, m);
			r.stale = m->challenge.stale;
			if (!r.challenge)
				count(e, SW_ENGINE_C_RX_BAD_CHALLENGE);
		}
	} else if (m->status >= 200 && m->status < 300) {
		r.granted = m->contact_expires >= 0 ? m->contact_expires : m->expires;
	}
	sw_phone_response(&e->ctx, &e->lines[i], e->now, tag, &r, &out);
	if (out.stale) {
		count(e, SW_ENGINE_C_RX_STALE);
		return -1;
	}
	if (m->status >= 200 && leg < 2) {
		const struct sw_engine_target *t;
		struct sw_phone_action a = {.server = (uint8_t)leg,
		                            .target = e->lines[i].leg[leg].target};

		t = target_of(e, i, &a);
		sw_stat_add(&e->st.srv_answered[t->sid], 1);
	}
	run_out(e, i, &out, e->now);
	return -1;
}

/* a request from a server: OPTIONS/NOTIFY/BYE get 200, INVITE 486 (the lines do not answer
 * calls yet), anything else 481 */
static void
rx_request(struct sw_engine *e, const struct sw_net_pkt *p, const struct sw_sip_msg *m)
{
	const struct sw_sip_tmpl *t = &e->tmpl_481;
	struct sw_sip_vars v;
	char tag[SW_SIP_TOKEN_LEN];
	struct sw_sip_token tok = {.line = 0, .txn = 0xffffff, .worker = (uint8_t)e->cfg.worker};
	const uint8_t *mac;

	count(e, SW_ENGINE_C_RX_REQUESTS);
	if (m->method == SW_SIP_METHOD_ACK)
		return;
	if (m->method == SW_SIP_METHOD_OPTIONS || m->method == SW_SIP_METHOD_NOTIFY ||
	    m->method == SW_SIP_METHOD_BYE)
		t = &e->tmpl_200;
	else if (m->method == SW_SIP_METHOD_INVITE)
		t = &e->tmpl_486;
	mac = next_hop(e, p->src_ip, p->dst_ip);
	if (mac == NULL) {
		count(e, SW_ENGINE_C_TX_NO_NEIGH);
		return;
	}
	uint8_t *f = e->cfg.io.alloc(e->cfg.io.arg);

	if (f == NULL) {
		count(e, SW_ENGINE_C_TX_NOBUF);
		return;
	}
	memset(&v, 0, sizeof(v));
	v.req = m;
	sw_sip_token_encode(e->cfg.key, SW_SIP_TOKEN_TAG, &tok, tag);
	v.s[SW_SIP_V_TO_TAG] = (struct sw_sip_cstr){tag, SW_SIP_TOKEN_LEN};
	int plen = sw_sip_build(t, &v, (char *)f + SW_NET_HDR_LEN,
	                        SW_ENGINE_FRAME_MAX - SW_NET_HDR_LEN);

	if (plen < 0 || plen > (int)SW_NET_MTU_DATA) {
		count(e, SW_ENGINE_C_TX_BUILD_ERROR);
		if (e->cfg.io.drop != NULL)
			e->cfg.io.drop(e->cfg.io.arg, f);
		return;
	}
	/* RFC 3261 18.2.2: to the source address and port (received/rport semantics) */
	emit(e, f, p->dst_ip, p->dst_port, p->src_ip, p->src_port, mac, plen);
	count(e, SW_ENGINE_C_TX_RESPONSES);
}

static void
rx_arp(struct sw_engine *e, const struct sw_net_pkt *p)
{
	const struct sw_profile *prof = sw_config_profile(e->cfg.config);

	if (p->kind == SW_NET_K_ARP_REPLY) {
		sw_net_neigh_learn(&e->cfg.neigh, p->src_ip, p->src_mac);
		return;
	}
	/* a request: learn the asker if we wanted it, answer for any phone address */
	sw_net_neigh_learn(&e->cfg.neigh, p->src_ip, p->src_mac);
	if (p->dst_ip - prof->src_ip >= prof->src_ip_count)
		return;
	uint8_t *f = e->cfg.io.alloc(e->cfg.io.arg);

	if (f == NULL) {
		count(e, SW_ENGINE_C_TX_NOBUF);
		return;
	}
	size_t len = sw_net_arp_write(f, 2, e->cfg.mac, p->dst_ip, p->src_mac, p->src_ip);

	e->cfg.io.send(e->cfg.io.arg, f, (uint16_t)len);
	count(e, SW_ENGINE_C_ARP_REPLIED);
	count(e, SW_ENGINE_C_TX_FRAMES);
	sw_stat_add(&e->st.c[SW_ENGINE_C_TX_BYTES], len);
}

static void
rx_unreach(struct sw_engine *e, const struct sw_net_pkt *p)
{
	/* the datagram it names was sent by one of our lines; which transaction is not in the 8
	 * bytes of UDP header ICMP returns, so it is counted, and the line learns of it by its
	 * own timeout (design choice: no per-address state to map it back) */
	(void)p;
	count(e, SW_ENGINE_C_RX_UNREACH);
}

/* the worker takes routes the control core offered (a re-resolution): the target counts and
 * DNS expiries the phone reads change between events, never during one */
static void
adopt_routes(struct sw_engine *e)
{
	const struct sw_engine_routes *rs = atomic_load_explicit(&e->offered, memory_order_acquire);

	if (rs == e->routes)
		return;
	for (unsigned int i = 0; i < rs->n && i < e->routes->n; i++)
		account_targets(&e->acc[i], rs, i, rs->resolved_ns);
	e->routes = rs;
	count(e, SW_ENGINE_C_ROUTES_ADOPTED);
	atomic_store_explicit(&e->adopted, rs, memory_order_release);
}

void
sw_engine_offer_routes(struct sw_engine *e, const struct sw_engine_routes *rs)
{
	atomic_store_explicit(&e->offered, rs, memory_order_release);
}

bool
sw_engine_routes_adopted(const struct sw_engine *e, const struct sw_engine_routes *rs)
{
	return atomic_load_explicit(&e->adopted, memory_order_acquire) == rs;
}

int
sw_engine_rx(struct sw_engine *e, uint64_t now, const uint8_t *frame, size_t len)
{
	return sw_engine_rx_hw(e, now, frame, len, 0);
}

int
sw_engine_rx_hw(struct sw_engine *e, uint64_t now, const uint8_t *frame, size_t len,
                unsigned int hw)
{
	struct sw_net_pkt p;
	struct sw_sip_msg m;

	e->now = now;
	count(e, SW_ENGINE_C_RX_FRAMES);
	if (hw & (SW_NET_RX_IP_GOOD | SW_NET_RX_L4_GOOD | SW_NET_RX_IP_BAD | SW_NET_RX_L4_BAD))
		count(e, SW_ENGINE_C_RX_CSUM_BY_PORT);
	switch (sw_net_classify_hw(frame, len, hw, &p)) {
	case SW_NET_K_UDP:
		break;
	case SW_NET_K_ARP_REQUEST:
	case SW_NET_K_ARP_REPLY:
		rx_arp(e, &p);
		return -1;
	case SW_NET_K_UNREACH:
		rx_unreach(e, &p);
		return -1;
	default:
		count(e, SW_ENGINE_C_RX_NET_DROP);
		sw_stat_add(&e->st.net_drop[p.drop], 1);
		return -1;
	}
	/* a response needs its top Via's branch (the token), CSeq, status, challenge and expiries;
	 * neither the rest of the Via nor the tags (70-85 ns less per response in bench_sip). A
	 * request (rare: the line answers it from its Vias and tags) is parsed again whole. */
	enum sw_sip_reason why = sw_sip_parse(&m, (const char *)p.payload, p.payload_len,
	                                      SW_SIP_WANT_BRANCH | SW_SIP_WANT_AUTH |
	                                              SW_SIP_WANT_NUMBERS | SW_SIP_WANT_CONTACT);

	if (why == SW_SIP_OK && m.is_request)
		why = sw_sip_parse(&m, (const char *)p.payload, p.payload_len, SW_SIP_WANT_ALL);

	if (why != SW_SIP_OK) {
		count(e, SW_ENGINE_C_RX_PARSE_ERROR);
		sw_stat_add(&e->st.parse_error[why], 1);
		return -1;
	}
	if (m.is_request) {
		rx_request(e, &p, &m);
		return -1;
	}
	count(e, SW_ENGINE_C_RX_RESPONSES);
	count(e, (enum sw_engine_counter)(SW_ENGINE_C_RX_1XX + m.status / 100 - 1));
	return rx_response(e, &m);
}

/* ---- admission and timers ------------------------------------------------------------------- */

/* what a line about to start hashes, for line i and the lines after it that have not
 * registered yet, hashed together (lib/sip's AVX2 SipHash lanes): the Call-ID and From tag MAC
 * of leg 0 (sw_sip_token_dialog_mac(), kept on the line) and the Via branch of the first
 * REGISTER, leg 0 with tag 1 (kept in first_br, taken by send_register() when line and tag
 * match). Both are pure functions of the key, the line and the tag: hashing them early sends
 * the same bytes */
static void
prehash_starts(struct sw_engine *e, uint32_t i)
{
	struct sw_sip_token tok[SW_SIP_TOKEN_BURST], br[SW_SIP_TOKEN_BURST];
	uint64_t mac[SW_SIP_TOKEN_BURST];
	uint32_t line[SW_SIP_TOKEN_BURST], br_mac[SW_SIP_TOKEN_BURST];
	char br_text[SW_SIP_TOKEN_BURST][SW_SIP_TOKEN_LEN];
	unsigned int n = 0;

	for (uint32_t j = i; j < e->n_lines && n < SW_SIP_TOKEN_BURST; j++) {
		if (e->ext[j].dialog_ok & 1u)
			continue;
		line[n] = j;
		br[n] = (struct sw_sip_token){
		        .line = j, .txn = FIRST_TAG, .worker = (uint8_t)e->cfg.worker};
		tok[n++] = (struct sw_sip_token){
		        .line = j, .txn = 0, .worker = (uint8_t)e->cfg.worker};
	}
	sw_sip_token_dialog_mac_burst(e->cfg.key, tok, n, mac);
	sw_sip_token_encode_mac_burst(e->cfg.key, SW_SIP_TOKEN_BRANCH, br, n, br_text, br_mac);
	for (unsigned int k = 0; k < n; k++) {
		struct first_branch *f = &e->first_br[line[k] % SW_SIP_TOKEN_BURST];

		e->ext[line[k]].dialog_mac[0] = mac[k];
		e->ext[line[k]].dialog_ok |= 1u;
		f->line = line[k];
		f->mac = br_mac[k];
		memcpy(f->text, br_text[k], SW_SIP_TOKEN_LEN);
	}
}

/* when the k-th line of this worker is due to start (open model: whatever the servers do) */
static uint64_t
scheduled_start(const struct sw_engine *e, uint32_t k)
{
	double rate = e->cfg.register_rate, ramp = e->cfg.ramp_s, t;

	if (e->cfg.avalanche || rate <= 0)
		return e->cfg.start;
	if (ramp > 0 && (double)k < rate * ramp / 2)
		t = sqrt(2.0 * ramp * (double)k / rate); /* rate rises linearly from 0 */
	else
		t = (ramp > 0 ? ramp / 2 : 0) + (double)k / rate;
	return e->cfg.start + (uint64_t)(t * 1e9);
}

/* stop lines from stop_next on, as far as the budget and, with unregistration, the pace allow:
 * REGISTER Expires: 0 go out at the admission rate (a million sent in one poll overflowed the
 * port's TX ring and most of them timed out); lines with nothing to send cost no pace */
static unsigned int
stop_some(struct sw_engine *e, uint64_t now, unsigned int budget)
{
	double rate = e->cfg.register_rate;
	unsigned int done = 0;

	while (e->stop_next < e->next_start && done < budget) {
		if (e->stop_unreg && rate > 0 &&
		    e->stop_t0 + (uint64_t)((double)e->stop_sends / rate * 1e9) > now)
			break;
		uint32_t i = e->stop_next++;
		struct sw_phone_out out;

		sw_phone_stop(&e->ctx, &e->lines[i], now, e->stop_unreg, &out);
		for (unsigned int k = 0; k < out.n; k++)
			e->stop_sends += out.a[k].kind == SW_PHONE_ACT_SEND;
		run_out(e, i, &out, now);
		done++;
	}
	if (e->stop_next == e->next_start)
		e->stop_unreg = false;
	return done;
}

unsigned int
sw_engine_poll(struct sw_engine *e, uint64_t now, unsigned int budget)
{
	unsigned int done = 0;

	e->now = now;
	adopt_routes(e);
	if (e->stop_unreg)
		done += stop_some(e, now, budget);
	while (!e->stopped && done < budget && e->next_start < e->n_lines) {
		uint64_t due = scheduled_start(e, e->next_start);

		if (due > now)
			break;
		if (e->cfg.max_in_flight != 0 &&
		    e->st.c[SW_ENGINE_C_TXN_IN_FLIGHT] >= e->cfg.max_in_flight) {
			e->held = true;
			break;
		}
		if (e->held) {
			e->held = false;
			e->released = now;
		}
		/* a start the limit held is due when the limit let it go, not before (in a closed
		 * loop the schedule is the servers' pace, not a lag of the generator's) */
		if (due < e->released)
			due = e->released;
		uint32_t i = e->next_start++;
		struct sw_phone_out out;
		uint64_t lag = now - due;

		count(e, SW_ENGINE_C_LINES_STARTED);
		sw_hist_record(&e->st.h[SW_ENGINE_H_START_LAG], lag);
		if (lag > SW_NS_PER_MS)
			count(e, SW_ENGINE_C_START_LATE);
		e->ext[i].unreg_at = due;
		if (!(e->ext[i].dialog_ok & 1u))
			prehash_starts(e, i);
		if (sw_phone_start(&e->ctx, &e->lines[i], now, &out) == 0)
			run_out(e, i, &out, due);
		done++;
	}
	if (done < budget) {
		uint64_t tick = now > e->cfg.start ? (now - e->cfg.start) / TICK_NS : 0;

		done += sw_timer_wheel_advance(&e->wheel, tick, budget - done);
	}
	flush_pending(e);
	sw_stat_add(done ? &e->st.busy_polls : &e->st.idle_polls, 1);
	return done;
}

void
sw_engine_stop(struct sw_engine *e, uint64_t now, bool unregister)
{
	e->now = now;
	if (e->stopped)
		return;
	e->stopped = true;
	e->stop_unreg = unregister;
	e->stop_next = 0;
	e->stop_t0 = now;
	e->stop_sends = 0;
	/* without unregistration nothing is sent: every line at once */
	if (!unregister)
		stop_some(e, now, UINT32_MAX);
	else
		stop_some(e, now, 256);
	flush_pending(e);
}

uint32_t
sw_engine_stopping(const struct sw_engine *e)
{
	return e->stopped ? e->next_start - e->stop_next : 0;
}

const struct sw_engine_stats *
sw_engine_stats(const struct sw_engine *e)
{
	return &e->st;
}

uint32_t
sw_engine_line_count(const struct sw_engine *e)
{
	return e->n_lines;
}

int
sw_engine_line(const struct sw_engine *e, uint32_t i, const struct sw_phone_line **line,
               const struct sw_engine_line **ext)
{
	if (i >= e->n_lines)
		return -ERANGE;
	if (line != NULL)
		*line = &e->lines[i];
	if (ext != NULL)
		*ext = &e->ext[i];
	return 0;
}

const struct sw_phone_ctx *
sw_engine_phone_ctx(const struct sw_engine *e)
{
	return &e->ctx;
}

/* ---- routes (control core, slow path) ------------------------------------------------------- */

static int
server_id(struct sw_engine_routes *rs, uint32_t ip, uint16_t port)
{
	for (unsigned int k = 0; k < rs->n_servers; k++)
		if (rs->server[k].ip == ip && rs->server[k].port == port)
			return (int)k;
	if (rs->n_servers == SW_ENGINE_MAX_SERVERS)
		return -E2BIG;
	rs->server[rs->n_servers].ip = ip;
	rs->server[rs->n_servers].port = port;
	return (int)rs->n_servers++;
}

static int
resolve_server(struct sw_engine_routes *rs, struct sw_engine_route *r, unsigned int s,
               const struct sw_config *config, const struct sw_dns_source *src, char *err,
               size_t errlen, unsigned int ri)
{
	const struct sw_server_cfg *sc = &r->cfg->server[s];
	const struct sw_timing_cfg *tm = sw_config_timing(config);
	static struct sw_dns_result res;

	if (sc->address[0] == '\0')
		return 0;
	r->ttl[s] = UINT32_MAX;
	r->n_variants[s] = SW_ENGINE_VARIANTS;
	for (unsigned int v = 0; v < SW_ENGINE_VARIANTS; v++) {
		/* dns_cache_type 2: follow-ups from ADDITIONAL sections (lib/dns); 0 and 1 resolve
		 * alike here, 0 differs in how long the result is used (sw_engine_routes_expiry) */
		int rc = sw_dns_resolve_type(src, sc, r->cfg->dns_cache_type, r->cfg->naptr_build,
		                             (enum sw_srv_order)tm->srv_order,
		                             tm->seed * 1000003u + v, &res);

		if (rc < 0) {
			snprintf(err, errlen, "account config %u server %u %s: %s", ri + 1, s + 1,
			         sc->address,
			         rc == -ENOENT ? "no target (DNS or static cache)"
			                       : "resolution failed");
			return rc == -ENOENT ? -ENOENT : rc;
		}
		if (v == 0)
			r->n_targets[s] = (uint8_t)res.n;
		for (unsigned int k = 0; k < res.n && k < r->n_targets[s]; k++) {
			int sid = server_id(rs, res.t[k].ip, res.t[k].port);

			if (sid < 0) {
				snprintf(err, errlen, "more than %u distinct servers",
				         SW_ENGINE_MAX_SERVERS);
				return sid;
			}
			r->t[s][v][k] =
			        (struct sw_engine_target){res.t[k].ip, res.t[k].port, (uint8_t)sid};
		}
		if (res.ttl < r->ttl[s])
			r->ttl[s] = res.ttl;
	}
	/* HA2 of "REGISTER sip:domain" for both hash families (computed once per run) */
	char uri[SW_DNS_MAX_NAME + 8];
	int ul = snprintf(uri, sizeof(uri), "sip:%s", sc->address);

	r->domain_len[s] = (uint16_t)strlen(sc->address);

	sw_sip_digest_ha2(SW_SIP_ALGO_MD5, "REGISTER", 8, uri, (size_t)ul, r->ha2[s]);
	sw_sip_digest_ha2(SW_SIP_ALGO_SHA256, "REGISTER", 8, uri, (size_t)ul, r->ha2_sha256[s]);
	return 0;
}

/* every server of route r (index ri); server 1 must give a target */
static int
resolve_route(struct sw_engine_routes *rs, struct sw_engine_route *r,
              const struct sw_config *config, const struct sw_dns_source *src, char *err,
              size_t errlen, unsigned int ri)
{
	for (unsigned int s = 0; s < SW_MAX_SERVERS; s++) {
		int rc = resolve_server(rs, r, s, config, src, err, errlen, ri);

		if (rc < 0)
			return rc;
	}
	if (r->n_targets[0] == 0) {
		snprintf(err, errlen, "account config %u: server 1 has no address", ri + 1);
		return -ENOENT;
	}
	return 0;
}

int
sw_engine_routes_build(struct sw_engine_routes *rs, const struct sw_config *config, uint32_t k,
                       uint32_t n, const struct sw_dns_source *src, char *err, size_t errlen)
{
	uint64_t lines = sw_config_line_count(config, k, n);
	unsigned int cap = 0;

	memset(rs, 0, sizeof(*rs));
	snprintf(err, errlen, "no error");
	for (uint64_t i = 0; i < lines; i++) {
		struct sw_line_info info;

		if (sw_config_line(config, k, n, i, &info) < 0)
			continue;
		if (route_of(rs, info.cfg) >= 0)
			continue;
		if (rs->n == cap) {
			unsigned int nc = cap ? cap * 2 : 4;
			void *p = realloc(rs->r, nc * sizeof(*rs->r));

			if (p == NULL) {
				sw_engine_routes_free(rs);
				return -ENOMEM;
			}
			rs->r = p;
			cap = nc;
		}
		struct sw_engine_route *r = &rs->r[rs->n++];

		memset(r, 0, sizeof(*r));
		r->cfg = info.cfg;
		int rc = resolve_route(rs, r, config, src, err, errlen, rs->n - 1);

		if (rc < 0) {
			sw_engine_routes_free(rs);
			return rc;
		}
		for (unsigned int p = 0; p < SW_MAX_PROXIES && info.cfg->outbound_proxy_enable;
		     p++) {
			uint32_t ip;
			const struct sw_proxy_cfg *pc = &info.cfg->outbound_proxy[p];

			if (pc->address[0] == '\0')
				continue;
			if (sw_net_parse_ip(pc->address, &ip) < 0) {
				snprintf(err, errlen, "outbound proxy %u %s: only IPv4 literals",
				         p + 1, pc->address);
				sw_engine_routes_free(rs);
				return -ENOENT;
			}
			int sid = server_id(rs, ip, pc->port);

			if (sid < 0) {
				sw_engine_routes_free(rs);
				return sid;
			}
			r->proxy[p] = (struct sw_engine_target){ip, pc->port, (uint8_t)sid};
		}
	}
	return 0;
}

int
sw_engine_routes_rebuild(struct sw_engine_routes *next, const struct sw_engine_routes *cur,
                         const struct sw_config *config, const struct sw_dns_source *src,
                         uint64_t now, bool *changed, char *err, size_t errlen)
{
	memset(next, 0, sizeof(*next));
	snprintf(err, errlen, "no error");
	/* the same servers first, so that every server keeps its index (its counters) */
	next->n_servers = cur->n_servers;
	memcpy(next->server, cur->server, sizeof(next->server));
	next->resolved_ns = now;
	next->r = calloc(cur->n ? cur->n : 1, sizeof(*next->r));
	if (next->r == NULL)
		return -ENOMEM;
	next->n = cur->n;
	*changed = false;
	for (unsigned int i = 0; i < cur->n; i++) {
		struct sw_engine_route *r = &next->r[i];
		const struct sw_engine_route *o = &cur->r[i];

		r->cfg = o->cfg;
		memcpy(r->proxy, o->proxy, sizeof(r->proxy));
		int rc = resolve_route(next, r, config, src, err, errlen, i);

		if (rc < 0) {
			sw_engine_routes_free(next);
			return rc;
		}
		if (memcmp(r->n_targets, o->n_targets, sizeof(r->n_targets)) != 0 ||
		    memcmp(r->t, o->t, sizeof(r->t)) != 0)
			*changed = true;
	}
	return 0;
}

uint64_t
sw_engine_routes_expiry(const struct sw_engine_routes *rs)
{
	uint64_t t = UINT64_MAX;

	for (unsigned int i = 0; i < rs->n; i++)
		for (unsigned int s = 0; s < SW_MAX_SERVERS; s++)
			if (rs->r[i].n_targets[s] > 0) {
				uint64_t x = route_expiry(rs, i, s, rs->resolved_ns);

				if (x < t)
					t = x;
			}
	return t;
}

void
sw_engine_routes_free(struct sw_engine_routes *rs)
{
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}

/* ---- benchmarks ----------------------------------------------------------------------------- */

int
sw_engine_preauth(struct sw_engine *e, const char *realm, uint64_t now)
{
	struct sw_sip_challenge c;
	char nonce[48];
	struct sw_sip_str r = {realm, (uint32_t)strlen(realm)};
	int ri = realm_index(e, r);

	if (ri < 0)
		return -E2BIG;
	memset(&c, 0, sizeof(c));
	c.present = 1;
	c.qop_auth = 1;
	c.qop = (struct sw_sip_str){"auth", 4};
	c.realm = r;
	c.algo = SW_SIP_ALGO_MD5;
	for (uint32_t i = 0; i < e->n_lines; i++) {
		struct sw_line_info info;
		char pw[128], user[64], ha1[SW_SIP_SHA256_HEX];

		/* a distinct 40-character nonce per line, as a registrar would give */
		snprintf(nonce, sizeof(nonce), "%016llx%08x%016llx", (unsigned long long)now, i,
		         (unsigned long long)e->ext[i].gid * 0x9E3779B97F4A7C15ull);
		c.nonce = (struct sw_sip_str){nonce, (uint32_t)strlen(nonce)};
		if (sw_config_line(e->cfg.config, e->cfg.shard_k, e->cfg.shard_n, e->ext[i].gid,
		                   &info) < 0)
			return -EINVAL;
		int pl = sw_config_ident(e->cfg.config, &info, SW_IDENT_PASSWORD, pw, sizeof(pw));
		int ul = sw_config_ident(e->cfg.config, &info, SW_IDENT_USER_NAME, user,
		                         sizeof(user));

		if (pl < 0 || ul < 0 ||
		    sw_sip_digest_ha1(SW_SIP_ALGO_MD5, user, (size_t)ul, realm, r.len, pw,
		                      (size_t)pl, ha1) < 0 ||
		    sw_sip_digest_accept(&e->dig[2 * (size_t)i], &c, ha1, 0) < 0)
			return -EINVAL;
		e->ext[i].realm[0] = (uint8_t)ri;
	}
	return 0;
}

unsigned int
sw_engine_generate(struct sw_engine *e, uint64_t now, unsigned int n)
{
	struct sw_phone_action a = {
	        .kind = SW_PHONE_ACT_SEND, .method = SW_PHONE_REGISTER, .auth = 1, .expires = 3600};
	uint64_t before = e->st.c[SW_ENGINE_C_TX_REGISTER];

	e->now = now;
	for (unsigned int k = 0; k < n && e->n_lines; k++) {
		uint32_t i = e->next_start;

		e->next_start = i + 1 == e->n_lines ? 0 : i + 1;
		a.tag = (uint16_t)(e->ext[i].cseq[0] & 0xff);
		queue_register(e, i, &a);
	}
	flush_pending(e);
	return (unsigned int)(e->st.c[SW_ENGINE_C_TX_REGISTER] - before);
}
