/* Compose files: what libfyaml must not see is refused first (a 3-byte
 * file once looped libfyaml for ever), the rest read as compose does. */
#include "fuzz.h"
#include "plan/compose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	struct compose c = COMPOSE_INIT;
	compose_load_string(&c, (const char *)data, size, "fuzz.yaml");
	struct strvec profiles = STRVEC_INIT;
	struct strvec out = STRVEC_INIT;
	compose_enabled(&c, &profiles, &out);
	strvec_clear(&out);
	compose_release(&c);
	return 0;
}
