/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The results as a page people read: one self-contained HTML document (inline SVG charts, no
 * script), for sipswarm --html and sipswarm-tool report html.
 */
#ifndef SW_REPORT_H
#define SW_REPORT_H

#include <stddef.h>

#include <jansson.h>

/**
 * The HTML page of a results object (what sipswarm writes with -o).
 *
 * @param results the results (read only; jansson's iteration wants it non-const)
 * @param title   the page's title and first line (a file name, say)
 * @param len     set to the page's length when not NULL
 * @return the page, NUL-terminated, to free(); NULL with errno EINVAL when results has no
 *         run or totals object, or ENOMEM
 */
char *sw_report_html(json_t *results, const char *title, size_t *len);

#endif /* SW_REPORT_H */
