/* Bake files scanned for depends_on and target: dependencies, HCL and
 * JSON alike. */
#include "fuzz.h"
#include "plan/depends.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	struct compose a = COMPOSE_INIT, b = COMPOSE_INIT;
	hcl_depends_scan(&a, (const char *)data, size, "fuzz.hcl");
	json_depends_scan(&b, (const char *)data, size, "fuzz.json");
	compose_release(&a);
	compose_release(&b);
	return 0;
}
