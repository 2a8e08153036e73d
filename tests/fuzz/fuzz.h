/*
 * The fuzz harnesses' common part: each defines LLVMFuzzerTestOneInput
 * over one parser dbake owns (its input from files, buildx or the
 * children), built with clang's libFuzzer (tests/fuzz/run, make fuzz).
 * A crash, a sanitizer report, a leak or an input taking more than the
 * run's -timeout fails.
 */
#ifndef DBAKE_FUZZ_H
#define DBAKE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (for parsers that want one). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Quiet: the parsers say why they refuse, once per input. */
static inline void fuzz_quiet(void)
{
	static int done;
	if (!done++)
		set_quiet(1);
}

#endif
