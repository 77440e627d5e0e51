/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Expansion benchmark: a profile of N lines (default 1,000,000: 500,000 phones x 2 lines),
 * parse + finish, every line described, every identity formatted. Usage: bench_config [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sw_bench.h"

#include "sw_config.h"

int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	char text[1024], buf[512];
	struct sw_config *c = sw_config_new();
	struct sw_line_info li;
	uint64_t lines, sum = 0;
	double t0, t_parse, t_lines, t_ident;

	snprintf(text, sizeof(text),
	         "#!version:1.0.0.1\n"
	         "account.1.enable = 1\n"
	         "account.1.user_name = 1{phone:07}{line:02}\n"
	         "account.1.auth_name = 1{phone:07}{line:02}\n"
	         "account.1.password = pw{phone}\n"
	         "account.1.sip_server.1.address = yealink.pbx.com\n"
	         "account.1.sip_server.2.address = fallback.yealink.pbx.com\n"
	         "swarm.phones = %lu\nswarm.lines_per_phone = 2\n"
	         "override.1-1000.account.1.password = other\n",
	         (n + 1) / 2);
	t0 = sw_bench_now();
	if (c == NULL || sw_config_parse(c, "bench", text, strlen(text)) != 0 ||
	    sw_config_finish(c) != 0) {
		fprintf(stderr, "%s\n",
		        c != NULL && sw_config_error(c) ? sw_config_error(c)->msg : "?");
		return 1;
	}
	t_parse = sw_bench_now() - t0;
	lines = sw_config_line_count(c, 0, 1);

	t0 = sw_bench_now();
	for (uint64_t i = 0; i < lines; i++) {
		sw_config_line(c, 0, 1, i, &li);
		sum += li.src_ip + li.account;
	}
	t_lines = sw_bench_now() - t0;

	t0 = sw_bench_now();
	for (uint64_t i = 0; i < lines; i++) {
		sw_config_line(c, 0, 1, i, &li);
		sum += (uint64_t)sw_config_ident(c, &li, SW_IDENT_USER_NAME, buf, sizeof(buf));
		sum += (uint64_t)sw_config_ident(c, &li, SW_IDENT_PASSWORD, buf, sizeof(buf));
	}
	t_ident = sw_bench_now() - t0;

	printf("command: %s %lu\n", argv[0], n);
	printf("lines: %llu (checksum %llu)\n", (unsigned long long)lines, (unsigned long long)sum);
	printf("parse + finish: %.3f ms\n", t_parse * 1e3);
	printf("lines expanded (line -> phone, account, settings, source): %.1f M/s, all %llu in "
	       "%.1f ms\n",
	       (double)lines / t_lines / 1e6, (unsigned long long)lines, t_lines * 1e3);
	printf("identities formatted (user_name + password per line): %.1f M lines/s\n",
	       (double)lines / t_ident / 1e6);
	printf("bytes per line held by the expansion: 0 (computed on demand; a line's description "
	       "is a %zu-byte struct on the stack; settings shared)\n",
	       sizeof(struct sw_line_info));
	sw_config_free(c);
	return 0;
}
