/* What buildx says of a builder: `buildx inspect` text and the store's
 * instance JSON. */
#include "fuzz.h"
#include "buildx/nodes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	char *s = fuzz_string(data, size);
	struct nodeset set = NODESET_INIT;
	if (nodes_parse_inspect(&set, s) == 0) {
		nodes_default_platform(&set);
		nodes_filter_usable(&set);
	}
	nodeset_release(&set);
	struct nodeset store = NODESET_INIT;
	nodes_merge_store(&store, s);
	nodeset_release(&store);
	free(s);
	return 0;
}
