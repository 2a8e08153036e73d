#include "compose.h"
#include "../proc.h"
#include "../util/util.h"

#include <errno.h>
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

/* Compose files larger than this are not read (buildx reads them first). */
#define COMPOSE_MAX (16u << 20)

int compose_load_string(struct compose *c, const char *text, size_t len,
			const char *what)
{
	if (len > COMPOSE_MAX)
		return error("compose file '%s' is over 16 MiB", what);
	size_t bad = bad_byte((const unsigned char *)text, len);
	if (bad < len)
		return error("compose file '%s' is not YAML text (byte %zu: 0x%02x)",
			     what, bad, (unsigned char)text[bad]);
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

/* Reading a compose file that takes longer than this is given up: one
 * line, exit 2 (a parser loop must not hang a run, deaf to signals). */
#define COMPOSE_READ_S 10

static void too_slow(int sig)
{
	static const char msg[] = "dbake: a compose file took more than 10 s "
				  "to read; refusing it\n";
	(void)sig;
	proc_kill_all(SIGKILL); /* a buildx inspect may be on its way */
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to say */
	}
	_exit(2);
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
	struct sigaction sa = { .sa_handler = too_slow }, old;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	alarm(COMPOSE_READ_S);
	int ret = compose_load_string(c, sb.buf, sb.len, path);
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
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
