/* dbake's state, which anyone with the state dir may have damaged:
 * history.json read back, used and saved, a shard entry checked. */
#include "fuzz.h"
#include "buildx/shards.h"
#include "sched/history.h"

#include <stdio.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	static char path[64];
	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/dbake-fuzz-%d.json", (int)getpid());
	}
	FILE *f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct history h = HISTORY_INIT;
	history_load(&h, path, "/proj");
	history_estimate(&h, "web", "tcp://n0");
	history_node_estimate(&h, "web", "tcp://n0");
	history_work(&h, "web");
	history_capacity(&h, "tcp://n0");
	history_last(&h, "web", 1);
	history_record(&h, "web", "tcp://n0", 1.5, 1);
	history_set_capacity(&h, "tcp://n0", 2);
	/* read again under the lock, merged, made sane, bounded, written */
	history_save(&h, 1000);
	history_release(&h);
	char *lock = xstrfmt("%s.lock", path);
	unlink(lock);
	free(lock);
	unlink(path);

	char *s = fuzz_string(data, size);
	struct node n = { .name = "n0", .endpoint = "tcp://10.0.0.1:1234" };
	strvec_push(&n.driver_opts, "cacert=/ca.pem");
	shard_entry_matches(s, "dbake-b-n0-00000000", &n);
	strvec_clear(&n.driver_opts);
	free(s);
	return 0;
}
