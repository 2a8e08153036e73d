/* What bake --print gives: the plan is made of it. */
#include "fuzz.h"
#include "plan/bakefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	struct plan plan = PLAN_INIT;
	if (plan_parse(&plan, (const char *)data, size) == 0) {
		plan_default_platform(&plan, "linux/amd64");
		plan_find(&plan, "default");
	}
	plan_release(&plan);
	return 0;
}
