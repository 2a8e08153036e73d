/* Compose files as dbake reads them: what libfyaml must not see is
 * refused first (a 3-byte file once looped libfyaml for ever), the rest
 * read in a child process (libfyaml 0.7 crashes and loops on inputs
 * this harness found), which gives up after 2 s. */
#include "fuzz.h"
#include "plan/compose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	struct compose c = COMPOSE_INIT;
	compose_load_isolated(&c, (const char *)data, size, "fuzz.yaml", 2000);
	struct strvec profiles = STRVEC_INIT;
	struct strvec out = STRVEC_INIT;
	compose_enabled(&c, &profiles, &out);
	strvec_clear(&out);
	compose_release(&c);
	return 0;
}
