/* The user's builder: inspect text, store entry, usable nodes, shard names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testlib.h"

#include "buildx/contexts.h"
#include "buildx/kube.h"
#include "buildx/nodes.h"
#include "buildx/docker.h"
#include "buildx/shards.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>



/*
 * `docker buildx inspect` of a three-node remote builder, as buildx's
 * tabwriter lays it out: an amd64 node with a pinned platform, an arm64
 * node and one it cannot reach (an Error line instead of a Status).
 */
static const char inspect_three[] =
	"Name:          multi\n"
	"Driver:        remote\n"
	"Last Activity: 2025-03-01 10:00:00 +0000 UTC\n"
	"\n"
	"Nodes:\n"
	"Name:                  node0\n"
	"Endpoint:              tcp://10.0.0.10:1234\n"
	"Driver Options:        cacert=\"/certs/ca.pem\" servername=\"node0\"\n"
	"Status:                running\n"
	"BuildKit daemon flags: --allow-insecure-entitlement=network.host\n"
	"BuildKit version:      v0.20.1\n"
	"Platforms:             linux/amd64*, linux/386\n"
	"Labels:\n"
	" org.mobyproject.buildkit.worker.executor:         oci\n"
	" org.mobyproject.buildkit.worker.hostname:         node0\n"
	" org.mobyproject.buildkit.worker.network:          host\n"
	" org.mobyproject.buildkit.worker.oci.process-mode: sandbox\n"
	" org.mobyproject.buildkit.worker.selinux.enabled:  false\n"
	" org.mobyproject.buildkit.worker.snapshotter:      overlayfs\n"
	"GC Policy rule#0:\n"
	" All:            false\n"
	" Filters:        type==source.local,type==exec.cachemount,type==source.git.checkout\n"
	" Keep Duration:  48h0m0s\n"
	" Max Used Space: 488.3MiB\n"
	"GC Policy rule#1:\n"
	" All:            false\n"
	" Keep Duration:  1440h0m0s\n"
	" Reserved Space: 9.313GiB\n"
	" Max Used Space: 93.13GiB\n"
	" Min Free Space: 188.1GiB\n"
	"\n"
	"Name:                  node1\n"
	"Endpoint:              tcp://arm-box.lan:1234\n"
	"Status:                running\n"
	"BuildKit version:      v0.20.1\n"
	"Platforms:             linux/arm64, linux/arm/v7, linux/arm/v6\n"
	"Labels:\n"
	" Name:                                             not-a-node\n"
	" Status:                                           not-a-status\n"
	" org.mobyproject.buildkit.worker.hostname:         arm-box\n"
	"GC Policy rule#0:\n"
	" All:            true\n"
	" Keep Duration:  48h0m0s\n"
	"\n"
	"Name:      node2\n"
	"Endpoint:  tcp://10.0.0.12:1234\n"
	"Error:     Get \"http://10.0.0.12:1234/_ping\": dial tcp 10.0.0.12:1234: "
	"connect: connection refused\n";

static void t_inspect_three_nodes(void **state)
{
	(void)state;
	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set, inspect_three), 0);
	assert_string_equal(set.builder, "multi");
	assert_string_equal(set.driver, "remote");
	assert_null(set.error);
	assert_int_equal(set.nr, 3);

	struct node *n = &set.v[0];
	assert_string_equal(n->name, "node0");
	assert_string_equal(n->endpoint, "tcp://10.0.0.10:1234");
	assert_string_equal(n->status, "running");
	assert_null(n->error);
	ASSERT_STRVEC(&n->platforms, "linux/amd64", "linux/386");
	ASSERT_STRVEC(&n->pinned, "linux/amd64");

	n = &set.v[1];
	assert_string_equal(n->name, "node1");
	assert_string_equal(n->endpoint, "tcp://arm-box.lan:1234");
	/* the indented "Status:" label line must not override it */
	assert_string_equal(n->status, "running");
	ASSERT_STRVEC(&n->platforms, "linux/arm64", "linux/arm/v7",
		      "linux/arm/v6");
	assert_int_equal(n->pinned.nr, 0);

	n = &set.v[2];
	assert_string_equal(n->name, "node2");
	assert_string_equal(n->endpoint, "tcp://10.0.0.12:1234");
	assert_null(n->status);
	assert_string_equal(n->error,
			    "Get \"http://10.0.0.12:1234/_ping\": dial tcp "
			    "10.0.0.12:1234: connect: connection refused");
	assert_int_equal(n->platforms.nr, 0);
	nodeset_release(&set);
	assert_null(set.v);
	assert_null(set.builder);
}

static void t_inspect_crlf_and_no_trailing_newline(void **state)
{
	(void)state;
	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set,
					     "Name:   b1\r\n"
					     "Driver: remote\r\n"
					     "\r\n"
					     "Nodes:\r\n"
					     "Name:      n\r\n"
					     "Endpoint:  unix:///run/buildkit/buildkitd.sock\r\n"
					     "Status:    running\r\n"
					     "Platforms: linux/arm64/v8*, linux/AMD64 "),
			 0);
	assert_string_equal(set.builder, "b1");
	assert_int_equal(set.nr, 1);
	assert_string_equal(set.v[0].endpoint, "unix:///run/buildkit/buildkitd.sock");
	assert_string_equal(set.v[0].status, "running");
	ASSERT_STRVEC(&set.v[0].platforms, "linux/arm64", "linux/amd64");
	ASSERT_STRVEC(&set.v[0].pinned, "linux/arm64");
	nodeset_release(&set);
}

static void t_inspect_builder_error(void **state)
{
	(void)state;
	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set,
					     "Name:   default\n"
					     "Driver: \n"
					     "Error:  failed to connect to the docker API at "
					     "unix:///var/run/docker.sock: no such file\n"),
			 0);
	assert_string_equal(set.builder, "default");
	assert_string_equal(set.driver, "");
	assert_string_equal(set.error, "failed to connect to the docker API at "
				       "unix:///var/run/docker.sock: no such file");
	assert_int_equal(set.nr, 0);
	nodeset_release(&set);
	assert_null(set.error);

	/* The same, as buildx v0.35 printed it here. */
	char *text = read_fixture("inspect-error.txt");
	struct nodeset set2 = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set2, text), 0);
	assert_string_equal(set2.builder, "default");
	assert_non_null(set2.error);
	assert_true(strncmp(set2.error, "failed to connect to the docker API", 35) == 0);
	assert_int_equal(set2.nr, 0);
	nodeset_release(&set2);
	free(text);
}

static void t_inspect_no_name(void **state)
{
	(void)state;
	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set, ""), -1);
	nodeset_release(&set);
	struct nodeset set2 = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set2, "no colon here\n  Name: x\n"),
			 -1);
	nodeset_release(&set2);
}

static void t_real_inactive_builder(void **state)
{
	(void)state;
	char *text = read_fixture("inspect-inactive.txt");
	char *store = read_fixture("store-multi.json");
	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set, text), 0);
	assert_string_equal(set.builder, "multi");
	assert_string_equal(set.driver, "remote");
	assert_int_equal(set.nr, 2);
	assert_string_equal(set.v[0].name, "node0");
	assert_string_equal(set.v[0].endpoint, "tcp://127.0.0.1:1");
	assert_string_equal(set.v[0].status, "inactive");
	ASSERT_STRVEC(&set.v[0].platforms, "linux/amd64", "linux/386");
	ASSERT_STRVEC(&set.v[0].pinned, "linux/amd64", "linux/386");
	assert_string_equal(set.v[1].name, "node1");
	assert_int_equal(set.v[1].platforms.nr, 0);

	assert_int_equal(nodes_merge_store(&set, store), 0);
	ASSERT_STRVEC(&set.v[0].pinned, "linux/amd64", "linux/386");
	assert_int_equal(set.v[0].driver_opts.nr, 0);
	ASSERT_STRVEC(&set.v[1].driver_opts, "cacert=/x/ca.pem", "servername=n1");
	assert_int_equal(set.v[1].pinned.nr, 0);

	/* both inactive: nothing usable */
	assert_int_equal(nodes_filter_usable(&set), 0);
	assert_int_equal(set.nr, 0);
	nodeset_release(&set);
	free(text);
	free(store);
}

static const char store_one[] =
	"{\"Name\":\"b\",\"Driver\":\"remote\",\"Nodes\":[{\"Name\":\"node0\","
	"\"Endpoint\":\"tcp://127.0.0.1:1234\",\"Platforms\":[{\"architecture\":"
	"\"arm64\",\"os\":\"linux\"}],\"DriverOpts\":{\"cacert\":\"/x/ca.pem\","
	"\"servername\":\"n0\"},\"Flags\":null,\"Files\":null}],\"Dynamic\":false}";

static void t_merge_store(void **state)
{
	(void)state;
	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set,
					     "Name:   b\nDriver: remote\n\nNodes:\n"
					     "Name:      node0\n"
					     "Endpoint:  tcp://localhost:1234\n"
					     "Status:    running\n"
					     "Platforms: linux/arm64, linux/arm/v7\n"
					     "\n"
					     "Name:      other\n"
					     "Endpoint:  tcp://10.1.1.1:1234\n"
					     "Status:    running\n"
					     "Platforms: linux/amd64\n"),
			 0);
	assert_int_equal(set.nr, 2);
	assert_int_equal(nodes_merge_store(&set, store_one), 0);
	struct node *n = &set.v[0];
	assert_string_equal(n->endpoint, "tcp://127.0.0.1:1234");
	assert_true(strvec_has(&n->driver_opts, "cacert=/x/ca.pem"));
	assert_true(strvec_has(&n->driver_opts, "servername=n0"));
	assert_int_equal(n->driver_opts.nr, 2);
	ASSERT_STRVEC(&n->pinned, "linux/arm64");
	ASSERT_STRVEC(&n->platforms, "linux/arm64", "linux/arm/v7");
	assert_int_equal(n->flags.nr, 0);
	/* a node the store does not list is left alone */
	assert_string_equal(set.v[1].endpoint, "tcp://10.1.1.1:1234");
	assert_int_equal(set.v[1].driver_opts.nr, 0);
	assert_int_equal(set.v[1].pinned.nr, 0);
	nodeset_release(&set);
}

static void t_merge_store_flags_variants(void **state)
{
	(void)state;
	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set,
					     "Name: b\nDriver: remote\nNodes:\n"
					     "Name: pi\nStatus: running\n"
					     "Platforms: linux/arm/v7*, linux/arm/v6\n"),
			 0);
	assert_int_equal(nodes_merge_store(&set,
					   "{\"Nodes\":[{\"Name\":\"pi\",\"Endpoint\":"
					   "\"ssh://pi@pi.lan\",\"Platforms\":[{"
					   "\"architecture\":\"arm\",\"os\":\"linux\","
					   "\"variant\":\"v7\"},{\"architecture\":\"arm64\","
					   "\"os\":\"linux\",\"variant\":\"v8\"},{\"os\":"
					   "\"linux\"}],\"Flags\":[\"--debug\",\"--oci-"
					   "worker-gc=false\"],\"DriverOpts\":{\"n\":1,"
					   "\"key\":\"/k.pem\"}},{\"Name\":\"ghost\"}]}"),
			 0);
	assert_int_equal(set.nr, 1);
	struct node *n = &set.v[0];
	assert_string_equal(n->endpoint, "ssh://pi@pi.lan");
	/* inspect's pin, then the store's (deduplicated, normalised) */
	ASSERT_STRVEC(&n->pinned, "linux/arm/v7", "linux/arm64");
	ASSERT_STRVEC(&n->flags, "--debug", "--oci-worker-gc=false");
	/* non-string options are not carried */
	ASSERT_STRVEC(&n->driver_opts, "key=/k.pem");
	nodeset_release(&set);
}

static void t_merge_store_malformed(void **state)
{
	(void)state;
	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set, "Name: b\n"), 0);
	assert_int_equal(nodes_merge_store(&set, "{\"Nodes\":["), -1);
	assert_int_equal(nodes_merge_store(&set, "[1,2]"), -1);
	assert_int_equal(nodes_merge_store(&set, ""), -1);
	/* no Nodes at all is fine */
	assert_int_equal(nodes_merge_store(&set, "{\"Name\":\"b\"}"), 0);
	nodeset_release(&set);
}

static void t_filter_usable(void **state)
{
	(void)state;
	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set, inspect_three), 0);
	assert_int_equal(nodes_parse_inspect(&set,
					     "Nodes:\n"
					     "Name:      pipe\n"
					     "Endpoint:  npipe:////./pipe/buildkitd\n"
					     "Status:    running\n"
					     "Platforms: windows/amd64\n"
					     "\n"
					     "Name:      local\n"
					     "Endpoint:  docker-container://buildx_buildkit_x0\n"
					     "Status:    running\n"
					     "Platforms: linux/riscv64\n"
					     "\n"
					     "Name:      empty\n"
					     "Endpoint:  tcp://10.0.0.20:1234\n"
					     "Status:    running\n"
					     "\n"
					     "Name:      stopped\n"
					     "Endpoint:  tcp://10.0.0.21:1234\n"
					     "Status:    inactive\n"
					     "Platforms: linux/amd64\n"
					     "\n"
					     "Name:      noendpoint\n"
					     "Status:    running\n"
					     "Platforms: linux/amd64\n"),
			 0);
	assert_int_equal(set.nr, 8);
	fprintf(stderr, "(warnings below are expected)\n");
	assert_int_equal(nodes_filter_usable(&set), 3);
	assert_int_equal(set.nr, 3);
	assert_string_equal(set.v[0].name, "node0");
	assert_string_equal(set.v[1].name, "node1");
	assert_string_equal(set.v[2].name, "local");
	/* node0 pinned linux/amd64: that is all it builds now */
	ASSERT_STRVEC(&set.v[0].platforms, "linux/amd64");
	ASSERT_STRVEC(&set.v[0].native, "linux/amd64");
	ASSERT_STRVEC(&set.v[1].platforms, "linux/arm64", "linux/arm/v7",
		      "linux/arm/v6");
	ASSERT_STRVEC(&set.v[1].native, "linux/arm64");
	ASSERT_STRVEC(&set.v[2].platforms, "linux/riscv64");
	ASSERT_STRVEC(&set.v[2].native, "linux/riscv64");
	/* running it again keeps everything */
	assert_int_equal(nodes_filter_usable(&set), 3);
	nodeset_release(&set);
}

/* A docker-container builder as the test bed makes one: inspect (trimmed
 * of labels and GC rules) and its store entry, as buildx v0.35 writes
 * them; one node on the current docker host, one through a context, one
 * stopped, one on a docker host the run does not talk to. */
static const char inspect_dc[] =
	"Name:          dc\n"
	"Driver:        docker-container\n"
	"Last Activity: 2026-12-02 16:33:08 +0000 UTC\n"
	"\n"
	"Nodes:\n"
	"Name:                  node0\n"
	"Endpoint:              unix:///tmp/dbake-dc/docker.sock\n"
	"Driver Options:        image=\"127.0.0.1:41339/dbake/buildkit:v0.31.2\" network=\"host\"\n"
	"Status:                running\n"
	"BuildKit daemon flags: --allow-insecure-entitlement network.host\n"
	"BuildKit version:      v0.31.2\n"
	"Platforms:             linux/amd64, linux/amd64/v2, linux/386\n"
	"\n"
	"Name:                  node1\n"
	"Endpoint:              dbake-test-ctx1\n"
	"Status:                running\n"
	"Platforms:             linux/arm64, linux/amd64\n"
	"\n"
	"Name:                  node2\n"
	"Endpoint:              dbake-test-ctx2\n"
	"Status:                stopped\n"
	"\n"
	"Name:                  far\n"
	"Endpoint:              ssh://builder@far.example\n"
	"Status:                running\n"
	"Platforms:             linux/amd64\n";

static const char store_dc[] =
	"{\"Name\": \"dc\", \"Driver\": \"docker-container\", \"Nodes\": ["
	"{\"Name\": \"node0\", \"Endpoint\": \"unix:///tmp/dbake-dc/docker.sock\","
	" \"Platforms\": [], \"DriverOpts\": {\"image\": \"127.0.0.1:41339/dbake/buildkit:v0.31.2\","
	" \"network\": \"host\", \"default-load\": \"true\"},"
	" \"Flags\": [\"--allow-insecure-entitlement\", \"network.host\"], \"Files\": null},"
	"{\"Name\": \"node1\", \"Endpoint\": \"dbake-test-ctx1\", \"Platforms\": null,"
	" \"DriverOpts\": {\"memory\": \"2g\"}, \"Flags\": null, \"Files\": null},"
	"{\"Name\": \"node2\", \"Endpoint\": \"dbake-test-ctx2\", \"Platforms\": null},"
	"{\"Name\": \"far\", \"Endpoint\": \"ssh://builder@far.example\", \"Platforms\": null}"
	"], \"Dynamic\": false}";

static void t_adopt_docker_container(void **state)
{
	(void)state;
	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set, inspect_dc), 0);
	assert_int_equal(nodes_merge_store(&set, store_dc), 0);
	assert_string_equal(set.driver, "docker-container");
	assert_int_equal(nodes_stopped(&set), 1); /* node2 */
	assert_int_equal(nodes_adopt_driver(&set, "unix:///tmp/dbake-dc/docker.sock"),
			 0);
	/* the current docker host: the container by name */
	assert_string_equal(set.v[0].endpoint,
			    "docker-container://buildx_buildkit_node0");
	/* only what a remote builder takes of the options */
	ASSERT_STRVEC(&set.v[0].driver_opts, "default-load=true");
	/* a context: named in the URL, for `docker --context` */
	assert_string_equal(set.v[1].endpoint,
			    "docker-container://buildx_buildkit_node1?context=dbake-test-ctx1");
	assert_int_equal(set.v[1].driver_opts.nr, 0);
	assert_string_equal(set.v[2].endpoint,
			    "docker-container://buildx_buildkit_node2?context=dbake-test-ctx2");
	/* another docker host: through a context of dbake's own */
	char *ctx = docker_context_name("ssh://builder@far.example");
	char *want = xstrfmt("docker-container://buildx_buildkit_far?context=%s",
			     ctx);
	assert_string_equal(set.v[3].endpoint, want);
	assert_string_equal(set.v[3].docker_host, "ssh://builder@far.example");
	assert_null(set.v[0].docker_host);
	assert_null(set.v[1].docker_host);
	/* a name of its own per URL, stable */
	assert_true(starts_with(ctx, "dbake-"));
	char *again = docker_context_name("ssh://builder@far.example");
	char *other = docker_context_name("ssh://builder@near.example");
	assert_string_equal(ctx, again);
	assert_string_not_equal(ctx, other);
	free(ctx);
	free(again);
	free(other);
	free(want);
	fprintf(stderr, "(warnings below are expected)\n");
	assert_int_equal(nodes_filter_usable(&set), 3);
	assert_string_equal(set.v[0].name, "node0");
	assert_string_equal(set.v[1].name, "node1");
	assert_string_equal(set.v[2].name, "far");
	ASSERT_STRVEC(&set.v[1].native, "linux/arm64");
	nodeset_release(&set);

	/* with no DOCKER_HOST, a host URL is not assumed to be the current */
	assert_int_equal(nodes_parse_inspect(&set, inspect_dc), 0);
	assert_int_equal(nodes_adopt_driver(&set, NULL), 0);
	assert_string_equal(set.v[0].docker_host,
			    "unix:///tmp/dbake-dc/docker.sock");
	nodeset_release(&set);

	/* remote builders are left as they are; stopped nodes are theirs */
	assert_int_equal(nodes_parse_inspect(&set, inspect_three), 0);
	assert_int_equal(nodes_stopped(&set), 0);
	assert_int_equal(nodes_adopt_driver(&set, NULL), 0);
	assert_string_equal(set.v[0].endpoint, "tcp://10.0.0.10:1234");
	nodeset_release(&set);

	/* a driver dbake cannot use: one line naming it */
	assert_int_equal(nodes_parse_inspect(&set, "Name: k\nDriver: docker\n"),
			 0);
	struct capture cap;
	capture_fd_begin(&cap, STDERR_FILENO);
	assert_int_equal(nodes_adopt_driver(&set, NULL), -1);
	char *err = capture_end(&cap);
	assert_non_null(strstr(err, "'docker' driver"));
	assert_int_equal(count_lines(err), 1);
	free(err);
	nodeset_release(&set);
}

/* A docker that makes contexts as the real one lays them out (a directory
 * per context holding meta.json) and logs its calls. */
static const char fake_docker[] =
	"#!/bin/sh\n"
	"echo \"$DOCKER_CONFIG $*\" >>\"$FAKE_DOCKER_LOG\"\n"
	"[ \"$1 $2\" = \"context create\" ] || exit 1\n"
	"d=\"$DOCKER_CONFIG/contexts/meta/h-$3\"\n"
	"mkdir -p \"$d\" && printf '{\"Name\":\"%s\"}' \"$3\" >\"$d/meta.json\"\n";

static void t_docker_contexts(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/dbake-test-ctx-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *bin = xstrfmt("%s/bin", tmpl), *user = xstrfmt("%s/user", tmpl);
	char *mine = xstrfmt("%s/mine", tmpl), *log = xstrfmt("%s/log", tmpl);
	char *docker = xstrfmt("%s/docker", bin);
	assert_int_equal(mkdir_p(bin, 0700), 0);
	assert_int_equal(write_file_atomic(docker, fake_docker,
					   sizeof(fake_docker) - 1, 0755), 0);
	/* the user's: a config and two contexts, one with TLS files */
	char *meta_a = xstrfmt("%s/contexts/meta/aaaa", user);
	char *meta_b = xstrfmt("%s/contexts/meta/bbbb", user);
	char *tls_a = xstrfmt("%s/contexts/tls/aaaa", user);
	assert_int_equal(mkdir_p(meta_a, 0700), 0);
	assert_int_equal(mkdir_p(meta_b, 0700), 0);
	assert_int_equal(mkdir_p(tls_a, 0700), 0);
	char *cfg = xstrfmt("%s/config.json", user);
	assert_int_equal(write_file_atomic(cfg, "{\"auths\":{}}", 12, 0600), 0);
	char *old_path = xstrdup(getenv("PATH"));
	char *path = xstrfmt("%s:%s", bin, old_path);
	setenv("PATH", path, 1);
	setenv("FAKE_DOCKER_LOG", log, 1);

	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set, inspect_dc), 0);
	assert_int_equal(nodes_adopt_driver(&set, "unix:///tmp/dbake-dc/docker.sock"),
			 0);
	struct strvec env = STRVEC_INIT;
	assert_int_equal(docker_contexts_ensure(&set, mine, user, &env), 0);
	/* the children's docker config is the mirror */
	char *want_env = xstrfmt("DOCKER_CONFIG=%s", mine);
	assert_true(strvec_has(&env, want_env));
	/* the user's config and contexts are linked, not copied */
	char buf[4096];
	char *link = xstrfmt("%s/config.json", mine);
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, cfg);
	free(link);
	link = xstrfmt("%s/contexts/meta/bbbb", mine);
	n = readlink(link, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, meta_b);
	free(link);
	link = xstrfmt("%s/contexts/tls/aaaa", mine);
	assert_true(readlink(link, buf, sizeof(buf) - 1) > 0);
	free(link);
	/* one context made, in the mirror, for the far node's URL */
	char *logged = read_text_file(log, NULL);
	assert_non_null(logged);
	assert_int_equal(count_lines(logged), 1);
	assert_non_null(strstr(logged, mine));
	assert_non_null(strstr(logged, "--docker host=ssh://builder@far.example"));
	free(logged);
	/* again: nothing to make; a context the user removed is unlinked */
	assert_int_equal(remove_tree(meta_b), 0);
	struct strvec env2 = STRVEC_INIT;
	assert_int_equal(docker_contexts_ensure(&set, mine, user, &env2), 0);
	logged = read_text_file(log, NULL);
	assert_int_equal(count_lines(logged), 1);
	free(logged);
	link = xstrfmt("%s/contexts/meta/bbbb", mine);
	struct stat st;
	assert_int_equal(lstat(link, &st), -1);
	free(link);
	/* the user's dir holds only what it held */
	link = xstrfmt("%s/contexts/meta", user);
	char *cmd = xstrfmt("test \"$(ls '%s')\" = aaaa", link);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(link);
	strvec_clear(&env2);
	nodeset_release(&set);

	/* no node on a host URL: no mirror, nothing in the env */
	struct strvec env3 = STRVEC_INIT;
	char *none = xstrfmt("%s/none", tmpl);
	assert_int_equal(nodes_parse_inspect(&set, inspect_three), 0);
	assert_int_equal(docker_contexts_ensure(&set, none, user, &env3), 0);
	assert_int_equal(env3.nr, 0);
	assert_int_equal(access(none, F_OK), -1);
	nodeset_release(&set);
	free(none);

	setenv("PATH", old_path, 1);
	unsetenv("FAKE_DOCKER_LOG");
	assert_int_equal(remove_tree(tmpl), 0);
	strvec_clear(&env);
	free(want_env);
	free(path);
	free(old_path);
	free(cfg);
	free(meta_a);
	free(meta_b);
	free(tls_a);
	free(docker);
	free(log);
	free(mine);
	free(user);
	free(bin);
}

/* `docker buildx inspect` of a kubernetes builder of one node with three
 * replicas: the node once per pod, as buildx shows it. */
static const char inspect_k8s[] =
	"Name:          k8s\n"
	"Driver:        kubernetes\n"
	"\n"
	"Nodes:\n"
	"Name:                  k8s0\n"
	"Endpoint:              kubernetes:///k8s?deployment=k8s0&kubeconfig=%2Ftmp%2Fkube+x%2Fconfig\n"
	"Driver Options:        namespace=\"dbake\" replicas=\"3\"\n"
	"Status:                running\n"
	"Platforms:             linux/amd64\n"
	"\n"
	"Name:                  k8s0\n"
	"Endpoint:              kubernetes:///k8s?deployment=k8s0&kubeconfig=\n"
	"Status:                running\n"
	"Platforms:             linux/amd64\n"
	"\n"
	"Name:                  k8s0\n"
	"Endpoint:              kubernetes:///k8s?deployment=k8s0&kubeconfig=\n"
	"Status:                running\n"
	"Platforms:             linux/amd64\n"
	"\n"
	"Name:                  k8s_1\n"
	"Endpoint:              kubernetes:///k8s?deployment=k8s-1&kubeconfig=\n"
	"Status:                inactive\n";

static const char store_k8s[] =
	"{\"Name\": \"k8s\", \"Driver\": \"kubernetes\", \"Nodes\": ["
	"{\"Name\": \"k8s0\", \"Endpoint\": \"kubernetes:///k8s?deployment=k8s0&kubeconfig=%2Ftmp%2Fkube+x%2Fconfig\", \"Platforms\": null,"
	" \"DriverOpts\": {\"namespace\": \"dbake\", \"replicas\": \"3\"}},"
	"{\"Name\": \"k8s_1\", \"Endpoint\": \"default\", \"Platforms\": null,"
	" \"DriverOpts\": {\"replicas\": \"2\"}}]}";

/* kubectl get pods -o json, trimmed: a pod of another phase, one being
 * deleted, and the running ones out of order. */
static const char pods_k8s[] =
	"{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": ["
	"{\"metadata\": {\"name\": \"k8s0-7d4b9c8f6d-zx2q9\", \"labels\": {\"app\": \"k8s0\"},"
	" \"ownerReferences\": [{\"kind\": \"ReplicaSet\", \"name\": \"k8s0-7d4b9c8f6d\", \"controller\": true}]},"
	" \"status\": {\"phase\": \"Running\"}},"
	"{\"metadata\": {\"name\": \"k8s0-7d4b9c8f6d-pending\"}, \"status\": {\"phase\": \"Pending\"}},"
	"{\"metadata\": {\"name\": \"k8s0-7d4b9c8f6d-going\", \"deletionTimestamp\": \"2026-12-02T17:00:00Z\"},"
	" \"status\": {\"phase\": \"Running\"}},"
	"{\"metadata\": {\"name\": \"k8s0-7d4b9c8f6d-a1b2c\"}, \"status\": {\"phase\": \"Running\"}},"
	"{\"metadata\": {}, \"status\": {\"phase\": \"Running\"}},"
	"{\"metadata\": {\"name\": \"k8s0-0\", \"ownerReferences\": [{\"kind\": \"StatefulSet\", \"controller\": true}]},"
	" \"status\": {\"phase\": \"Running\"}}"
	"]}";

/* A kubectl that answers `get pods` from $FAKE_PODS and logs its calls. */
static const char fake_kubectl[] =
	"#!/bin/sh\n"
	"echo \"$*\" >>\"$FAKE_KUBECTL_LOG\"\n"
	"case \"$*\" in\n"
	"*app=k8s0*) cat \"$FAKE_PODS\" ;;\n"
	"*) echo 'Error from server (Forbidden): pods is forbidden' >&2; exit 1 ;;\n"
	"esac\n";

static void t_kubernetes(void **state)
{
	(void)state;
	struct strvec pods = STRVEC_INIT, kinds = STRVEC_INIT;
	assert_int_equal(kube_running_pods(pods_k8s, &pods, &kinds), 0);
	ASSERT_STRVEC(&pods, "k8s0-0", "k8s0-7d4b9c8f6d-a1b2c",
		      "k8s0-7d4b9c8f6d-zx2q9");
	ASSERT_STRVEC(&kinds, "StatefulSet", "", "ReplicaSet");
	strvec_clear(&pods);
	strvec_clear(&kinds);
	assert_int_equal(kube_running_pods("{\"kind\": \"Status\"}", &pods, NULL), -1);
	assert_int_equal(kube_running_pods("not json", &pods, NULL), -1);
	assert_int_equal(kube_running_pods("{\"items\": []}", &pods, NULL), 0);
	assert_int_equal(pods.nr, 0);
	char *w = kube_workload_name("k8s_1");
	assert_string_equal(w, "k8s-1");
	free(w);

	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set, inspect_k8s), 0);
	assert_int_equal(set.nr, 4);
	assert_int_equal(nodes_merge_store(&set, store_k8s), 0);
	assert_int_equal(nodes_stopped(&set), 1); /* k8s_1: bootstrap it */
	assert_int_equal(nodes_adopt_driver(&set, NULL), 0);
	/* once per node, with its namespace; options stay behind */
	assert_int_equal(set.nr, 2);
	assert_string_equal(set.v[0].name, "k8s0");
	assert_string_equal(set.v[0].kube_ns, "dbake");
	assert_int_equal(set.v[0].driver_opts.nr, 0);
	assert_null(set.v[1].kube_ns);
	/* the kubeconfig buildx keeps in the endpoint, decoded */
	assert_string_equal(set.kubeconfig, "/tmp/kube x/config");

	char tmpl[] = "/tmp/dbake-test-kube-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *kubectl = xstrfmt("%s/kubectl", tmpl);
	char *log = xstrfmt("%s/log", tmpl), *podfile = xstrfmt("%s/pods", tmpl);
	assert_int_equal(write_file_atomic(kubectl, fake_kubectl,
					   sizeof(fake_kubectl) - 1, 0755), 0);
	assert_int_equal(write_file_atomic(podfile, pods_k8s,
					   sizeof(pods_k8s) - 1, 0600), 0);
	char *old_path = xstrdup(getenv("PATH"));

	/* no kubectl: said before anything else */
	setenv("PATH", "/nonexistent", 1);
	struct capture cap;
	capture_fd_begin(&cap, STDERR_FILENO);
	assert_int_equal(kube_expand(&set), -1);
	char *err = capture_end(&cap);
	assert_non_null(strstr(err, "kubectl"));
	assert_int_equal(count_lines(err), 1);
	free(err);
	assert_int_equal(set.nr, 2);

	char *path = xstrfmt("%s:%s", tmpl, old_path);
	setenv("PATH", path, 1);
	setenv("FAKE_KUBECTL_LOG", log, 1);
	setenv("FAKE_PODS", podfile, 1);
	free(set.v[1].status);
	set.v[1].status = xstrdup("running"); /* as after a bootstrap */
	assert_int_equal(kube_expand(&set), 0);
	/* k8s0's running pods, then k8s_1 whose pods kubectl refused */
	assert_int_equal(set.nr, 4);
	assert_string_equal(set.v[0].name, "k8s0-0");
	assert_string_equal(set.v[1].name, "k8s0-7d4b9c8f6d-a1b2c");
	assert_string_equal(set.v[1].endpoint,
			    "kube-pod://k8s0-7d4b9c8f6d-a1b2c?namespace=dbake"
			    "&container=buildkitd");
	assert_true(set.v[1].pod);
	ASSERT_STRVEC(&set.v[1].platforms, "linux/amd64");
	assert_string_equal(set.v[2].name, "k8s0-7d4b9c8f6d-zx2q9");
	/* a StatefulSet's pod keeps its name: its endpoint is its key; the
	 * others share what history knows of their workload */
	assert_null(set.v[0].history_key);
	assert_string_equal(set.v[1].history_key, "kube-workload://dbake/k8s0");
	assert_string_equal(set.v[2].history_key, "kube-workload://dbake/k8s0");
	assert_string_equal(set.v[3].name, "k8s_1");
	assert_false(set.v[3].pod);
	assert_string_equal(set.v[3].status, "unreachable");
	assert_non_null(strstr(set.v[3].error, "Forbidden"));
	assert_int_equal(kube_pods(&set), 3);
	/* the default platform stays buildx's, whatever the pods' order */
	assert_string_equal(nodes_default_platform(&set), "linux/amd64");
	strvec_clear(&set.v[0].platforms);
	strvec_push(&set.v[0].platforms, "linux/arm64");
	assert_string_equal(nodes_default_platform(&set), "linux/amd64");
	char *logged = read_text_file(log, NULL);
	assert_non_null(strstr(logged, "--namespace=dbake get pods --selector=app=k8s0 --output=json"));
	assert_non_null(strstr(logged, "get pods --selector=app=k8s-1 --output=json"));
	free(logged);
	fprintf(stderr, "(a warning below is expected)\n");
	assert_int_equal(nodes_filter_usable(&set), 3);
	nodeset_release(&set);

	setenv("PATH", old_path, 1);
	unsetenv("FAKE_KUBECTL_LOG");
	unsetenv("FAKE_PODS");
	assert_int_equal(remove_tree(tmpl), 0);
	free(path);
	free(old_path);
	free(kubectl);
	free(log);
	free(podfile);
}

static void t_filter_native(void **state)
{
	(void)state;
	struct nodeset set = NODESET_INIT;
	assert_int_equal(nodes_parse_inspect(&set,
					     "Name: b\nDriver: remote\n\nNodes:\n"
					     "Name:      x86\n"
					     "Endpoint:  tcp://10.0.0.1:1234\n"
					     "Status:    running\n"
					     "Platforms: linux/amd64, linux/amd64/v2, "
					     "linux/amd64/v3, linux/386, linux/arm64, "
					     "linux/riscv64, linux/arm/v7\n"
					     "\n"
					     "Name:      pi\n"
					     "Endpoint:  tcp://10.0.0.2:1234\n"
					     "Status:    running\n"
					     "Platforms: linux/arm64, linux/amd64, "
					     "linux/386, linux/arm/v7\n"
					     "\n"
					     "Name:      pinned\n"
					     "Endpoint:  tcp://10.0.0.3:1234\n"
					     "Status:    running\n"
					     "Platforms: linux/arm64, linux/amd64*, linux/386*\n"),
			 0);
	/* a pin from the store narrows the node the same way */
	assert_int_equal(nodes_merge_store(&set,
					   "{\"Nodes\":[{\"Name\":\"pi\","
					   "\"Platforms\":[{\"os\":\"linux\","
					   "\"architecture\":\"arm64\"}]}]}"),
			 0);
	assert_int_equal(nodes_filter_usable(&set), 3);
	/* its own architecture first, its variants and 386; not emulated ones */
	ASSERT_STRVEC(&set.v[0].native, "linux/amd64", "linux/amd64/v2",
		      "linux/amd64/v3", "linux/386");
	assert_int_equal(set.v[0].platforms.nr, 7);
	ASSERT_STRVEC(&set.v[1].platforms, "linux/arm64");
	ASSERT_STRVEC(&set.v[1].native, "linux/arm64");
	ASSERT_STRVEC(&set.v[2].platforms, "linux/amd64", "linux/386");
	ASSERT_STRVEC(&set.v[2].native, "linux/amd64", "linux/386");

	/* no platforms, no native ones */
	strvec_clear(&set.v[0].platforms);
	node_set_native(&set.v[0]);
	assert_int_equal(set.v[0].native.nr, 0);
	nodeset_release(&set);
}

static struct node mknode(const char *name, const char *endpoint)
{
	struct node n = {
		.name = (char *)name,
		.endpoint = (char *)endpoint,
		.platforms = STRVEC_INIT,
		.native = STRVEC_INIT,
		.pinned = STRVEC_INIT,
		.driver_opts = STRVEC_INIT,
		.flags = STRVEC_INIT,
	};
	return n;
}

static void assert_shard_charset(const char *s)
{
	assert_true(strncmp(s, "dbake-", 6) == 0);
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-'))
			fail_msg("shard name '%s' has '%c'", s, *p);
}

static void t_shard_name(void **state)
{
	(void)state;
	struct node a = mknode("node0", "tcp://10.0.0.10:1234");
	strvec_push(&a.driver_opts, "cacert=/certs/ca.pem");
	strvec_push(&a.pinned, "linux/amd64");
	struct node b = mknode("node0", "tcp://10.0.0.10:1234");
	strvec_push(&b.driver_opts, "cacert=/certs/ca.pem");
	strvec_push(&b.pinned, "linux/amd64");

	char *s1 = shard_name("multi", &a);
	char *s2 = shard_name("multi", &a);
	char *s3 = shard_name("multi", &b);
	assert_string_equal(s1, s2);
	assert_string_equal(s1, s3);
	assert_true(strncmp(s1, "dbake-multi-node0-", 18) == 0);
	assert_int_equal(strlen(s1), 18 + 8);
	assert_shard_charset(s1);

	/* another endpoint */
	b.endpoint = "tcp://10.0.0.11:1234";
	char *s4 = shard_name("multi", &b);
	assert_string_not_equal(s1, s4);
	assert_shard_charset(s4);
	b.endpoint = a.endpoint;

	/* another driver option */
	strvec_clear(&b.driver_opts);
	strvec_push(&b.driver_opts, "cacert=/certs/other-ca.pem");
	char *s5 = shard_name("multi", &b);
	assert_string_not_equal(s1, s5);

	/* one more driver option */
	strvec_clear(&b.driver_opts);
	strvec_push(&b.driver_opts, "cacert=/certs/ca.pem");
	strvec_push(&b.driver_opts, "servername=node0");
	char *s6 = shard_name("multi", &b);
	assert_string_not_equal(s1, s6);

	/* another pinned platform */
	strvec_clear(&b.driver_opts);
	strvec_push(&b.driver_opts, "cacert=/certs/ca.pem");
	char *s7 = shard_name("multi", &b);
	assert_string_equal(s1, s7);
	strvec_push(&b.pinned, "linux/386");
	char *s8 = shard_name("multi", &b);
	assert_string_not_equal(s1, s8);

	/* another builder */
	char *s9 = shard_name("multi2", &a);
	assert_string_not_equal(s1, s9);

	free(s1); free(s2); free(s3); free(s4); free(s5);
	free(s6); free(s7); free(s8); free(s9);
	strvec_clear(&a.driver_opts);
	strvec_clear(&a.pinned);
	strvec_clear(&b.driver_opts);
	strvec_clear(&b.pinned);
}

static void t_shard_name_sanitised(void **state)
{
	(void)state;
	struct node n = mknode("Node.One@Rack 7/ü", "ssh://user@host:22");
	char *s = shard_name("My Builder:Prod", &n);
	assert_shard_charset(s);
	assert_true(strncmp(s, "dbake-my-builder-prod-node-one-rack-7-", 38) == 0);
	free(s);

	/* very long names are cut, the hash keeps them apart */
	struct node l1 = mknode("n-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", "tcp://h:1");
	struct node l2 = mknode("n-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2", "tcp://h:1");
	char *b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	char *x1 = shard_name(b, &l1);
	char *x2 = shard_name(b, &l2);
	assert_shard_charset(x1);
	assert_shard_charset(x2);
	assert_true(strlen(x1) <= 6 + 24 + 1 + 24 + 1 + 8);
	assert_string_not_equal(x1, x2);
	free(x1);
	free(x2);

	/* the same name from different parts differs */
	struct node c1 = mknode("c", "tcp://h:1");
	struct node c2 = mknode("bc", "tcp://h:1");
	char *y1 = shard_name("ab", &c1);
	char *y2 = shard_name("a", &c2);
	assert_string_not_equal(y1 + strlen(y1) - 8, y2 + strlen(y2) - 8);
	free(y1);
	free(y2);
}

/* a shard entry is trusted only when it is what dbake made for the node */
static void t_shard_entry(void **state)
{
	(void)state;
	struct node n = { .name = "n1", .endpoint = "tcp://10.0.0.1:1234" };
	strvec_push(&n.driver_opts, "cacert=/ca.pem");
	strvec_push(&n.pinned, "linux/arm64");
	const char *good =
		"{\"Name\":\"s1\",\"Driver\":\"remote\",\"Nodes\":[{\"Name\":\"s1\","
		"\"Endpoint\":\"tcp://10.0.0.1:1234\",\"Platforms\":[{\"architecture\":"
		"\"arm64\",\"os\":\"linux\"}],\"DriverOpts\":{\"cacert\":\"/ca.pem\"},"
		"\"Flags\":null,\"Files\":null}],\"Dynamic\":false}";
	assert_true(shard_entry_matches(good, "s1", &n));
	assert_false(shard_entry_matches(good, "s2", &n));
	/* pointed elsewhere, damaged, another driver, an option changed */
	struct { const char *from, *to; } bad[] = {
		{ "tcp://10.0.0.1:1234", "tcp://10.6.6.6:1234" },
		{ "\"Dynamic\":false}", "\"Dynamic\":fa" },
		{ "\"remote\"", "\"docker-container\"" },
		{ "\"/ca.pem\"", "\"/evil.pem\"" },
		{ "\"arm64\"", "\"amd64\"" },
		{ "\"Flags\":null", "\"Flags\":[\"--debug\"]" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *at = strstr(good, bad[i].from);
		assert_non_null(at);
		char *t = xstrfmt("%.*s%s%s", (int)(at - good), good, bad[i].to,
				  at + strlen(bad[i].from));
		assert_false(shard_entry_matches(t, "s1", &n));
		free(t);
	}
	/* no options and no pins: null or absent alike */
	struct node m = { .name = "m", .endpoint = "tcp://h:1" };
	assert_true(shard_entry_matches(
		"{\"Name\":\"s\",\"Driver\":\"remote\",\"Nodes\":[{\"Endpoint\":"
		"\"tcp://h:1\",\"Platforms\":null,\"DriverOpts\":null}]}", "s", &m));
	assert_false(shard_entry_matches(
		"{\"Name\":\"s\",\"Driver\":\"remote\",\"Nodes\":[{\"Endpoint\":"
		"\"tcp://h:1\"},{\"Endpoint\":\"tcp://h:2\"}]}", "s", &m));
	strvec_clear(&n.driver_opts);
	strvec_clear(&n.pinned);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_inspect_three_nodes),
		cmocka_unit_test(t_inspect_crlf_and_no_trailing_newline),
		cmocka_unit_test(t_inspect_builder_error),
		cmocka_unit_test(t_inspect_no_name),
		cmocka_unit_test(t_real_inactive_builder),
		cmocka_unit_test(t_merge_store),
		cmocka_unit_test(t_merge_store_flags_variants),
		cmocka_unit_test(t_merge_store_malformed),
		cmocka_unit_test(t_filter_usable),
		cmocka_unit_test(t_filter_native),
		cmocka_unit_test(t_adopt_docker_container),
		cmocka_unit_test(t_docker_contexts),
		cmocka_unit_test(t_kubernetes),
		cmocka_unit_test(t_shard_name),
		cmocka_unit_test(t_shard_name_sanitised),
		cmocka_unit_test(t_shard_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
