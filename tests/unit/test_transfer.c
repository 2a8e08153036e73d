#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/transfer.h"
#include "testlib.h"

static void sv(struct strvec *v, const char *a, const char *b)
{
	strvec_init(v);
	if (a)
		strvec_push(v, a);
	if (b)
		strvec_push(v, b);
}

static void t_platforms_fit(void **state)
{
	(void)state;
	struct strvec none, amd, arm, both;
	sv(&none, NULL, NULL);
	sv(&amd, "linux/amd64", NULL);
	sv(&arm, "linux/arm64", NULL);
	sv(&both, "linux/amd64", "linux/arm64");
	/* a dependency of one platform: its image, whatever the
	 * dependent builds for, as bake hands a single result over */
	assert_true(transfer_platforms_fit(&none, "linux/amd64", &none, "linux/amd64"));
	assert_true(transfer_platforms_fit(&none, "linux/amd64", &none, "linux/arm64"));
	assert_true(transfer_platforms_fit(&amd, "linux/amd64", &both, "linux/amd64"));
	assert_true(transfer_platforms_fit(&amd, "linux/arm64", &arm, "linux/arm64"));
	assert_true(transfer_platforms_fit(&none, NULL, &none, NULL));
	/* of several: the dependent's platforms must all be in its image */
	assert_true(transfer_platforms_fit(&both, "linux/amd64", &arm, "linux/amd64"));
	assert_true(transfer_platforms_fit(&both, "linux/arm64", &both, "linux/amd64"));
	assert_true(transfer_platforms_fit(&both, "linux/amd64", &none, "linux/arm64"));
	assert_false(transfer_platforms_fit(&both, "linux/amd64", &none, "linux/riscv64"));
	struct strvec three;
	sv(&three, "linux/amd64", "linux/riscv64");
	assert_false(transfer_platforms_fit(&both, "linux/amd64", &three, "linux/amd64"));
	strvec_clear(&three);
	strvec_clear(&amd);
	strvec_clear(&arm);
	strvec_clear(&both);
}

static void t_path_ok(void **state)
{
	(void)state;
	assert_true(transfer_path_ok("/tmp/dbake-0/run-Ab12cd/oci"));
	assert_true(transfer_path_ok("/tmp/with space/run/oci"));
	assert_false(transfer_path_ok("relative/oci"));
	assert_false(transfer_path_ok("/tmp/a,b/oci"));    /* CSV field */
	assert_false(transfer_path_ok("/tmp/a=b/oci"));
	assert_false(transfer_path_ok("/tmp/a\"b/oci"));
	assert_false(transfer_path_ok("/tmp/a@b/oci"));    /* ref's digest */
	assert_false(transfer_path_ok(NULL));
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = xstrfmt("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

#define DG "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void t_layout_digest(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/dbake-test-oci-XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	/* no index yet: an export that did not finish */
	assert_null(transfer_layout_digest(dir));
	write_file(dir, "index.json", "{\"schemaVersion\":2,\"manifests\":"
		   "[{\"digest\":\"sha256:" DG "\",\"size\":10}]}");
	/* an index whose blob is missing is no layout either */
	assert_null(transfer_layout_digest(dir));
	char *blobs = xstrfmt("%s/blobs", dir), *sha = xstrfmt("%s/sha256", blobs);
	assert_int_equal(mkdir(blobs, 0700), 0);
	assert_int_equal(mkdir(sha, 0700), 0);
	write_file(sha, DG, "{}");
	char *d = transfer_layout_digest(dir);
	assert_non_null(d);
	assert_string_equal(d, "sha256:" DG);
	free(d);
	/* a digest that is not one */
	write_file(dir, "index.json", "{\"manifests\":[{\"digest\":\"sha256:../../x\"}]}");
	assert_null(transfer_layout_digest(dir));
	write_file(dir, "index.json", "not json");
	assert_null(transfer_layout_digest(dir));

	char *blob = xstrfmt("%s/%s", sha, DG), *index = xstrfmt("%s/index.json", dir);
	unlink(blob);
	unlink(index);
	rmdir(sha);
	rmdir(blobs);
	rmdir(dir);
	free(blob);
	free(index);
	free(sha);
	free(blobs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_platforms_fit),
		cmocka_unit_test(t_path_ok),
		cmocka_unit_test(t_layout_digest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
