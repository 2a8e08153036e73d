/* Reading buildx's plain and rawjson progress output into step counts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "buildx/progress.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* `docker buildx bake --progress plain` of a three-step Dockerfile. */
static const char build_ok[] =
	"#0 building with \"dbake-multi-node0-1a2b3c4d\" instance using remote driver\n"
	"\n"
	"#1 [internal] load build definition from Dockerfile\n"
	"#1 transferring dockerfile: 112B done\n"
	"#1 DONE 0.0s\n"
	"\n"
	"#2 [internal] load metadata for docker.io/library/alpine:3.20\n"
	"#2 DONE 0.5s\n"
	"\n"
	"#3 [internal] load .dockerignore\n"
	"#3 transferring context: 2B done\n"
	"#3 DONE 0.0s\n"
	"\n"
	"#4 [1/3] FROM docker.io/library/alpine:3.20@sha256:beefdb4f0c2a05d0d7b0e3b8d5c1e6a1f4a8c0d9e2b3c4d5e6f708192a3b4c5d\n"
	"#4 resolve docker.io/library/alpine:3.20@sha256:beefdb4f0c2a05d0d7b0e3b8d5c1e6a1f4a8c0d9e2b3c4d5e6f708192a3b4c5d 0.0s done\n"
	"#4 CACHED\n"
	"\n"
	"#5 [internal] load build context\n"
	"#5 transferring context: 30B done\n"
	"#5 DONE 0.0s\n"
	"\n"
	"#6 [2/3] RUN echo hi\n"
	"#6 0.123 hi\n"
	"#6 0.124 DONE but not really\n"
	"#6 DONE 0.2s\n"
	"\n"
	"#7 [3/3] COPY a /a\n"
	"#7 CACHED\n"
	"\n"
	"#8 exporting to image\n"
	"#8 exporting layers 0.1s done\n"
	"#8 writing image sha256:0123456789abcdef done\n"
	"#8 DONE 0.1s\n";

/* A multi-stage build whose last step fails. */
static const char build_fail[] =
	"#1 [internal] load build definition from Dockerfile\n"
	"#1 DONE 0.0s\n"
	"#4 [stage-1 1/2] FROM docker.io/library/busybox:latest\n"
	"#4 DONE 0.0s\n"
	"#5 [build 1/1] RUN make\n"
	"#5 0.2 cc -o app app.c\n"
	"#6 [stage-1 2/2] RUN false\n"
	"#5 0.9 ok\n"
	"#5 [build 1/1] RUN make\n" /* buildx repeats a title when it switches */
	"#5 DONE 1.1s\n"
	"#6 ERROR: process \"/bin/sh -c false\" did not complete successfully: exit code: 1\n"
	"#7 [stage-1 2/2] COPY --from=build /app /app\n"
	"#7 ERROR: something else later\n"
	"------\n"
	" > [stage-1 2/2] RUN false:\n"
	"------\n"
	"Dockerfile:5\n"
	"--------------------\n"
	"   3 |     FROM busybox AS stage-1\n"
	"   4 | >>> RUN false\n"
	"--------------------\n"
	"ERROR: failed to solve: process \"/bin/sh -c false\" did not complete "
	"successfully: exit code: 1\n";

struct result {
	int steps, done, cached;
	double work;
	char current[160];
	char error[256];
};

static void feed_chunks(struct result *r, const char *buf, size_t len,
			size_t chunk)
{
	struct progress p = PROGRESS_INIT;
	for (size_t off = 0; off < len; off += chunk)
		progress_feed(&p, buf + off, len - off < chunk ? len - off : chunk);
	r->steps = p.steps;
	r->done = p.done;
	r->cached = p.cached;
	r->work = p.work;
	memcpy(r->current, p.current, sizeof(r->current));
	memcpy(r->error, p.error, sizeof(r->error));
	progress_release(&p);
	assert_null(p.seen);
}

static void assert_same(const struct result *a, const struct result *b)
{
	assert_int_equal(a->steps, b->steps);
	assert_int_equal(a->done, b->done);
	assert_int_equal(a->cached, b->cached);
	assert_float_equal(a->work, b->work, 1e-9);
	assert_string_equal(a->current, b->current);
	assert_string_equal(a->error, b->error);
}

static const size_t chunk_sizes[] = { 1, 2, 3, 5, 7, 13, 64, 100, 4096, 1 << 20 };

static void t_build_ok(void **state)
{
	(void)state;
	struct result whole, r;
	feed_chunks(&whole, build_ok, sizeof(build_ok) - 1, sizeof(build_ok));
	assert_int_equal(whole.steps, 3);
	assert_int_equal(whole.done, 3);
	assert_int_equal(whole.cached, 2);
	/* only build steps count: RUN's 0.2s, not the internal 0.5s */
	assert_float_equal(whole.work, 0.2, 1e-9);
	assert_string_equal(whole.current, "[3/3] COPY a /a");
	assert_string_equal(whole.error, "");
	for (size_t i = 0; i < ARRAY_SIZE(chunk_sizes); i++) {
		feed_chunks(&r, build_ok, sizeof(build_ok) - 1, chunk_sizes[i]);
		assert_same(&whole, &r);
	}
}

static void t_build_fail(void **state)
{
	(void)state;
	struct result whole, r;
	feed_chunks(&whole, build_fail, sizeof(build_fail) - 1, sizeof(build_fail));
	assert_int_equal(whole.steps, 4); /* #4 #5 #6 #7, #5 once */
	assert_int_equal(whole.done, 2);  /* #4 #5 */
	assert_float_equal(whole.work, 1.1, 1e-9);
	assert_int_equal(whole.cached, 0);
	assert_string_equal(whole.current, "[stage-1 2/2] COPY --from=build /app /app");
	/* the first ERROR line, without its prefix */
	assert_string_equal(whole.error,
			    "process \"/bin/sh -c false\" did not complete "
			    "successfully: exit code: 1");
	for (size_t i = 0; i < ARRAY_SIZE(chunk_sizes); i++) {
		feed_chunks(&r, build_fail, sizeof(build_fail) - 1, chunk_sizes[i]);
		assert_same(&whole, &r);
	}
}

/* A node that cannot be reached: no step ran, buildx's own ERROR line
 * is the reason; a step's error, when there is one, comes first. */
/* A lost BuildKit, in buildx's words, against failures that are the
 * build's own: a registry refusing a push, a step's network error. */
static void t_node_lost(void **state)
{
	(void)state;
	assert_true(progress_node_lost("failed to solve: Unavailable: error reading from server: EOF"));
	assert_true(progress_node_lost("failed to solve: Unavailable: connection error: desc = \"transport: Error while dialing: dial tcp 127.0.0.1:1: connect: connection refused\""));
	assert_true(progress_node_lost("rpc error: code = Unavailable desc = transport is closing"));
	assert_false(progress_node_lost("failed to solve: failed to push 127.0.0.1:5000/app:v1: failed to do request: Head \"http://127.0.0.1:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused"));
	assert_false(progress_node_lost("process \"/bin/sh -c curl http://x\" did not complete successfully: exit code: 7"));
	assert_false(progress_node_lost("failed to resolve source metadata for docker.io/library/alpine: i/o timeout"));
	assert_false(progress_node_lost(""));
	assert_false(progress_node_lost(NULL));
}

static void t_bake_level_error(void **state)
{
	(void)state;
	static const char unreachable[] =
		"#1 [internal] load build definition from Dockerfile\n"
		"ERROR: failed to solve: Unavailable: connection error: desc = "
		"\"transport: Error while dialing: dial tcp 127.0.0.1:1: connect: "
		"connection refused\"\n";
	struct result r;
	feed_chunks(&r, unreachable, sizeof(unreachable) - 1,
		    sizeof(unreachable));
	assert_int_equal(r.steps, 0);
	assert_non_null(strstr(r.error, "failed to solve: Unavailable"));
	assert_non_null(strstr(r.error, "connection refused"));
}

static void t_multi_platform_titles(void **state)
{
	(void)state;
	static const char text[] =
		"#3 [linux/arm64 internal] load metadata for docker.io/library/alpine:latest\n"
		"#3 DONE 0.4s\n"
		"#4 [linux/amd64/v2 internal] load metadata for docker.io/library/alpine:latest\n"
		"#4 DONE 0.4s\n"
		"#7 [linux/amd64 1/2] FROM docker.io/library/alpine:latest\n"
		"#7 CACHED\n"
		"#8 [linux/arm64 1/2] FROM docker.io/library/alpine:latest\n"
		"#8 CACHED\n"
		"#9 [linux/arm/v7 build 2/2] RUN echo hi\n"
		"#9 DONE 0.3s\n"
		"#10 [linux/amd64 2/2] RUN echo hi\n"
		"#10 0.101 hi\n";
	struct result r;
	feed_chunks(&r, text, sizeof(text) - 1, 4096);
	assert_int_equal(r.steps, 4);
	assert_int_equal(r.done, 3);
	assert_int_equal(r.cached, 2);
	assert_string_equal(r.current, "[linux/amd64 2/2] RUN echo hi");
}

static void t_crlf_nul_invalid_utf8(void **state)
{
	(void)state;
	static const char text[] =
		"#1 [1/4] FROM alpine\r\n"
		"#1 DONE 0.1s\r\n"
		"#2 [2/4] RUN printf '\xff\xfe\xc3('\r\n"
		"#2 0.1 \xff\xff\xff\x00\x01\x1b[31mred\x1b[0m\r\n"
		"#2 DONE\r\n"
		"\x00#3 [3/4] RUN nul-before-hash\n"
		"#3\x00[3/4] RUN nul-after-number\n"
		"#4 [3/4] RUN a\x00" "b\tc\x7f\n"
		"#4 CACHED\r\n"
		"#\xff [1/1] bad number\n"
		"\xc3\x28#5 [1/1] junk before hash\n"
		"#5 ERROR: bad \xff\xfe bytes \x00 and\tcontrols\r\n";
	struct result whole, r;
	feed_chunks(&whole, text, sizeof(text) - 1, sizeof(text));
	assert_int_equal(whole.steps, 3); /* #1 #2 #4 */
	assert_int_equal(whole.done, 3);
	assert_int_equal(whole.cached, 1);
	/* control bytes (NUL, tab, DEL, CR) become spaces, the rest is kept */
	assert_string_equal(whole.current, "[3/4] RUN a b c ");
	assert_string_equal(whole.error, "bad \xff\xfe bytes   and controls ");
	for (size_t i = 0; i < ARRAY_SIZE(chunk_sizes); i++) {
		feed_chunks(&r, text, sizeof(text) - 1, chunk_sizes[i]);
		assert_same(&whole, &r);
	}
	for (size_t k = 0; k < sizeof(whole.current) && whole.current[k]; k++)
		assert_true((unsigned char)whole.current[k] >= 0x20);
}

static void t_odd_lines(void **state)
{
	(void)state;
	struct progress p = PROGRESS_INIT;
	const char *lines[] = {
		"", "#", "#5", "#5 ", "##5 [1/2] x", "# 5 [1/2] x", "#x [1/2] x",
		"#5[1/2] x", "5 [1/2] x", "#5 [internal] load", "#5 [a/b] x",
		"#5 [1/] x", "#5 [/2] x", "#5 [12] x", "#5 [1/2 x", "#5 DONE",
		"#5 CACHED", "#5 ERROR:", "#5 DON", "#5 CACHE",
		"#1234567890123456789012 [1/2] huge vertex",
		"#100001 [1/2] just too big",
		"#99999999999999999 [1/2] overflowing",
	};
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		progress_line(&p, lines[i], strlen(lines[i]));
	assert_int_equal(p.steps, 0);
	assert_int_equal(p.done, 0);
	assert_int_equal(p.cached, 0);
	assert_string_equal(p.error, "");

	/* a large vertex number that is still accepted */
	progress_line(&p, "#100000 [1/2] big", 17);
	progress_line(&p, "#100000 DONE 1s", 15);
	progress_line(&p, "#100000 DONE 1s", 15);
	progress_line(&p, "#100000 CACHED", 14);
	assert_int_equal(p.steps, 1);
	assert_int_equal(p.done, 1);
	assert_int_equal(p.cached, 0);
	/* the title again does not count again */
	progress_line(&p, "#100000 [1/2] big", 17);
	assert_int_equal(p.steps, 1);
	/* len is honoured: no reading past it */
	progress_line(&p, "#7 [1/2] RUN xyz", 5);
	assert_int_equal(p.steps, 1);
	progress_release(&p);
}

static void t_giant_line(void **state)
{
	(void)state;
	size_t big = 8u << 20;
	char *junk = xmalloc(big);
	memset(junk, 'x', big);
	struct progress p = PROGRESS_INIT;
	progress_feed(&p, "#1 [1/2] FROM alpine\n#1 DONE 0.1s\n", 34);
	/* no newline for megabytes, in pieces */
	for (size_t off = 0; off < big; off += 65536)
		progress_feed(&p, junk, 65536);
	assert_true(p.line.len <= 2 * 65536);
	progress_feed(&p, "\n", 1);
	assert_int_equal(p.line.len, 0);
	/* a giant step line, title cut to the field */
	progress_feed(&p, "#2 [2/2] RUN ", 13);
	for (size_t off = 0; off < big; off += 65536)
		progress_feed(&p, junk, 65536);
	progress_feed(&p, "\n#2 DONE 5s\n", 12);
	assert_int_equal(p.steps, 2);
	assert_int_equal(p.done, 2);
	assert_int_equal(strlen(p.current), sizeof(p.current) - 1);
	assert_true(strncmp(p.current, "[2/2] RUN xxx", 13) == 0);
	/* one feed holding a giant line and its newline */
	junk[0] = '#';
	junk[1] = '3';
	junk[2] = ' ';
	junk[3] = 'E';
	junk[4] = 'R';
	junk[5] = 'R';
	junk[6] = 'O';
	junk[7] = 'R';
	junk[8] = ':';
	junk[9] = ' ';
	junk[big - 1] = '\n';
	progress_feed(&p, junk, big);
	assert_int_equal(strlen(p.error), sizeof(p.error) - 1);
	assert_int_equal(p.line.len, 0);
	/* and still counting afterwards */
	progress_feed(&p, "#4 [1/1] RUN after\n#4 CACHED\n", 29);
	assert_int_equal(p.steps, 3);
	assert_int_equal(p.cached, 1);
	progress_release(&p);
	free(junk);
}

/* `--progress rawjson`: SolveStatus lines as buildx writes them (the
 * shape of a real build's, digests shortened), ending in bake's text. */
static const char build_json[] =
	"{\"vertexes\":[{\"digest\":\"sha256:aa\",\"name\":\"[internal] load build definition from Dockerfile\",\"started\":\"2026-12-02T16:20:28.291410037Z\"}]}\n"
	"{\"statuses\":[{\"id\":\"reading docker-bake.hcl\",\"vertex\":\"sha256:aa\",\"total\":80,\"current\":0,\"timestamp\":\"0001-01-01T00:00:00Z\"}]}\n"
	"{\"vertexes\":[{\"digest\":\"sha256:aa\",\"name\":\"[internal] load build definition from Dockerfile\",\"started\":\"2026-12-02T16:20:28.291410037Z\",\"completed\":\"2026-12-02T16:20:28.293386736Z\"}]}\n"
	"{\"vertexes\":[{\"digest\":\"sha256:bb\",\"inputs\":[\"sha256:aa\"],\"name\":\"[base 1/2] COPY a /a\",\"started\":\"2026-12-02T17:20:28.5+01:00\"}]}\n"
	"{\"vertexes\":[{\"digest\":\"sha256:cc\",\"name\":\"[base 2/2] RUN true\",\"cached\":true,\"started\":\"2026-12-02T16:20:28.6Z\",\"completed\":\"2026-12-02T16:20:28.6Z\"}]}\n"
	"{\"vertexes\":[{\"digest\":\"sha256:bb\",\"inputs\":[\"sha256:aa\"],\"name\":\"[base 1/2] COPY a /a\",\"started\":\"2026-12-02T17:20:28.5+01:00\",\"completed\":\"2026-12-02T16:20:29.75Z\"}]}\n"
	"{\"vertexes\":[{\"digest\":\"sha256:bb\",\"name\":\"[base 1/2] COPY a /a\",\"started\":\"2026-12-02T17:20:28.5+01:00\",\"completed\":\"2026-12-02T16:20:29.75Z\"}]}\n"
	"{\"vertexes\":[{\"digest\":\"sha256:dd\",\"name\":\"[stage-1 1/1] RUN exit 3\",\"started\":\"2026-12-02T16:20:30Z\"}]}\n"
	"{\"logs\":[{\"vertex\":\"sha256:dd\",\"stream\":2,\"data\":\"aGkK\",\"timestamp\":\"2026-12-02T16:20:30.1Z\"}]}\n"
	"{\"vertexes\":[{\"digest\":\"sha256:dd\",\"name\":\"[stage-1 1/1] RUN exit 3\",\"started\":\"2026-12-02T16:20:30Z\",\"completed\":\"2026-12-02T16:20:30.5Z\",\"error\":\"process \\\"/bin/sh -c exit 3\\\" did not complete successfully: exit code: 3\"}]}\n"
	"{\"vertexes\":[{\"digest\":\"sha256:ee\",\"name\":\"[stage-1 1/1] RUN\n"
	"{\"vertexes\":[{\"name\":\"[9/9] no digest\"}], \"x\":[1,2,{}]}\n"
	"{\"vertexes\":\"[1/1] not an array\"}\n"
	"{}\n"
	"ERROR: failed to solve: process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3\n";

static void t_rawjson(void **state)
{
	(void)state;
	struct result whole;
	feed_chunks(&whole, build_json, sizeof(build_json) - 1,
		    sizeof(build_json));
	assert_int_equal(whole.steps, 3); /* bb cc dd, bb once */
	assert_int_equal(whole.done, 2);  /* bb cc: dd failed */
	assert_int_equal(whole.cached, 1);
	assert_float_equal(whole.work, 1.25, 1e-6); /* bb, across zones */
	assert_string_equal(whole.current, "[stage-1 1/1] RUN exit 3");
	assert_string_equal(whole.error, "process \"/bin/sh -c exit 3\" did "
			    "not complete successfully: exit code: 3");
	for (size_t i = 0; i < ARRAY_SIZE(chunk_sizes); i++) {
		struct result r;
		feed_chunks(&r, build_json, sizeof(build_json) - 1,
			    chunk_sizes[i]);
		assert_same(&whole, &r);
	}
	/* a finished step's late repeat does not make it current again */
	struct progress p = PROGRESS_INIT;
	const char *late =
		"{\"vertexes\":[{\"digest\":\"sha256:1\",\"name\":\"[1/2] RUN a\",\"started\":\"2026-12-02T16:20:30Z\",\"completed\":\"2026-12-02T16:20:31Z\"}]}\n"
		"{\"vertexes\":[{\"digest\":\"sha256:2\",\"name\":\"[2/2] RUN b\",\"started\":\"2026-12-02T16:20:31Z\"}]}\n"
		"{\"vertexes\":[{\"digest\":\"sha256:1\",\"name\":\"[1/2] RUN a\",\"started\":\"2026-12-02T16:20:30Z\",\"completed\":\"2026-12-02T16:20:31Z\"}]}\n"
		"{\"vertexes\":[{\"digest\":\"sha256:3\",\"name\":\"[x 1/1] RUN c\",\"started\":\"bad time\",\"completed\":\"2026-12-02T16:20:31Z\"}]}\n";
	progress_feed(&p, late, strlen(late));
	assert_string_equal(p.current, "[x 1/1] RUN c");
	assert_int_equal(p.steps, 3);
	assert_int_equal(p.done, 2);
	assert_float_equal(p.work, 1.0, 1e-6); /* c's time is unknown */
	progress_release(&p);
	assert_null(p.digests);
}

/* When the build context is there: "[internal] load build context"
 * done, in plain and in rawjson; a prefixed one (a bake of several
 * targets) too; not a step of that name, nor the .dockerignore. */
static void t_context_sent(void **state)
{
	(void)state;
	struct progress p = PROGRESS_INIT;
	const char *plain =
		"#3 [internal] load .dockerignore\n"
		"#3 DONE 0.0s\n"
		"#4 [1/2] RUN echo load build context\n"
		"#4 DONE 0.1s\n"
		"#5 [internal] load build context\n"
		"#5 transferring context: 52.44MB 1.0s\n";
	progress_feed(&p, plain, strlen(plain));
	assert_false(p.context_sent);
	assert_int_equal(p.steps, 1);
	progress_feed(&p, "#5 DONE 1.1s\n", 13);
	assert_true(p.context_sent);
	assert_int_equal(p.steps, 1); /* not a step */
	assert_float_equal(p.work, 0.1, 1e-9);
	progress_release(&p);

	p = (struct progress)PROGRESS_INIT;
	progress_feed(&p, "#7 [web internal] load build context\n#7 DONE 0.2s\n",
		      50);
	assert_true(p.context_sent);
	progress_release(&p);

	p = (struct progress)PROGRESS_INIT;
	const char *json =
		"{\"vertexes\":[{\"digest\":\"sha256:c\",\"name\":\"[internal] load build context\",\"started\":\"2026-12-02T16:20:30Z\"}]}\n";
	progress_feed(&p, json, strlen(json));
	assert_false(p.context_sent);
	const char *done =
		"{\"vertexes\":[{\"digest\":\"sha256:c\",\"name\":\"[internal] load build context\",\"started\":\"2026-12-02T16:20:30Z\",\"completed\":\"2026-12-02T16:20:31Z\"}]}\n";
	progress_feed(&p, done, strlen(done));
	assert_true(p.context_sent);
	assert_int_equal(p.steps, 0);
	progress_release(&p);
}

/* A build has begun its work on the node once it runs a step not
 * found cached, sends its context or exports; a FROM found cached is
 * resolved before a RUN waits for its turn in the node's queue. */
static void t_begun(void **state)
{
	(void)state;
	struct progress p = PROGRESS_INIT;
	const char *queued =
		"#1 [internal] load local bake definitions\n#1 DONE 0.0s\n"
		"#2 [internal] load build definition from Dockerfile\n"
		"#2 DONE 0.0s\n";
	progress_feed(&p, queued, strlen(queued));
	assert_false(progress_begun(&p));
	const char *from = "#4 [1/2] FROM base@sha256:0123\n";
	progress_feed(&p, from, strlen(from));
	assert_true(progress_begun(&p)); /* resolving */
	progress_feed(&p, "#4 CACHED\n", 10);
	assert_false(progress_begun(&p));
	const char *run = "#6 [2/2] RUN make\n";
	progress_feed(&p, run, strlen(run));
	assert_true(progress_begun(&p));
	progress_release(&p);

	/* a cached build that sends its context, or exports */
	const char *ends[] = {
		"#5 [internal] load build context\n",
		"#6 [2/2] RUN make\n#6 CACHED\n#7 exporting to image\n",
		"{\"vertexes\":[{\"digest\":\"sha256:e\",\"name\":\"exporting to client directory\",\"started\":\"2026-12-02T16:20:30Z\"}]}\n",
	};
	for (size_t i = 0; i < sizeof(ends) / sizeof(*ends); i++) {
		p = (struct progress)PROGRESS_INIT;
		progress_feed(&p, queued, strlen(queued));
		progress_feed(&p, from, strlen(from));
		progress_feed(&p, "#4 CACHED\n", 10);
		assert_false(progress_begun(&p));
		progress_feed(&p, ends[i], strlen(ends[i]));
		if (!progress_begun(&p))
			fail_msg("not begun after %s", ends[i]);
		progress_release(&p);
	}
}

/* One of several targets of a bake: its own steps are those named for
 * it ("[t1 2/2] RUN ..."), not t10's; plain and rawjson. */
static void t_own_steps(void **state)
{
	(void)state;
	const char *plain =
		"#1 [internal] load local bake definitions\n"
		"#1 DONE 0.0s\n"
		"#2 [t1 internal] load build definition from Dockerfile\n"
		"#2 DONE 0.4s\n"
		"#3 [t1 1/2] FROM reg/base\n"
		"#3 CACHED\n"
		"#4 [t10 2/2] RUN sleep 5\n"
		"#5 [t1 2/2] RUN sleep 3\n"
		"#5 DONE 3.0s\n"
		"#4 DONE 5.0s\n"
		"#6 [t1] exporting to image\n"
		"#6 DONE 0.3s\n";
	static const char *const names[] = { "t1", "t10", "t", NULL };
	static const double own[] = { 3.0, 5.0, 0, 0 };
	static const int own_done[] = { 2, 1, 0, 0 };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct progress p = PROGRESS_INIT;
		p.target = names[i];
		progress_feed(&p, plain, strlen(plain));
		assert_int_equal(p.steps, 3);
		assert_float_equal(p.work, 8.0, 1e-9);
		assert_int_equal(p.own_done, own_done[i]);
		assert_float_equal(p.own_work, own[i], 1e-9);
		progress_release(&p);
	}
	const char *json =
		"{\"vertexes\":[{\"digest\":\"sha256:a\",\"name\":\"[web 2/2] RUN a\",\"started\":\"2026-12-02T16:20:30Z\",\"completed\":\"2026-12-02T16:20:32Z\"},"
		"{\"digest\":\"sha256:b\",\"name\":\"[api 2/2] RUN b\",\"started\":\"2026-12-02T16:20:30Z\",\"completed\":\"2026-12-02T16:20:31Z\"}]}\n";
	struct progress p = PROGRESS_INIT;
	p.target = "web";
	progress_feed(&p, json, strlen(json));
	assert_int_equal(p.own_done, 1);
	assert_float_equal(p.own_work, 2.0, 1e-9);
	assert_float_equal(p.work, 3.0, 1e-9);
	progress_release(&p);
}

static void t_partial_last_line(void **state)
{
	(void)state;
	struct progress p = PROGRESS_INIT;
	progress_feed(&p, "#1 [1/1] RUN x\n#1 DO", 20);
	assert_int_equal(p.steps, 1);
	assert_int_equal(p.done, 0); /* not a line yet */
	progress_feed(&p, "NE 0.1s", 7);
	assert_int_equal(p.done, 0);
	progress_feed(&p, "\n", 1);
	assert_int_equal(p.done, 1);
	progress_feed(&p, "", 0);
	progress_feed(&p, "\n\n\n", 3);
	assert_int_equal(p.done, 1);
	progress_release(&p);
	/* release twice is harmless */
	progress_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_build_ok),
		cmocka_unit_test(t_build_fail),
		cmocka_unit_test(t_multi_platform_titles),
		cmocka_unit_test(t_crlf_nul_invalid_utf8),
		cmocka_unit_test(t_odd_lines),
		cmocka_unit_test(t_giant_line),
		cmocka_unit_test(t_bake_level_error),
		cmocka_unit_test(t_node_lost),
		cmocka_unit_test(t_partial_last_line),
		cmocka_unit_test(t_rawjson),
		cmocka_unit_test(t_context_sent),
		cmocka_unit_test(t_begun),
		cmocka_unit_test(t_own_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
