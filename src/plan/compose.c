#include "compose.h"
#include "../util/util.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <poll.h>
#include <jansson.h>
#include <signal.h>
#include <unistd.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int is_compose_file(const char *path)
{
	return ends_with(path, ".yml") || ends_with(path, ".yaml");
}

static struct compose_service *service_get(struct compose *c, const char *name)
{
	for (size_t i = 0; i < c->nr; i++)
		if (!strcmp(c->v[i].name, name))
			return &c->v[i];
	ALLOC_GROW(c->v, c->nr + 1, c->alloc);
	struct compose_service *s = &c->v[c->nr++];
	memset(s, 0, sizeof(*s)); /* has_build starts unset */
	s->name = xstrdup(name);
	strvec_init(&s->profiles);
	strvec_init(&s->depends_on);
	return s;
}

static char *scalar(struct fy_node *n)
{
	size_t len;
	const char *s = n && fy_node_is_scalar(n) ? fy_node_get_scalar(n, &len)
						  : NULL;
	return s ? xstrndup(s, len) : NULL;
}

/* depends_on is a list of names or a map from name to conditions. */
static void read_names(struct strvec *out, struct fy_node *n)
{
	void *iter = NULL;
	if (!n)
		return;
	if (fy_node_is_sequence(n)) {
		struct fy_node *item;
		while ((item = fy_node_sequence_iterate(n, &iter))) {
			char *s = scalar(item);
			if (s && !strvec_has(out, s))
				strvec_push(out, s);
			free(s);
		}
	} else if (fy_node_is_mapping(n)) {
		struct fy_node_pair *p;
		while ((p = fy_node_mapping_iterate(n, &iter))) {
			char *s = scalar(fy_node_pair_key(p));
			if (s && !strvec_has(out, s))
				strvec_push(out, s);
			free(s);
		}
	}
}

static int load_doc(struct compose *c, struct fy_document *doc,
		    const char *what)
{
	struct fy_node *root = fy_document_root(doc);
	if (!root || !fy_node_is_mapping(root))
		return error("compose file '%s' is not a mapping", what);
	struct fy_node *services = fy_node_mapping_lookup_by_string(
		root, "services", (size_t)-1);
	c->loaded = 1;
	if (!services)
		return 0;
	if (!fy_node_is_mapping(services))
		return error("compose file '%s': services is not a mapping", what);
	void *iter = NULL;
	struct fy_node_pair *p;
	while ((p = fy_node_mapping_iterate(services, &iter))) {
		char *name = scalar(fy_node_pair_key(p));
		struct fy_node *svc = fy_node_pair_value(p);
		if (!name)
			continue;
		struct compose_service *s = service_get(c, name);
		free(name);
		if (!svc || !fy_node_is_mapping(svc))
			continue;
		if (fy_node_mapping_lookup_by_string(svc, "build", (size_t)-1))
			s->has_build = 1;
		read_names(&s->profiles, fy_node_mapping_lookup_by_string(
						 svc, "profiles", (size_t)-1));
		read_names(&s->depends_on, fy_node_mapping_lookup_by_string(
						   svc, "depends_on", (size_t)-1));
	}
	c->loaded = 1;
	return 0;
}

/* libfyaml's diagnostics: the first error's text kept, nothing printed */
static void keep_first(struct fy_diag *diag, void *user, const char *buf,
		       size_t len)
{
	struct strbuf *sb = user;
	(void)diag;
	if (sb->len)
		return;
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;
	/* "<memory-@0x...>:1:2: error: what": the position, then what */
	size_t skip = 9;
	const char *p = memmem(buf, n, ": error: ", 9);
	if (!p) {
		p = memmem(buf, n, ": warning: ", 11);
		skip = 11;
	}
	const char *at = memchr(buf, '>', n);
	if (p && at && at < p && at[1] == ':') {
		strbuf_add(sb, "line ", 5);
		strbuf_add(sb, at + 2, (size_t)(p - at - 2));
		strbuf_add(sb, ": ", 2);
		strbuf_add(sb, p + skip, n - (size_t)(p + skip - buf));
	} else {
		strbuf_add(sb, buf, n);
	}
	strbuf_trim(sb);
}

/*
 * Where text stops being what a YAML parser should be given: an invalid
 * UTF-8 sequence or a control character YAML does not allow (libfyaml
 * 0.7 loops for ever on "%\xffa"). len when all is well.
 */
static size_t bad_byte(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char b = s[i];
		size_t n = b < 0x80 ? 1 : (b & 0xe0) == 0xc0 ? 2
			   : (b & 0xf0) == 0xe0 ? 3 : (b & 0xf8) == 0xf0 ? 4 : 0;
		if (!n || (n == 2 && b < 0xc2) || i + n > len)
			return i;
		if (n == 1 && b < 0x20 && b != '\t' && b != '\n' && b != '\r')
			return i;
		if (b == 0x7f)
			return i;
		for (size_t k = 1; k < n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
		i += n;
	}
	return len;
}

/*
 * The line of the first YAML directive ("%..." at a line's start) that
 * is not a plain %YAML or %TAG one in ASCII, or 0. libfyaml 0.7 loops
 * for ever on some ("%" then non-ASCII letters: found by tests/fuzz);
 * a compose file has no use for any but these.
 */
static size_t bad_directive(const char *s, size_t len)
{
	size_t line = 1;
	/* YAML breaks lines at \n, \r\n and a lone \r */
	for (size_t i = 0; i < len; line++) {
		size_t end = i;
		while (end < len && s[end] != '\n' && s[end] != '\r')
			end++;
		if (s[i] == '%') {
			int ok = (end - i > 6 && !strncmp(s + i, "%YAML ", 6)) ||
				 (end - i > 5 && !strncmp(s + i, "%TAG ", 5));
			for (size_t k = i; ok && k < end; k++)
				ok = (s[k] >= 0x20 && s[k] < 0x7f) || s[k] == '\t';
			if (!ok)
				return line;
		}
		i = end + (end + 1 < len && s[end] == '\r' && s[end + 1] == '\n'
				   ? 2 : 1);
	}
	return 0;
}

/* Compose files larger than this are not read (buildx reads them first). */
#define COMPOSE_MAX (16u << 20)

int compose_check_text(const char *text, size_t len, const char *what)
{
	if (len > COMPOSE_MAX)
		return error("compose file '%s' is over 16 MiB", what);
	size_t bad = bad_byte((const unsigned char *)text, len);
	if (bad < len)
		return error("compose file '%s' is not YAML text (byte %zu: 0x%02x)",
			     what, bad, (unsigned char)text[bad]);
	size_t dline = bad_directive(text, len);
	if (dline)
		return error("compose file '%s', line %zu: a YAML directive other "
			     "than %%YAML or %%TAG", what, dline);
	return 0;
}

int compose_load_string(struct compose *c, const char *text, size_t len,
			const char *what)
{
	if (compose_check_text(text, len, what) < 0)
		return -1;
	struct strbuf why = STRBUF_INIT;
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = keep_first;
	dcfg.user = &why;
	dcfg.colorize = dcfg.show_source = dcfg.show_position = 0;
	dcfg.show_type = dcfg.show_module = 0;
	dcfg.level = FYET_ERROR;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	struct fy_parse_cfg cfg = {
		.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_AUTO,
		.diag = diag,
	};
	struct fy_document *doc = fy_document_build_from_string(&cfg, text, len);
	if (diag)
		fy_diag_destroy(diag);
	if (!doc) {
		int ret = why.len ? error("cannot parse compose file '%s': %s",
					  what, why.buf)
				  : error("cannot parse compose file '%s'", what);
		strbuf_release(&why);
		return ret;
	}
	strbuf_release(&why);
	int ret = load_doc(c, doc, what);
	fy_document_destroy(doc);
	return ret;
}

/* Reading a compose file that takes longer than this is given up. */
#define COMPOSE_READ_MS 10000

/* What a child read, as JSON, for its parent (compose_load_isolated). */
static char *to_json(const struct compose *c)
{
	json_t *svcs = json_array();
	for (size_t i = 0; i < c->nr; i++) {
		const struct compose_service *sv = &c->v[i];
		json_t *pr = json_array(), *dep = json_array();
		for (size_t k = 0; k < sv->profiles.nr; k++)
			json_array_append_new(pr, json_string(sv->profiles.v[k]));
		for (size_t k = 0; k < sv->depends_on.nr; k++)
			json_array_append_new(dep, json_string(sv->depends_on.v[k]));
		json_array_append_new(svcs, json_pack("{s:s, s:b, s:o, s:o}", "name",
						      sv->name, "build", sv->has_build,
						      "profiles", pr, "depends_on", dep));
	}
	json_t *doc = json_pack("{s:b, s:o}", "loaded", c->loaded, "services", svcs);
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

static int from_json(struct compose *c, const char *text)
{
	json_t *doc = json_loads(text, 0, NULL);
	if (!json_is_object(doc))
		return -1;
	compose_release(c);
	c->loaded = json_is_true(json_object_get(doc, "loaded"));
	size_t i, k;
	json_t *sv, *v;
	json_array_foreach(json_object_get(doc, "services"), i, sv) {
		const char *name = json_string_value(json_object_get(sv, "name"));
		if (!name)
			continue;
		struct compose_service *s = service_get(c, name);
		s->has_build = json_is_true(json_object_get(sv, "build"));
		json_array_foreach(json_object_get(sv, "profiles"), k, v)
			strvec_push(&s->profiles, json_string_value(v));
		json_array_foreach(json_object_get(sv, "depends_on"), k, v)
			strvec_push(&s->depends_on, json_string_value(v));
	}
	json_decref(doc);
	return 0;
}

int compose_load_isolated(struct compose *c, const char *text, size_t len,
			  const char *what, long long timeout_ms)
{
	/* what never reaches the parser is refused here, without a child */
	if (compose_check_text(text, len, what) < 0)
		return -1;
	int fds[2];
	if (pipe(fds) < 0)
		return error("cannot read compose file '%s': %s", what,
			     strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return error("cannot read compose file '%s': %s", what,
			     strerror(errno));
	}
	if (!pid) {
		/* the child: libfyaml may crash or loop on some input (see
		 * tests/fuzz); only the child goes with it */
		close(fds[0]);
		/* dies as a process does: no handler of the parent's */
		static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
					    SIGABRT, SIGINT, SIGTERM, SIGHUP };
		for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
			signal(sigs[i], SIG_DFL);
		/* never outlives the read, nor dbake (even killed -9) */
		signal(SIGALRM, SIG_DFL);
		alarm((unsigned)(timeout_ms / 1000) + 2);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int ok = compose_load_string(c, text, len, what) == 0;
		char *json = ok ? to_json(c) : NULL;
		if (json)
			write_in_full(fds[1], json, strlen(json));
		_exit(json ? 0 : 2);
	}
	close(fds[1]);
	struct strbuf out = STRBUF_INIT;
	long long deadline = now_ms() + timeout_ms;
	int timed_out = 0;
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		int r = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		char buf[8192];
		ssize_t n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_add(&out, buf, (size_t)n);
	}
	close(fds[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int ret = 0;
	if (timed_out)
		ret = error("compose file '%s' took more than %lld s to read; "
			    "refusing it", what, timeout_ms / 1000);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		ret = -1; /* a parse error: the child said why */
	else if (WIFSIGNALED(status) || WEXITSTATUS(status))
		ret = error("cannot read compose file '%s': the YAML parser "
			    "failed on it (%s %d)", what,
			    WIFSIGNALED(status) ? "signal" : "exit",
			    WIFSIGNALED(status) ? WTERMSIG(status)
						: WEXITSTATUS(status));
	else if (from_json(c, out.buf) < 0)
		ret = error("cannot read compose file '%s'", what);
	strbuf_release(&out);
	return ret;
}

int compose_load_file(struct compose *c, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	if (stat(path, &st) == 0 && st.st_size > (off_t)COMPOSE_MAX)
		return error("compose file '%s' is over 16 MiB", path);
	if (strbuf_read_file(&sb, path) < 0) {
		strbuf_release(&sb);
		return error("cannot read compose file '%s': %s", path,
			     strerror(errno));
	}
	int ret = compose_load_isolated(c, sb.buf, sb.len, path, COMPOSE_READ_MS);
	strbuf_release(&sb);
	return ret;
}

void compose_enabled(const struct compose *c, const struct strvec *profiles,
		     struct strvec *out)
{
	for (size_t i = 0; i < c->nr; i++) {
		const struct compose_service *s = &c->v[i];
		int on = !s->profiles.nr || strvec_has(profiles, "*");
		for (size_t j = 0; j < s->profiles.nr && !on; j++)
			on = strvec_has(profiles, s->profiles.v[j]);
		if (on && s->has_build && !strvec_has(out, s->name))
			strvec_push(out, s->name);
	}
}

char *compose_target_name(const char *service)
{
	char *t = xstrdup(service);
	for (char *p = t; *p; p++)
		if (*p == '.')
			*p = '_';
	return t;
}

void compose_annotate(const struct compose *c, struct plan *plan)
{
	for (size_t i = 0; i < c->nr; i++) {
		char *name = compose_target_name(c->v[i].name);
		struct target *t = plan_find(plan, name);
		free(name);
		if (!t)
			continue;
		strvec_clear(&t->profiles);
		strvec_clear(&t->compose_deps);
		strvec_pushv(&t->profiles, c->v[i].profiles.v);
		for (size_t k = 0; k < c->v[i].depends_on.nr; k++) {
			char *dep = compose_target_name(c->v[i].depends_on.v[k]);
			strvec_push(&t->compose_deps, dep);
			free(dep);
		}
	}
}

void compose_release(struct compose *c)
{
	for (size_t i = 0; i < c->nr; i++) {
		free(c->v[i].name);
		strvec_clear(&c->v[i].profiles);
		strvec_clear(&c->v[i].depends_on);
	}
	free(c->v);
	*c = (struct compose)COMPOSE_INIT;
}
