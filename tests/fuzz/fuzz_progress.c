/* The children's plain (and rawjson) progress, in pieces as a pipe gives
 * them: the first byte says where the input is cut. */
#include "fuzz.h"
#include "buildx/progress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	size_t step = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	struct progress p = PROGRESS_INIT;
	for (size_t at = 0; at < size; at += step)
		progress_feed(&p, (const char *)data + at,
			      size - at < step ? size - at : step);
	char *s = fuzz_string(data, size);
	progress_node_lost(s);
	free(s);
	progress_release(&p);
	return 0;
}
