#include "nodes.h"
#include "contexts.h"
#include "docker.h"
#include "../proc.h"
#include "../sched/platform.h"
#include "../util/util.h"

#include <ctype.h>
#include <signal.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

void node_release(struct node *n)
{
	free(n->name);
	free(n->endpoint);
	free(n->status);
	free(n->error);
	free(n->shard);
	free(n->docker_host);
	free(n->kube_ns);
	free(n->history_key);
	strvec_clear(&n->platforms);
	strvec_clear(&n->native);
	strvec_clear(&n->pinned);
	strvec_clear(&n->driver_opts);
	strvec_clear(&n->flags);
}

void nodeset_release(struct nodeset *set)
{
	for (size_t i = 0; i < set->nr; i++)
		node_release(&set->v[i]);
	free(set->v);
	free(set->builder);
	free(set->driver);
	free(set->error);
	free(set->kubeconfig);
	free(set->default_platform);
	*set = (struct nodeset)NODESET_INIT;
}

void node_move(struct nodeset *set, struct node *n)
{
	ALLOC_GROW(set->v, set->nr + 1, set->alloc);
	set->v[set->nr++] = *n;
}

struct node *node_append(struct nodeset *set)
{
	ALLOC_GROW(set->v, set->nr + 1, set->alloc);
	struct node *n = &set->v[set->nr++];
	memset(n, 0, sizeof(*n));
	strvec_init(&n->platforms);
	strvec_init(&n->native);
	strvec_init(&n->pinned);
	strvec_init(&n->driver_opts);
	strvec_init(&n->flags);
	return n;
}

/* Store a comma-separated platform list; '*' marks a pinned platform. */
static void set_platforms(struct node *n, const char *list)
{
	struct strvec parts = STRVEC_INIT;
	strvec_split(&parts, list, ',');
	for (size_t i = 0; i < parts.nr; i++) {
		char *p = platform_normalize(parts.v[i]);
		if (!p)
			continue;
		if (!strvec_has(&n->platforms, p))
			strvec_push(&n->platforms, p);
		if (strchr(parts.v[i], '*') && !strvec_has(&n->pinned, p))
			strvec_push(&n->pinned, p);
		free(p);
	}
	strvec_clear(&parts);
}

static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

int nodes_parse_inspect(struct nodeset *set, const char *text)
{
	struct node *cur = NULL;
	int in_nodes = 0;
	const char *line = text;

	while (*line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *colon = memchr(line, ':', len);
		/* Indented lines continue a multi-line value (labels, GC). */
		if (colon && len && !isspace((unsigned char)line[0])) {
			char *key = trimmed(line, (size_t)(colon - line));
			char *val = trimmed(colon + 1, len - (size_t)(colon - line) - 1);
			if (!strcmp(key, "Nodes")) {
				in_nodes = 1;
			} else if (!in_nodes) {
				if (!strcmp(key, "Name") && !set->builder)
					set->builder = xstrdup(val);
				else if (!strcmp(key, "Driver") && !set->driver)
					set->driver = xstrdup(val);
				else if (!strcmp(key, "Error") && !set->error)
					set->error = xstrdup(val);
			} else if (!strcmp(key, "Name")) {
				cur = node_append(set);
				cur->name = xstrdup(val);
			} else if (cur && !strcmp(key, "Endpoint")) {
				free(cur->endpoint);
				cur->endpoint = xstrdup(val);
			} else if (cur && !strcmp(key, "Status")) {
				free(cur->status);
				cur->status = xstrdup(val);
			} else if (cur && !strcmp(key, "Error")) {
				free(cur->error);
				cur->error = xstrdup(val);
			} else if (cur && !strcmp(key, "Platforms")) {
				set_platforms(cur, val);
			}
			free(key);
			free(val);
		}
		line += len + (eol ? 1 : 0);
	}
	if (!set->builder)
		return error("cannot read builder name from 'docker buildx inspect'");
	return 0;
}

static struct node *node_by_name(struct nodeset *set, const char *name)
{
	for (size_t i = 0; i < set->nr; i++)
		if (set->v[i].name && !strcmp(set->v[i].name, name))
			return &set->v[i];
	return NULL;
}

char *nodes_store_platform(json_t *p)
{
	const char *os = json_string_value(json_object_get(p, "os"));
	const char *arch = json_string_value(json_object_get(p, "architecture"));
	const char *var = json_string_value(json_object_get(p, "variant"));
	if (!os || !arch)
		return NULL;
	char *raw = var && *var ? xstrfmt("%s/%s/%s", os, arch, var)
				: xstrfmt("%s/%s", os, arch);
	char *p2 = platform_normalize(raw);
	free(raw);
	return p2;
}

int nodes_merge_store(struct nodeset *set, const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		return error("cannot parse builder store entry: %s",
			     doc ? "not a JSON object" : jerr.text);
	}
	json_t *nodes = json_object_get(doc, "Nodes");
	size_t i;
	json_t *jn;
	json_array_foreach(nodes, i, jn) {
		const char *name = json_string_value(json_object_get(jn, "Name"));
		struct node *n = name ? node_by_name(set, name) : NULL;
		if (!n)
			continue;
		const char *ep = json_string_value(json_object_get(jn, "Endpoint"));
		if (ep && *ep) {
			free(n->endpoint);
			n->endpoint = xstrdup(ep);
		}
		const char *key;
		json_t *v;
		json_object_foreach(json_object_get(jn, "DriverOpts"), key, v) {
			if (json_is_string(v))
				strvec_pushf(&n->driver_opts, "%s=%s", key,
					     json_string_value(v));
		}
		size_t j;
		json_array_foreach(json_object_get(jn, "Platforms"), j, v) {
			char *p = nodes_store_platform(v);
			if (p && !strvec_has(&n->pinned, p))
				strvec_push(&n->pinned, p);
			free(p);
		}
		json_array_foreach(json_object_get(jn, "Flags"), j, v) {
			if (json_is_string(v))
				strvec_push(&n->flags, json_string_value(v));
		}
	}
	json_decref(doc);
	return 0;
}

static int is_driver(const struct nodeset *set, const char *driver)
{
	return set->driver && !strcmp(set->driver, driver);
}

/* The remote builder's driver options; the rest make containers or pods. */
static void keep_remote_opts(struct node *n)
{
	static const char *const keep[] = { "default-load=" };
	size_t kept = 0;
	for (size_t i = 0; i < n->driver_opts.nr; i++) {
		int ok = 0;
		for (size_t k = 0; k < ARRAY_SIZE(keep); k++)
			ok |= starts_with(n->driver_opts.v[i], keep[k]);
		if (ok)
			n->driver_opts.v[kept++] = n->driver_opts.v[i];
		else
			free(n->driver_opts.v[i]);
	}
	n->driver_opts.nr = kept;
	if (n->driver_opts.v)
		n->driver_opts.v[kept] = NULL;
}

static void adopt_docker_container(struct node *n, const char *docker_host)
{
	const char *ep = n->endpoint ? n->endpoint : "";
	char *to, *ctx = NULL;
	keep_remote_opts(n);
	if (!strstr(ep, "://")) { /* a docker context */
		ctx = *ep ? xstrdup(ep) : NULL;
	} else if (!docker_host || strcmp(ep, docker_host)) {
		free(n->docker_host);
		n->docker_host = xstrdup(ep);
		ctx = docker_context_name(ep);
	}
	if (ctx)
		to = xstrfmt("docker-container://buildx_buildkit_%s?context=%s",
			     n->name, ctx);
	else
		to = xstrfmt("docker-container://buildx_buildkit_%s", n->name);
	free(ctx);
	free(n->endpoint);
	n->endpoint = to;
}

/* The value of query parameter `key` in a URL, percent-decoded, or NULL. */
static char *url_param(const char *url, const char *key)
{
	const char *q = strchr(url, '?');
	size_t klen = strlen(key);
	while (q && *q) {
		q++;
		if (!strncmp(q, key, klen) && q[klen] == '=') {
			const char *v = q + klen + 1;
			size_t len = strcspn(v, "&");
			struct strbuf sb = STRBUF_INIT;
			for (size_t i = 0; i < len; i++) {
				unsigned hex;
				if (v[i] == '%' && i + 2 < len &&
				    sscanf(v + i + 1, "%2x", &hex) == 1) {
					strbuf_addch(&sb, (int)hex);
					i += 2;
				} else {
					strbuf_addch(&sb, v[i] == '+' ? ' ' : v[i]);
				}
			}
			return strbuf_detach(&sb);
		}
		q = strchr(q, '&');
	}
	return NULL;
}

/* One node per name (inspect lists a node once per replica), its
 * namespace kept; its pods are found later (kube_expand). buildx keeps
 * the kubeconfig of `buildx create` in the endpoint
 * (kubernetes:///B?deployment=D&kubeconfig=PATH) and prefers it to
 * KUBECONFIG; so does dbake. */
static void adopt_kubernetes(struct nodeset *set)
{
	size_t kept = 0;
	for (size_t i = 0; i < set->nr && !set->kubeconfig; i++) {
		const char *ep = set->v[i].endpoint;
		char *kc = ep && starts_with(ep, "kubernetes://")
				   ? url_param(ep, "kubeconfig")
				   : NULL;
		if (kc && *kc)
			set->kubeconfig = kc;
		else
			free(kc);
	}
	for (size_t i = 0; i < set->nr; i++) {
		struct node *n = &set->v[i];
		int dup = 0;
		for (size_t k = 0; k < kept && !dup; k++)
			dup = n->name && set->v[k].name &&
			      !strcmp(n->name, set->v[k].name);
		if (dup) {
			node_release(n);
			continue;
		}
		for (size_t k = 0; k < n->driver_opts.nr && !n->kube_ns; k++)
			if (starts_with(n->driver_opts.v[k], "namespace=") &&
			    n->driver_opts.v[k][10])
				n->kube_ns = xstrdup(n->driver_opts.v[k] + 10);
		keep_remote_opts(n);
		set->v[kept++] = *n;
	}
	set->nr = kept;
}

int nodes_adopt_driver(struct nodeset *set, const char *docker_host)
{
	if (!set->driver || is_driver(set, "remote"))
		return 0;
	if (is_driver(set, "kubernetes")) {
		adopt_kubernetes(set);
		return 0;
	}
	if (!is_driver(set, "docker-container"))
		return error("builder '%s' uses the '%s' driver; dbake works with "
			     "builders of the remote, docker-container and "
			     "kubernetes drivers", set->builder, set->driver);
	for (size_t i = 0; i < set->nr; i++)
		adopt_docker_container(&set->v[i], docker_host);
	return 0;
}

size_t nodes_stopped(const struct nodeset *set)
{
	size_t n = 0;
	if (!is_driver(set, "docker-container") && !is_driver(set, "kubernetes"))
		return 0;
	for (size_t i = 0; i < set->nr; i++)
		if (!set->v[i].status || strcmp(set->v[i].status, "running"))
			n++;
	return n;
}

static int supported_endpoint(const char *ep)
{
	static const char *const schemes[] = {
		"tcp://", "unix://", "docker-container://", "kube-pod://",
		"ssh://",
	};
	for (size_t i = 0; i < ARRAY_SIZE(schemes); i++)
		if (starts_with(ep, schemes[i]))
			return 1;
	return 0;
}

/*
 * A node whose platforms were pinned (buildx create --platform, shown
 * with '*') builds those only: BuildKit always advertises the host's own
 * platforms too, and the pin is how a user says what the node is for.
 */
static void apply_pins(struct node *n)
{
	if (!n->pinned.nr)
		return;
	strvec_clear(&n->platforms);
	strvec_pushv(&n->platforms, n->pinned.v);
}

/* The architecture part of "os/arch[/variant]". */
static size_t arch_of(const char *p, const char **arch)
{
	const char *a = strchr(p, '/');
	*arch = a ? a + 1 : p;
	return strcspn(*arch, "/");
}

/*
 * BuildKit lists a node's own platform first, then whatever else it can
 * run: emulators, or on the test bed the host's platforms. A node builds
 * natively the variants of its first platform's architecture (and 386
 * on amd64); pinned platforms are all native.
 */
void node_set_native(struct node *n)
{
	strvec_clear(&n->native);
	if (!n->platforms.nr)
		return;
	if (n->pinned.nr) {
		strvec_pushv(&n->native, n->platforms.v);
		return;
	}
	const char *first, *arch;
	size_t len = arch_of(n->platforms.v[0], &first);
	for (size_t i = 0; i < n->platforms.nr; i++) {
		size_t l = arch_of(n->platforms.v[i], &arch);
		int same = l == len && !strncmp(arch, first, len);
		int x86 = len == 5 && !strncmp(first, "amd64", 5) && l == 3 &&
			  !strncmp(arch, "386", 3);
		if (same || x86)
			strvec_push(&n->native, n->platforms.v[i]);
	}
}

size_t nodes_filter_usable(struct nodeset *set)
{
	size_t kept = 0;
	for (size_t i = 0; i < set->nr; i++) {
		struct node *n = &set->v[i];
		const char *why = NULL;
		apply_pins(n);
		node_set_native(n);
		if (!n->status || strcmp(n->status, "running"))
			why = n->status ? n->status : "no status";
		else if (!n->endpoint || !supported_endpoint(n->endpoint))
			why = "endpoint not reachable through the remote driver";
		else if (!n->platforms.nr)
			why = "it reports no platform";
		if (why) {
			if (n->error)
				warning("skipping node '%s' (%s: %s)", n->name, why,
					n->error);
			else
				warning("skipping node '%s' (%s)", n->name, why);
			node_release(n);
			continue;
		}
		set->v[kept++] = *n;
	}
	set->nr = kept;
	return kept;
}

/* Builder names are matched case-insensitively, as buildx does. */
static char *lowercase(const char *s)
{
	char *p = xstrdup(s);
	for (char *q = p; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	return p;
}

/* First line of a child's stderr, for one-line errors. */
static const char *first_line(struct strbuf *sb)
{
	strbuf_trim(sb);
	char *nl = strchr(sb->buf, '\n');
	if (nl)
		*nl = '\0';
	return sb->len ? sb->buf : "no output";
}

int nodes_discover_start(struct discovery *d, const char *builder,
			 const struct strvec *docker_globals)
{
	struct strvec argv = STRVEC_INIT;
	if (!builder || !*builder)
		builder = getenv("BUILDX_BUILDER");
	d->builder = builder && *builder ? xstrdup(builder) : NULL;
	d->globals = docker_globals;
	struct strvec env = STRVEC_INIT;
	buildx_argv(&argv, &env, docker_globals);
	strvec_push(&argv, "inspect");
	if (d->bootstrap) {
		strvec_push(&argv, "--bootstrap"); /* starting may take long */
	} else {
		/* a node that does not answer costs this, not buildx's 20 s:
		 * it is then inactive, and skipped with one line */
		strvec_push(&argv, "--timeout");
		strvec_pushf(&argv, "%ds", DISCOVERY_TIMEOUT_S);
	}
	if (d->builder)
		strvec_push(&argv, d->builder);
	d->child = (struct child)CHILD_INIT;
	int ret = child_start(&d->child, argv.v, &env, 1);
	strvec_clear(&argv);
	strvec_clear(&env);
	return ret;
}

void nodes_discover_abort(struct discovery *d)
{
	if (d->child.pid > 0) {
		child_kill(&d->child, SIGKILL);
		child_collect(&d->child, NULL, NULL);
	}
	free(d->builder);
	d->builder = NULL;
}

int nodes_discover_finish(struct discovery *d, struct nodeset *set)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	const char *builder = d->builder;
	int ret = -1;

	int status = child_collect(&d->child, &out, &err);
	if (status < 0) {
		error("cannot run 'docker buildx inspect'");
		goto out;
	}
	if (exit_code_of(status)) {
		const char *msg = first_line(&err);
		const char *p = strstr(msg, "ERROR: ");
		if (p)
			msg = p + strlen("ERROR: ");
		if (builder && strstr(msg, "no builder"))
			error("unknown builder '%s'", builder);
		else
			error("cannot inspect builder%s%s: %s", builder ? " " : "",
			      builder ? builder : "", msg);
		goto out;
	}
	if (nodes_parse_inspect(set, out.buf) < 0)
		goto out;
	if (set->error && !set->nr) {
		error("cannot use builder '%s': %s", set->builder, set->error);
		goto out;
	}
	char *store = buildx_store_dir(d->globals);
	char *lname = lowercase(set->builder);
	char *path = xstrfmt("%s/instances/%s", store, lname);
	strbuf_reset(&out);
	if (strbuf_read_file(&out, path) == 0)
		ret = nodes_merge_store(set, out.buf);
	else
		ret = 0; /* inspect alone is enough without TLS options */
	if (ret == 0)
		ret = nodes_adopt_driver(set, getenv("DOCKER_HOST"));
	free(path);
	free(lname);
	free(store);
out:
	free(d->builder);
	d->builder = NULL;
	strbuf_release(&out);
	strbuf_release(&err);
	return ret;
}

const char *nodes_default_platform(const struct nodeset *set)
{
	if (set->default_platform)
		return set->default_platform;
	if (!set->nr || !set->v[0].platforms.nr)
		return NULL;
	const struct node *n = &set->v[0];
	for (size_t i = 0; i < n->platforms.nr; i++)
		if (!strvec_has(&n->pinned, n->platforms.v[i]))
			return n->platforms.v[i];
	return n->platforms.v[0];
}
