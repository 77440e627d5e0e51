/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sw_sip_parse() against its general walk alone (sip_parse_ref.c): every file under
 * SW_SIP_DATA (corpus, torture) and the registration loop's messages, as they are and mutated
 * (every truncation, every byte replaced by each of a set of SIP delimiters, deleted, letters
 * case-flipped, CRLF to LF, seeded random multi-byte edits), each in a buffer of exactly its
 * length (ASan sees an over-read). All 128 want masks on the unmutated inputs and their
 * truncations; on the other mutants the callers' masks, WANT_ALL, 0 and a rotating one.
 * Identical return codes and fields are required, failed parses included.
 * Usage: test_sip_parse_diff [DATA-DIR]   (default $SW_SIP_DATA)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../bench/sip/loop_msgs.h"
#include "parse_diff.h"

static unsigned long runs, rc_diffs, field_diffs, oks;

static void
one(const char *name, const char *src, size_t len, unsigned want, const char *how, size_t at)
{
	char *b = malloc(len > 0 ? len : 1);
	const char *what = "";
	int d;

	memcpy(b, src, len);
	d = sw_sip_parse_diff(b, len, want, &what);
	runs++;
	if (d == 0) {
		struct sw_sip_msg m;
		oks += sw_sip_parse(&m, b, len, want) == SW_SIP_OK;
	} else {
		if (d == 2)
			rc_diffs++;
		else
			field_diffs++;
		if (rc_diffs + field_diffs <= 20)
			fprintf(stderr, "DIFF %s (%s at %zu, want 0x%x): %s\n", name, how, at, want,
			        what);
	}
	free(b);
}

static const unsigned masks[] = {
        SW_SIP_WANT_BRANCH | SW_SIP_WANT_AUTH | SW_SIP_WANT_NUMBERS | SW_SIP_WANT_CONTACT,
        SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS,
        SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS | SW_SIP_WANT_AUTHORIZATION,
        SW_SIP_WANT_VIA | SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS,
        SW_SIP_WANT_ALL,
        0,
};

static void
mutants(const char *name, const char *src, size_t len, unsigned long *seed)
{
	static const char subst[] = "\r\n \t:;,\"<>=\\/@[]*0Zz\x00\x80\x7f";
	char *t = malloc(len * 2 + 64);
	unsigned rot = 0;

#define ALL(buf, n, how, at)                                                                       \
	do {                                                                                       \
		for (unsigned k_ = 0; k_ < sizeof(masks) / sizeof(masks[0]); k_++)                 \
			one(name, buf, n, masks[k_], how, at);                                     \
		one(name, buf, n, rot++ & 127, how, at);                                           \
	} while (0)

	for (unsigned w = 0; w < 128; w++)
		one(name, src, len, w, "as is", 0);
	for (size_t n = 0; n < len; n++)
		for (unsigned w = 0; w < 128; w += (n & 7) == 0 ? 1 : 9)
			one(name, src, n, w, "truncated", n);
	for (size_t i = 0; i < len; i++) {
		for (size_t s = 0; s < sizeof(subst) - 1; s++) {
			if (src[i] == subst[s])
				continue;
			memcpy(t, src, len);
			t[i] = subst[s];
			ALL(t, len, "replaced", i);
		}
		if ((src[i] | 0x20) >= 'a' && (src[i] | 0x20) <= 'z') {
			memcpy(t, src, len);
			t[i] ^= 0x20;
			ALL(t, len, "case", i);
		}
		memcpy(t, src, i);
		memcpy(t + i, src + i + 1, len - i - 1);
		ALL(t, len - 1, "deleted", i);
		/* a byte inserted: SP (fold or value white space) or a second CR/LF */
		memcpy(t, src, i);
		t[i] = (i & 1) ? ' ' : '\n';
		memcpy(t + i + 1, src + i, len - i);
		ALL(t, len + 1, "inserted", i);
	}
	{
		size_t n = 0;
		for (size_t i = 0; i < len; i++)
			if (!(src[i] == '\r' && i + 1 < len && src[i + 1] == '\n'))
				t[n++] = src[i];
		ALL(t, n, "crlf to lf", 0);
	}
	for (int r = 0; r < 300; r++) {
		size_t n = len;
		memcpy(t, src, len);
		for (int e = 0; e < 4 && n > 0; e++) {
			*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
			size_t i = (size_t)(*seed >> 33) % n;
			unsigned op = (unsigned)(*seed >> 20) & 3;
			if (op == 0)
				t[i] = subst[(*seed >> 8) % (sizeof(subst) - 1)];
			else if (op == 1)
				t[i] = (char)(*seed >> 12);
			else if (op == 2 && n > 1) {
				memmove(t + i, t + i + 1, n - i - 1);
				n--;
			} else if (n < len * 2 + 32) {
				memmove(t + i + 1, t + i, n - i);
				t[i] = subst[(*seed >> 8) % (sizeof(subst) - 1)];
				n++;
			}
		}
		ALL(t, n, "random", (size_t)r);
	}
#undef ALL
	free(t);
}

/*
 * Via values around the branch walk's shortcuts: parameters before and after the branch in
 * several spellings, quotes, commas, and sent-by hosts of every length from 1 to 80 so that the
 * value ends on each side of the 32- and 64-byte windows; each in the loop's 200 OK, all masks.
 */
static void
via_variants(void)
{
	static const char *const params[] = {
	        ";rport;branch=z9hG4bKAAAAAAAAAAPLOZym",
	        ";branch=z9hG4bKAAAAAAAAAAPLOZym;rport",
	        ";BRANCH=z9hG4bKx",
	        "; branch=z9hG4bKx",
	        ";branch =z9hG4bKx",
	        ";branch= z9hG4bKx",
	        ";branch=",
	        ";branch",
	        ";branchx=1;branch=y",
	        ";bx=1;branch=y",
	        ";x=\"a;branch=q\";branch=y",
	        ";x=\"a\\\";branch=q\";branch=y",
	        ",SIP/2.0/UDP h;branch=second",
	        ";rport,SIP/2.0/UDP h;branch=second",
	        ";received=198.18.0.1;branch=z9hG4bK\"x\"",
	        ";branch=z9hG4bK[v6]:1",
	        ";branch=a;branch=b",
	        ";;branch=a",
	        ";\tbranch=a",
	        ";rport;branch=z9hG4bK0123456789012345678901234567890123456789012345678901234567890123"
	        "456789012345678901234567890123456789012345678901234567890123456789012345678901234567"
	        "890123456789012345678901234567890123456789012345678901234567890123456789012345678901"
	        "2345678901234567890123456789",
	        "",
	};
	char host[96], msg[1024];

	for (size_t k = 0; k < sizeof(params) / sizeof(params[0]); k++) {
		for (int hl = 1; hl <= 80; hl++) {
			int n;

			memset(host, 'h', (size_t)hl);
			host[hl] = '\0';
			n = snprintf(msg, sizeof(msg),
			             "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP %s%s\r\n"
			             "From: <sip:u@pbx.test>;tag=AAAAAAAAAADWyTlA\r\n"
			             "To: <sip:u@pbx.test>;tag=8e19dd16306e\r\nCall-ID: c1\r\n"
			             "CSeq: 2 REGISTER\r\nContent-Length: 0\r\n\r\n",
			             host, params[k]);
			for (unsigned w = 0; w < 128; w++)
				one("via variant", msg, (size_t)n, w, "via", (size_t)k);
		}
	}
}

static unsigned files;

static void
walk(const char *dir, unsigned long *seed)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path, seed);
		} else if (S_ISREG(st.st_mode) && strstr(e->d_name, ".dict") == NULL) {
			FILE *f = fopen(path, "rb");
			char *b = malloc((size_t)st.st_size + 1);
			size_t n = f != NULL ? fread(b, 1, (size_t)st.st_size, f) : 0;
			if (f != NULL)
				fclose(f);
			mutants(path, b, n, seed);
			files++;
			free(b);
		}
	}
	closedir(d);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("SW_SIP_DATA");
	unsigned long seed = 42;

	if (dir == NULL)
		dir = "tests/data/sip";
	mutants("loop 401", loop_401, sizeof(loop_401) - 1, &seed);
	mutants("loop 200", loop_200, sizeof(loop_200) - 1, &seed);
	mutants("loop REGISTER", loop_reg, sizeof(loop_reg) - 1, &seed);
	mutants("loop REGISTER+auth", loop_reg_auth, sizeof(loop_reg_auth) - 1, &seed);
	via_variants();
	walk(dir, &seed);
	printf("parse diff: %u files + 4 loop messages, %lu parses compared (%lu OK), %lu return "
	       "code differences, %lu field differences\n",
	       files, runs, oks, rc_diffs, field_diffs);
	if (files == 0) {
		fprintf(stderr, "no data under %s\n", dir);
		return 1;
	}
	return rc_diffs + field_diffs != 0;
}
