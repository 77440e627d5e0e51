/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay driver of the DNS fuzz target: every file named (or inside a directory named) is fed
 * once to LLVMFuzzerTestOneInput from an exact-size heap copy, so ASan sees any over-read.
 * Exit 0 when at least one input ran, 2 when a path cannot be read.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
feed(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[65536], *copy;
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	copy = malloc(n > 0 ? n : 1);
	if (copy == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		copy[i] = buf[i];
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int count = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		struct dirent *e;
		DIR *d;

		if (stat(argv[i], &st) != 0)
			return 2;
		if (!S_ISDIR(st.st_mode)) {
			if (feed(argv[i]) != 0)
				return 2;
			count++;
			continue;
		}
		d = opendir(argv[i]);
		if (d == NULL)
			return 2;
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				if (feed(path) != 0) {
					closedir(d);
					return 2;
				}
				count++;
			}
		}
		closedir(d);
	}
	printf("replayed %u inputs\n", count);
	return count > 0 ? 0 : 2;
}
